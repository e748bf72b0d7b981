// A small XML reader for the element-only documents S3 and OSS answer with
// (listings, errors, multipart replies): elements, text, entities, CDATA;
// prolog, comments and DOCTYPE are skipped, attributes ignored, namespace
// prefixes dropped. Not a general XML parser, and need not be: a server's
// answer that it cannot read is reported, never guessed at.
#pragma once
#include <string>
#include <string_view>
#include <vector>

namespace objstore {

struct XmlNode {
  std::string name;  // local name, without a namespace prefix
  std::string text;  // the element's own character data, entities decoded
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
