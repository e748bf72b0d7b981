// The XML documents of the S3 API (which OSS speaks too): ListObjectsV2
// pages, error replies, multipart upload replies and request bodies.
#pragma once
#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

namespace objstore {

struct ListedObject {
  std::string key;  // decoded (the request asks for encoding-type=url)
  int64_t size = 0;
  int64_t mtime_ns = 0;
  std::string etag;  // without the quotes
};

struct ListPage {
  std::vector<ListedObject> objects;
  // <CommonPrefixes><Prefix>, decoded, in order: a listing with a
  // delimiter rolls each "directory" up into one.
  std::vector<std::string> prefixes;
  bool truncated = false;
  std::string next_token;  // NextContinuationToken, when truncated
};

// A ListBucketResult. Keys are url-decoded when the reply says
// EncodingType=url (one that decodes to a NUL byte is left out). False with
// *why when the reply is not one.
bool parse_list_page(std::string_view xml, ListPage* page, std::string* why);

struct ErrorReply {
  std::string code;     // SignatureDoesNotMatch, NoSuchKey, SlowDown, ...
  std::string message;  // the server's sentence
};
// An <Error> document (also what CompleteMultipartUpload may send with a
// 200). False when xml is not one.
bool parse_error_reply(std::string_view xml, ErrorReply* err);

// UploadId of an InitiateMultipartUploadResult, or "".
std::string parse_upload_id(std::string_view xml);

// The CompleteMultipartUpload body listing parts 1..n with their ETags.
std::string complete_multipart_body(const std::vector<std::string>& etags);

// "\"abc\"" -> "abc"; anything else unchanged.
std::string strip_quotes(std::string_view etag);

}  // namespace objstore
