// The Signature Version 4 family: AWS's AWS4-HMAC-SHA256 and Alibaba OSS's
// OSS4-HMAC-SHA256 share the canonical request, the string to sign and the
// chained-HMAC signing key, and differ in names and in which headers and
// query forms they sign. The core is here; AWS's header and query (presigned
// URL) forms too, since the S3 plugin is their only user besides tests.
#pragma once
#include <ctime>
#include <functional>
#include <string>

#include "backends/objstore/request.h"

namespace objstore {

// What distinguishes one V4 dialect and one scope from another.
struct V4Scope {
  std::string algorithm;   // "AWS4-HMAC-SHA256" | "OSS4-HMAC-SHA256"
  std::string key_prefix;  // "AWS4" | "aliyun_v4": prepended to the secret
  std::string terminator;  // "aws4_request" | "aliyun_v4_request"
  std::string region;      // us-east-1, cn-hangzhou
  std::string service;     // s3, oss
  std::string credential_scope(time_t t) const;  // 20130524/us-east-1/s3/aws4_request
};
V4Scope aws_scope(const std::string& region, const std::string& service);

// "name=value&..." with names and values uri_encode()d and sorted; a
// parameter without a value is "name=" (AWS) or "name" (OSS, bare_empty).
std::string v4_canonical_query(const Params& query, bool bare_empty);

// "name:value\n" for each header that `want` accepts (given its lower-case
// name), names lower-cased and sorted, values trimmed with inner runs of
// spaces collapsed, repeated names joined by ','. *names gets "a;b;c".
std::string v4_canonical_headers(const Headers& headers, const std::function<bool(const std::string&)>& want,
                                 std::string* names);

// Hex signature of canonical_request; *string_to_sign (if given) gets the
// string that was signed, for error reports and tests.
std::string v4_signature(const std::string& secret, const V4Scope& scope, time_t t,
                         const std::string& canonical_request, std::string* string_to_sign = nullptr);

// AWS header authentication: signs every header of `headers` (which must
// include Host and X-Amz-Date) and returns the Authorization value.
// canonical_uri is the path as sent (S3 does not normalise or re-encode it).
std::string aws_v4_authorization(const std::string& method, const std::string& canonical_uri, const Params& query,
                                 const Headers& headers, const std::string& payload_hash, const Credentials& creds,
                                 const V4Scope& scope, time_t t);

// AWS query authentication (a presigned URL valid `expires` seconds from
// t): returns the whole query string to send, the X-Amz-* parameters and
// X-Amz-Signature included. Only Host is signed and the payload is
// UNSIGNED-PAYLOAD, as S3 expects of a URL handed to a browser or player.
std::string aws_v4_presign_query(const std::string& method, const std::string& host,
                                 const std::string& canonical_uri, const Params& query, const Credentials& creds,
                                 const V4Scope& scope, time_t t, long expires);

extern const char* const kEmptySha256;     // sha256("")
extern const char* const kUnsignedPayload;  // "UNSIGNED-PAYLOAD"

}  // namespace objstore
