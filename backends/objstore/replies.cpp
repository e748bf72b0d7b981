#include "backends/objstore/replies.h"

#include <cerrno>
#include <cstdlib>
#include <optional>

#include "backends/objstore/timefmt.h"
#include "backends/objstore/xml.h"
#include "hlsfs/percent_decode.h"

namespace objstore {

namespace {
// A listed object's byte count: decimal digits that fit int64, nothing else.
bool parse_size(const std::string& text, int64_t* out) {
  if (text.empty() || text.size() > 19 || text.find_first_not_of("0123456789") != std::string::npos) return false;
  errno = 0;
  long long v = strtoll(text.c_str(), nullptr, 10);
  if (errno == ERANGE) return false;
  *out = v;
  return true;
}
}  // namespace

bool parse_list_page(std::string_view xml, ListPage* page, std::string* why) {
  XmlNode root;
  std::string bad;
  if (!parse_xml(xml, &root, &bad)) {
    *why = "unreadable listing: " + bad;
    return false;
  }
  if (root.name != "ListBucketResult") {
    *why = "unexpected listing reply <" + root.name + ">";
    return false;
  }
  bool url_encoded = root.child_text("EncodingType") == "url";
  *page = ListPage{};
  for (const XmlNode& c : root.children) {
    if (c.name == "CommonPrefixes") {
      std::string prefix = c.child_text("Prefix");
      if (url_encoded) {
        std::optional<std::string> decoded = hlsfs::percent_decode(prefix, hlsfs::percent::plus_is_space);
        if (!decoded) continue;  // as a key with %00
        prefix = std::move(*decoded);
      }
      page->prefixes.push_back(std::move(prefix));
      continue;
    }
    if (c.name != "Contents") continue;
    ListedObject o;
    o.key = c.child_text("Key");
    if (url_encoded) {
      // A key holding %00 names nothing a path can reach, and would be cut
      // at the NUL further on ("a%00/x" listed as "a"): left out, as the
      // store leaves out other keys no path can name.
      std::optional<std::string> decoded = hlsfs::percent_decode(o.key, hlsfs::percent::plus_is_space);
      if (!decoded) continue;
      o.key = std::move(*decoded);
    }
    std::string size = c.child_text("Size");
    if (!parse_size(size, &o.size)) {
      *why = "unreadable listing: <Size> \"" + size.substr(0, 32) + "\" is not a byte count";
      return false;
    }
    o.mtime_ns = parse_iso8601_ns(c.child_text("LastModified"));
    o.etag = strip_quotes(c.child_text("ETag"));
    page->objects.push_back(std::move(o));
  }
  page->truncated = root.child_text("IsTruncated") == "true";
  page->next_token = root.child_text("NextContinuationToken");
  if (page->truncated && page->next_token.empty()) {
    // Going on without a token would list the first page forever.
    *why = "truncated listing without a NextContinuationToken";
    return false;
  }
  return true;
}

bool parse_error_reply(std::string_view xml, ErrorReply* err) {
  XmlNode root;
  std::string why;
  if (!parse_xml(xml, &root, &why) || root.name != "Error") return false;
  err->code = root.child_text("Code");
  err->message = root.child_text("Message");
  return true;
}

std::string parse_upload_id(std::string_view xml) {
  XmlNode root;
  std::string why;
  if (!parse_xml(xml, &root, &why) || root.name != "InitiateMultipartUploadResult") return "";
  return root.child_text("UploadId");
}

std::string complete_multipart_body(const std::vector<std::string>& etags) {
  std::string out = "<CompleteMultipartUpload>";
  for (size_t i = 0; i < etags.size(); ++i)
    out += "<Part><PartNumber>" + std::to_string(i + 1) + "</PartNumber><ETag>\"" + xml_escape(etags[i]) +
           "\"</ETag></Part>";
  return out + "</CompleteMultipartUpload>";
}

std::string strip_quotes(std::string_view etag) {
  if (etag.size() >= 2 && etag.front() == '"' && etag.back() == '"') return std::string(etag.substr(1, etag.size() - 2));
  return std::string(etag);
}

}  // namespace objstore
