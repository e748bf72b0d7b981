// The element-only documents S3 and OSS answer with (listings, errors,
// multipart replies), read with pugixml into a small tree of elements and
// their text. Prolog, comments, processing instructions and DOCTYPE are
// skipped, attributes ignored, namespace prefixes dropped. On top of what
// pugixml checks, a reply must hold exactly one document element, no NUL
// byte, and only the five predefined entities and character references to
// characters XML can carry (pugixml would keep "&bogus;" as text and turn
// "&#0;" into a NUL): a reply that breaks these is refused, never guessed at.
#pragma once
#include <string>
#include <string_view>
#include <vector>

namespace objstore {

struct XmlNode {
  std::string name;  // local name, without a namespace prefix
  std::string text;  // the element's own character data (text and CDATA), entities decoded
  std::vector<XmlNode> children;

  const XmlNode* child(std::string_view name) const;  // first child of that name, or nullptr
  std::string child_text(std::string_view name) const;  // its text, or ""
};

// Parses doc into *root (the document element). On failure returns false
// with *why saying what and where.
bool parse_xml(std::string_view doc, XmlNode* root, std::string* why);

// Text with &, <, > escaped, for building request bodies.
std::string xml_escape(std::string_view s);

}  // namespace objstore
