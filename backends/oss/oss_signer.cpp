#include "backends/oss/oss_signer.h"

#include <algorithm>
#include <set>

#include "backends/objstore/crypto.h"
#include "backends/objstore/encode.h"
#include "backends/objstore/timefmt.h"

namespace hlsfs_oss {

using objstore::find_header;
using objstore::set_header;

namespace {

// V4 always signs these headers (and no others unless listed as
// AdditionalHeaders, which this plugin never needs).
bool default_signed(const std::string& lower) {
  return lower.rfind("x-oss-", 0) == 0 || lower == "content-type" || lower == "content-md5";
}

// V1 signs only these query parameters (sub-resources), by OSS's list.
const std::set<std::string>& v1_signed_parameters() {
  static const std::set<std::string> names = {
      "acl", "bucketInfo", "location", "stat", "delete", "append", "tagging", "objectMeta", "uploads", "uploadId",
      "partNumber", "security-token", "position", "response-content-type", "response-content-language",
      "response-expires", "response-cache-control", "response-content-disposition", "response-content-encoding",
      "restore", "callback", "callback-var", "versions", "versioning", "versionId", "sequential",
      "continuation-token", "regionList", "cloudboxes", "symlink"};
  return names;
}

// Bucket and key are always in the signed resource, whatever the host style.
std::string resource(const objstore::Request& r) { return "/" + r.bucket + "/" + r.key; }

}  // namespace

OssSigner::OssSigner(objstore::Credentials creds, std::string region, OssSignature version)
    : creds_(std::move(creds)),
      scope_{"OSS4-HMAC-SHA256", "aliyun_v4", "aliyun_v4_request", std::move(region), "oss"},
      version_(version) {}

void OssSigner::prepare(objstore::Request& r) const {
  if (!r.body.empty() || r.method == "PUT" || r.method == "POST")
    set_header(r.headers, "Content-MD5", objstore::base64(objstore::md5(r.body)));
}

std::string OssSigner::v4_canonical_request(const objstore::Request& r, const objstore::Params& query) {
  const std::string* payload = find_header(r.headers, "x-oss-content-sha256");
  return r.method + "\n" + objstore::uri_encode(resource(r), true) + "\n" +
         objstore::v4_canonical_query(query, true) + "\n" +
         objstore::v4_canonical_headers(r.headers, default_signed, nullptr) + "\n" +
         "\n" +  // AdditionalHeaders: none
         (payload ? *payload : objstore::kUnsignedPayload);
}

std::string OssSigner::v1_string_to_sign(const objstore::Request& r, const std::string& date) {
  const std::string* md5 = find_header(r.headers, "Content-MD5");
  const std::string* type = find_header(r.headers, "Content-Type");
  std::string oss_headers = objstore::v4_canonical_headers(
      r.headers, [](const std::string& lower) { return lower.rfind("x-oss-", 0) == 0; }, nullptr);
  objstore::Params signed_params;
  for (const auto& [k, v] : r.query)
    if (v1_signed_parameters().count(k) || k.rfind("x-oss-", 0) == 0) signed_params.emplace_back(k, v);
  std::sort(signed_params.begin(), signed_params.end());
  std::string sub;
  for (const auto& [k, v] : signed_params) sub += (sub.empty() ? "?" : "&") + k + (v.empty() ? "" : "=" + v);
  return r.method + "\n" + (md5 ? *md5 : "") + "\n" + (type ? *type : "") + "\n" + date + "\n" + oss_headers +
         resource(r) + sub;
}

void OssSigner::sign(objstore::Request& r, time_t now) const {
  if (!creds_.session_token.empty()) set_header(r.headers, "x-oss-security-token", creds_.session_token);
  set_header(r.headers, "Date", objstore::http_date(now));
  if (version_ == OssSignature::V1) {
    std::string sts = v1_string_to_sign(r, objstore::http_date(now));
    set_header(r.headers, "Authorization",
               "OSS " + creds_.access_key_id + ":" + objstore::base64(objstore::hmac_sha1(creds_.secret, sts)));
    return;
  }
  set_header(r.headers, "x-oss-date", objstore::iso8601_basic(now));
  if (!find_header(r.headers, "x-oss-content-sha256"))
    set_header(r.headers, "x-oss-content-sha256", objstore::kUnsignedPayload);
  std::string signature = objstore::v4_signature(creds_.secret, scope_, now, v4_canonical_request(r, r.query));
  set_header(r.headers, "Authorization",
             scope_.algorithm + " Credential=" + creds_.access_key_id + "/" + scope_.credential_scope(now) +
                 ",Signature=" + signature);
}

std::string OssSigner::presign(const objstore::Request& r, time_t now, long expires) const {
  objstore::Params q = r.query;
  if (!creds_.session_token.empty()) q.emplace_back("x-oss-security-token", creds_.session_token);
  q.emplace_back("x-oss-signature-version", scope_.algorithm);
  q.emplace_back("x-oss-date", objstore::iso8601_basic(now));
  q.emplace_back("x-oss-expires", std::to_string(expires));
  q.emplace_back("x-oss-credential", creds_.access_key_id + "/" + scope_.credential_scope(now));
  std::string signature = objstore::v4_signature(creds_.secret, scope_, now, v4_canonical_request(r, q));
  return objstore::encode_query(q) + "&x-oss-signature=" + signature;
}

}  // namespace hlsfs_oss
