#include "backends/s3/s3_signer.h"

#include "backends/objstore/crypto.h"
#include "backends/objstore/timefmt.h"

namespace hlsfs_s3 {

using objstore::set_header;

S3Signer::S3Signer(objstore::Credentials creds, const std::string& region)
    : creds_(std::move(creds)), scope_(objstore::aws_scope(region, "s3")) {}

void S3Signer::prepare(objstore::Request& r) const {
  set_header(r.headers, "x-amz-content-sha256", objstore::sha256_hex(r.body));
}

void S3Signer::sign(objstore::Request& r, time_t now) const {
  const std::string* payload = objstore::find_header(r.headers, "x-amz-content-sha256");
  std::string payload_hash = payload ? *payload : objstore::sha256_hex(r.body);
  set_header(r.headers, "x-amz-content-sha256", payload_hash);
  set_header(r.headers, "x-amz-date", objstore::iso8601_basic(now));
  if (!creds_.session_token.empty()) set_header(r.headers, "x-amz-security-token", creds_.session_token);
  std::string auth =
      objstore::aws_v4_authorization(r.method, r.path, r.query, r.headers, payload_hash, creds_, scope_, now);
  set_header(r.headers, "Authorization", auth);
}

std::string S3Signer::presign(const objstore::Request& r, time_t now, long expires) const {
  return objstore::aws_v4_presign_query(r.method, r.host, r.path, r.query, creds_, scope_, now, expires);
}

}  // namespace hlsfs_s3
