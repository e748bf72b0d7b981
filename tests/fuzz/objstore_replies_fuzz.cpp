// What an S3 or OSS server (or anyone in its place) answers: listing pages,
// <Error> documents, multipart replies, dates, url-encoded keys. The bytes go
// to every reply parser of backends/objstore (xml.* over pugixml, replies.*,
// timefmt.*, encode.*) and to hlsfs::percent_decode; a crash, UB, a hang or a
// broken property is a finding:
//  - a listing page accepted as truncated has a continuation token;
//  - listed sizes and dates are never negative, listed keys hold no NUL;
//  - what the plugin writes (xml_escape'd text, CompleteMultipartUpload
//    bodies, uri_encode'd keys) reads back as it was, whatever the bytes,
//    except a NUL byte, which no XML document or decoded key may hold: those
//    are refused.
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "backends/objstore/encode.h"
#include "backends/objstore/keys.h"
#include "backends/objstore/replies.h"
#include "backends/objstore/timefmt.h"
#include "backends/objstore/xml.h"
#include "hlsfs/percent_decode.h"
#include "tests/fuzz/fuzz_check.h"

using namespace objstore;

namespace {

void replies(std::string_view doc) {
  XmlNode root;
  std::string why;
  if (parse_xml(doc, &root, &why)) FUZZ_REQUIRE(!root.name.empty(), "a document element without a name");
  else FUZZ_REQUIRE(!why.empty(), "a refusal without a reason");

  ListPage page;
  why.clear();
  if (parse_list_page(doc, &page, &why)) {
    FUZZ_REQUIRE(!page.truncated || !page.next_token.empty(), "truncated without a token");
    for (const ListedObject& o : page.objects) {
      FUZZ_REQUIRE(o.size >= 0, std::to_string(o.size));
      FUZZ_REQUIRE(o.mtime_ns >= 0, std::to_string(o.mtime_ns));
      FUZZ_REQUIRE(o.key.find('\0') == std::string::npos, "a listed key with a NUL byte");
      (void)key_problem(o.key.c_str());  // what Store::list asks of every listed key
    }
  } else {
    FUZZ_REQUIRE(!why.empty(), "a listing refused without a reason");
  }
  ErrorReply err;
  (void)parse_error_reply(doc, &err);
  (void)parse_upload_id(doc);
  FUZZ_REQUIRE(parse_iso8601_ns(doc) >= 0, "LastModified");
  FUZZ_REQUIRE(parse_http_date_ns(doc) >= 0, "Last-Modified");
  (void)strip_quotes(doc);
  (void)prefix_problem(std::string(doc));
}

void round_trips(std::string_view s) {
  XmlNode node;
  std::string why;
  const bool nul = s.find('\0') != std::string_view::npos;
  if (nul) {
    FUZZ_REQUIRE(!parse_xml("<a>" + xml_escape(s) + "</a>", &node, &why), "a NUL byte read as XML");
  } else {
    FUZZ_REQUIRE(parse_xml("<a>" + xml_escape(s) + "</a>", &node, &why), why);
    FUZZ_REQUIRE(node.text == s, "xml_escape does not read back");
  }

  for (bool keep_slash : {false, true}) {
    std::string enc = uri_encode(s, keep_slash);
    FUZZ_REQUIRE(enc.find_first_not_of("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-._~%/") ==
                     std::string::npos,
                 enc);
    FUZZ_REQUIRE(keep_slash || enc.find('/') == std::string::npos, enc);
    for (unsigned flags : {0u, hlsfs::percent::plus_is_space, hlsfs::percent::strict}) {
      std::optional<std::string> decoded = hlsfs::percent_decode(enc, flags);
      FUZZ_REQUIRE(nul ? !decoded : decoded == s, enc);
    }
  }

  std::vector<std::string> etags;  // one per line, as if the parts' ETags were these
  for (size_t start = 0; start <= s.size() && etags.size() < 16;) {
    size_t nl = s.find('\n', start);
    etags.emplace_back(s.substr(start, nl == std::string_view::npos ? std::string_view::npos : nl - start));
    if (nl == std::string_view::npos) break;
    start = nl + 1;
  }
  std::string body = complete_multipart_body(etags);
  if (body.find('\0') != std::string::npos) {
    FUZZ_REQUIRE(!parse_xml(body, &node, &why), "a NUL byte read as XML");
    return;
  }
  FUZZ_REQUIRE(parse_xml(body, &node, &why), why);
  FUZZ_REQUIRE(node.name == "CompleteMultipartUpload" && node.children.size() == etags.size(), "parts");
  for (size_t i = 0; i < etags.size(); ++i) {
    FUZZ_REQUIRE(node.children[i].child_text("PartNumber") == std::to_string(i + 1), "PartNumber");
    FUZZ_REQUIRE(node.children[i].child_text("ETag") == "\"" + etags[i] + "\"", "ETag");
  }
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  std::string_view doc(reinterpret_cast<const char*>(data), size);
  replies(doc);
  round_trips(doc);
  return 0;
}
