#include "backends/objstore/xml.h"

#include <pugixml.hpp>

#include <algorithm>
#include <cctype>
#include <string_view>

namespace objstore {

const XmlNode* XmlNode::child(std::string_view n) const {
  for (const XmlNode& c : children)
    if (c.name == n) return &c;
  return nullptr;
}

std::string XmlNode::child_text(std::string_view n) const {
  const XmlNode* c = child(n);
  return c ? c->text : std::string();
}

namespace {

// S3 answers nest 3 deep. pugixml itself parses any depth without recursion;
// the copy into XmlNode (and its destructor) recurse, so the depth is bounded.
constexpr int kMaxDepth = 64;

// CDATA sections are kept as they are; text is read raw (no parse_escapes),
// since pugixml keeps unknown entities and malformed references as text and
// writes "&#0;" as a NUL: decode_entities below refuses them instead. Line
// ends are not normalised (no parse_eol): text reads back byte for byte.
// parse_fragment keeps text outside the document element, so that it can be
// refused.
constexpr unsigned kParseOptions = pugi::parse_cdata | pugi::parse_ws_pcdata | pugi::parse_fragment;

void append_utf8(std::string& out, unsigned long cp) {
  if (cp < 0x80) {
    out += static_cast<char>(cp);
  } else if (cp < 0x800) {
    out += static_cast<char>(0xC0 | (cp >> 6));
    out += static_cast<char>(0x80 | (cp & 0x3F));
  } else if (cp < 0x10000) {
    out += static_cast<char>(0xE0 | (cp >> 12));
    out += static_cast<char>(0x80 | ((cp >> 6) & 0x3F));
    out += static_cast<char>(0x80 | (cp & 0x3F));
  } else {
    out += static_cast<char>(0xF0 | (cp >> 18));
    out += static_cast<char>(0x80 | ((cp >> 12) & 0x3F));
    out += static_cast<char>(0x80 | ((cp >> 6) & 0x3F));
    out += static_cast<char>(0x80 | (cp & 0x3F));
  }
}

// The code point of a character reference's digits ("233", "x20AC"), if it
// names a character XML may carry: not NUL, not a UTF-16 surrogate
// (U+D800-DFFF, which UTF-8 cannot encode), not beyond U+10FFFF. Digits only
// (strtoul would take a sign and spaces).
bool character_reference(std::string_view digits, unsigned long* cp) {
  bool hex = !digits.empty() && (digits[0] == 'x' || digits[0] == 'X');
  if (hex) digits.remove_prefix(1);
  if (digits.empty()) return false;
  unsigned long v = 0;
  for (char c : digits) {
    int d = c >= '0' && c <= '9' ? c - '0'
            : hex && c >= 'a' && c <= 'f' ? c - 'a' + 10
            : hex && c >= 'A' && c <= 'F' ? c - 'A' + 10
            : -1;
    if (d < 0) return false;
    v = v * (hex ? 16 : 10) + static_cast<unsigned long>(d);
    if (v > 0x10FFFF) return false;  // also ends the loop before an overflow
  }
  if (v == 0 || (v >= 0xD800 && v <= 0xDFFF)) return false;
  *cp = v;
  return true;
}

// Copies pugixml's tree into XmlNode, decoding the text's entities. The
// document was parsed in place in `buffer` (doc's bytes): names and text
// point into it, which gives their position for an error.
struct Reader {
  std::string_view buffer;
  std::string why;

  bool fail(const std::string& what, size_t at) {
    if (why.empty()) why = what + " at byte " + std::to_string(at);
    return false;
  }
  size_t position(const char* p) const {
    return p >= buffer.data() && p <= buffer.data() + buffer.size() ? static_cast<size_t>(p - buffer.data()) : 0;
  }

  // Raw character data (pugixml's text, escapes not processed) with the
  // five predefined entities and character references decoded; `at` is
  // where it starts in the document.
  bool decode_entities(std::string_view raw, size_t at, std::string& out) {
    for (size_t i = 0; i < raw.size(); ++i) {
      if (raw[i] != '&') {
        out += raw[i];
        continue;
      }
      size_t semi = raw.find(';', i);
      if (semi == std::string_view::npos || semi - i > 12) return fail("bad entity", at + i);
      std::string_view e = raw.substr(i + 1, semi - i - 1);
      if (e == "lt") out += '<';
      else if (e == "gt") out += '>';
      else if (e == "amp") out += '&';
      else if (e == "quot") out += '"';
      else if (e == "apos") out += '\'';
      else if (!e.empty() && e[0] == '#') {
        unsigned long cp = 0;
        if (!character_reference(e.substr(1), &cp))
          return fail("bad character reference &" + std::string(e) + ";", at + i);
        append_utf8(out, cp);
      } else {
        return fail("unknown entity &" + std::string(e) + ";", at + i);
      }
      i = semi;
    }
    return true;
  }

  bool element(pugi::xml_node in, XmlNode* out, int depth) {
    if (depth > kMaxDepth) return fail("elements nested too deep", position(in.name()));
    std::string_view name = in.name();
    size_t colon = name.find(':');
    out->name = std::string(colon == std::string_view::npos ? name : name.substr(colon + 1));
    if (out->name.empty()) return fail("element without a local name", position(in.name()));
    for (pugi::xml_node c : in.children()) {
      switch (c.type()) {
        case pugi::node_element:
          out->children.emplace_back();
          if (!element(c, &out->children.back(), depth + 1)) return false;
          break;
        case pugi::node_pcdata:
          if (!decode_entities(c.value(), position(c.value()), out->text)) return false;
          break;
        case pugi::node_cdata:
          out->text += c.value();
          break;
        default:
          break;  // comments and processing instructions are not parsed (kParseOptions)
      }
    }
    return true;
  }
};

bool only_space(std::string_view s) { return s.find_first_not_of(" \t\r\n") == std::string_view::npos; }

}  // namespace

bool parse_xml(std::string_view doc, XmlNode* root, std::string* why) {
  *root = XmlNode{};
  auto refuse = [&](const std::string& what) {
    if (why) *why = what;
    return false;
  };
  // pugixml would end the document at a NUL byte and ignore what follows.
  if (size_t nul = doc.find('\0'); nul != std::string_view::npos)
    return refuse("NUL byte at byte " + std::to_string(nul));

  // Parsed in place in a copy of doc, so that positions can be reported.
  std::string buffer(doc);
  pugi::xml_document d;
  pugi::xml_parse_result r = d.load_buffer_inplace(buffer.data(), buffer.size(), kParseOptions, pugi::encoding_utf8);
  if (!r) {
    size_t at = std::min(static_cast<size_t>(r.offset), doc.size());
    if (r.status == pugi::status_end_element_mismatch && at >= 2 && doc.compare(at - 2, 2, "</") == 0) {
      size_t end = doc.find_first_of(" \t\r\n>", at);
      std::string closing(doc.substr(at, end == std::string_view::npos ? std::string_view::npos : end - at));
      return refuse("</" + closing.substr(0, 64) + "> closes an element of another name at byte " + std::to_string(at));
    }
    if (r.status == pugi::status_end_element_mismatch) return refuse("unterminated element at byte " + std::to_string(at));
    std::string what = r.description();  // "Error parsing element attribute", ...
    what[0] = static_cast<char>(tolower(static_cast<unsigned char>(what[0])));
    return refuse(what + " at byte " + std::to_string(at));
  }

  Reader reader{buffer, {}};
  pugi::xml_node element;
  for (pugi::xml_node c : d.children()) {
    if (c.type() == pugi::node_element) {
      if (element) return refuse("a second document element <" + std::string(c.name()).substr(0, 64) + ">");
      element = c;
    } else if (c.type() == pugi::node_cdata || (c.type() == pugi::node_pcdata && !only_space(c.value()))) {
      return refuse(std::string("text ") + (element ? "after" : "before") + " the document element");
    }
  }
  if (!element) return refuse("no element");
  if (!reader.element(element, root, 0)) return refuse(reader.why);
  return true;
}

std::string xml_escape(std::string_view s) {
  std::string out;
  for (char c : s) {
    if (c == '&') out += "&amp;";
    else if (c == '<') out += "&lt;";
    else if (c == '>') out += "&gt;";
    else out += c;
  }
  return out;
}

}  // namespace objstore
