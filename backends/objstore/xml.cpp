#include "backends/objstore/xml.h"

#include <cstring>
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

constexpr int kMaxDepth = 64;  // S3 answers nest 3 deep; bound the recursion on anything else

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

struct Parser {
  explicit Parser(std::string_view doc) : s(doc) {}
  std::string_view s;
  size_t i = 0;
  std::string why;

  bool fail(const std::string& what) {
    if (why.empty()) why = what + " at byte " + std::to_string(i);
    return false;
  }
  bool starts(std::string_view p) const { return s.substr(i, p.size()) == p; }
  bool skip_past(std::string_view end) {
    size_t e = s.find(end, i);
    if (e == std::string_view::npos) return fail("unterminated markup");
    i = e + end.size();
    return true;
  }
  void skip_space() {
    while (i < s.size() && (s[i] == ' ' || s[i] == '\t' || s[i] == '\r' || s[i] == '\n')) ++i;
  }
  // Prolog, comments, processing instructions and DOCTYPE before or between elements.
  bool skip_misc() {
    for (;;) {
      skip_space();
      if (starts("<?")) {
        if (!skip_past("?>")) return false;
      } else if (starts("<!--")) {
        if (!skip_past("-->")) return false;
      } else if (starts("<!DOCTYPE")) {
        if (!skip_past(">")) return false;
      } else {
        return true;
      }
    }
  }
  std::string name() {
    size_t start = i;
    while (i < s.size() && !strchr(" \t\r\n/>=", s[i])) ++i;
    std::string n(s.substr(start, i - start));
    size_t colon = n.find(':');
    return colon == std::string::npos ? n : n.substr(colon + 1);
  }
  bool entity(std::string& out) {  // at '&'
    size_t semi = s.find(';', i);
    if (semi == std::string_view::npos || semi - i > 12) return fail("bad entity");
    std::string_view e = s.substr(i + 1, semi - i - 1);
    if (e == "lt") out += '<';
    else if (e == "gt") out += '>';
    else if (e == "amp") out += '&';
    else if (e == "quot") out += '"';
    else if (e == "apos") out += '\'';
    else if (!e.empty() && e[0] == '#') {
      unsigned long cp = 0;
      if (!character_reference(e.substr(1), &cp)) return fail("bad character reference &" + std::string(e) + ";");
      append_utf8(out, cp);
    } else {
      return fail("unknown entity &" + std::string(e) + ";");
    }
    i = semi + 1;
    return true;
  }
  bool element(XmlNode* node, int depth) {  // at '<'
    if (depth > kMaxDepth) return fail("elements nested too deep");
    ++i;
    node->name = name();
    if (node->name.empty()) return fail("element without a name");
    // Attributes are not needed: skip to the end of the start tag, minding quotes.
    char quote = 0;
    for (; i < s.size(); ++i) {
      char c = s[i];
      if (quote) {
        if (c == quote) quote = 0;
      } else if (c == '"' || c == '\'') {
        quote = c;
      } else if (c == '>' || c == '/') {
        break;
      }
    }
    if (i >= s.size()) return fail("unterminated start tag <" + node->name + ">");
    if (s[i] == '/') {
      if (!starts("/>")) return fail("bad empty-element tag");
      i += 2;
      return true;
    }
    ++i;  // '>'
    while (i < s.size()) {
      char c = s[i];
      if (c == '&') {
        if (!entity(node->text)) return false;
      } else if (starts("<![CDATA[")) {
        size_t e = s.find("]]>", i);
        if (e == std::string_view::npos) return fail("unterminated CDATA");
        node->text.append(s.substr(i + 9, e - i - 9));
        i = e + 3;
      } else if (starts("<!--")) {
        if (!skip_past("-->")) return false;
      } else if (starts("</")) {
        i += 2;
        std::string closing = name();
        skip_space();
        if (closing != node->name || i >= s.size() || s[i] != '>')
          return fail("</" + closing + "> closes <" + node->name + ">");
        ++i;
        return true;
      } else if (c == '<') {
        node->children.emplace_back();
        if (!element(&node->children.back(), depth + 1)) return false;
      } else {
        node->text += c;
        ++i;
      }
    }
    return fail("unterminated element <" + node->name + ">");
  }
};

}  // namespace

bool parse_xml(std::string_view doc, XmlNode* root, std::string* why) {
  Parser p(doc);
  *root = XmlNode{};
  bool ok = p.skip_misc() && (p.i < doc.size() && doc[p.i] == '<' ? p.element(root, 0) : p.fail("no element"));
  if (ok) {
    ok = p.skip_misc();
    if (ok && p.i != doc.size()) ok = p.fail("text after the document element");
  }
  if (!ok && why) *why = p.why;
  return ok;
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
