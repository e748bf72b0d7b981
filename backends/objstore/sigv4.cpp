#include "backends/objstore/sigv4.h"

#include <algorithm>
#include <map>

#include "backends/objstore/crypto.h"
#include "backends/objstore/encode.h"
#include "backends/objstore/timefmt.h"

namespace objstore {

const char* const kEmptySha256 = "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855";
const char* const kUnsignedPayload = "UNSIGNED-PAYLOAD";

std::string V4Scope::credential_scope(time_t t) const {
  return date_stamp(t) + "/" + region + "/" + service + "/" + terminator;
}

V4Scope aws_scope(const std::string& region, const std::string& service) {
  return V4Scope{"AWS4-HMAC-SHA256", "AWS4", "aws4_request", region, service};
}

std::string v4_canonical_query(const Params& query, bool bare_empty) { return encode_query(query, bare_empty); }

std::string v4_canonical_headers(const Headers& headers, const std::function<bool(const std::string&)>& want,
                                 std::string* names) {
  std::map<std::string, std::string> merged;  // sorted by lower-case name
  for (const auto& [k, v] : headers) {
    std::string name = to_lower(k);
    if (!want(name)) continue;
    auto [it, fresh] = merged.emplace(name, trim_collapse(v));
    if (!fresh) it->second += "," + trim_collapse(v);
  }
  std::string out;
  if (names) names->clear();
  for (const auto& [k, v] : merged) {
    out += k + ":" + v + "\n";
    if (names) *names += (names->empty() ? "" : ";") + k;
  }
  return out;
}

std::string v4_signature(const std::string& secret, const V4Scope& scope, time_t t,
                         const std::string& canonical_request, std::string* string_to_sign) {
  std::string sts = scope.algorithm + "\n" + iso8601_basic(t) + "\n" + scope.credential_scope(t) + "\n" +
                    sha256_hex(canonical_request);
  std::string key = hmac_sha256(scope.key_prefix + secret, date_stamp(t));
  key = hmac_sha256(key, scope.region);
  key = hmac_sha256(key, scope.service);
  key = hmac_sha256(key, scope.terminator);
  if (string_to_sign) *string_to_sign = sts;
  return lower_hex(hmac_sha256(key, sts));
}

std::string aws_v4_authorization(const std::string& method, const std::string& canonical_uri, const Params& query,
                                 const Headers& headers, const std::string& payload_hash, const Credentials& creds,
                                 const V4Scope& scope, time_t t) {
  std::string signed_headers;
  std::string canonical_headers =
      v4_canonical_headers(headers, [](const std::string&) { return true; }, &signed_headers);
  std::string canonical_request = method + "\n" + canonical_uri + "\n" + v4_canonical_query(query, false) + "\n" +
                                  canonical_headers + "\n" + signed_headers + "\n" + payload_hash;
  return scope.algorithm + " Credential=" + creds.access_key_id + "/" + scope.credential_scope(t) +
         ", SignedHeaders=" + signed_headers +
         ", Signature=" + v4_signature(creds.secret, scope, t, canonical_request);
}

std::string aws_v4_presign_query(const std::string& method, const std::string& host,
                                 const std::string& canonical_uri, const Params& query, const Credentials& creds,
                                 const V4Scope& scope, time_t t, long expires) {
  Params q = query;
  q.emplace_back("X-Amz-Algorithm", scope.algorithm);
  q.emplace_back("X-Amz-Credential", creds.access_key_id + "/" + scope.credential_scope(t));
  q.emplace_back("X-Amz-Date", iso8601_basic(t));
  q.emplace_back("X-Amz-Expires", std::to_string(expires));
  if (!creds.session_token.empty()) q.emplace_back("X-Amz-Security-Token", creds.session_token);
  q.emplace_back("X-Amz-SignedHeaders", "host");
  std::string canonical_request = method + "\n" + canonical_uri + "\n" + v4_canonical_query(q, false) + "\n" +
                                  "host:" + trim_collapse(host) + "\n\nhost\n" + kUnsignedPayload;
  std::string signature = v4_signature(creds.secret, scope, t, canonical_request);
  return v4_canonical_query(q, false) + "&X-Amz-Signature=" + signature;
}

}  // namespace objstore
