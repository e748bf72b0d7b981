// Alibaba Cloud OSS request signatures: V4 (OSS4-HMAC-SHA256, the default)
// and V1 (HMAC-SHA1, "OSS AccessKeyId:Signature"), as OSS's documentation
// and its official SDKs define them.
//
// Unlike S3, OSS V4 signs no payload hash (x-oss-content-sha256 must be
// UNSIGNED-PAYLOAD), so a body is bound to the signature by Content-MD5,
// a header both versions sign and OSS checks against what it receives.
#pragma once
#include <string>

#include "backends/objstore/request.h"
#include "backends/objstore/sigv4.h"

namespace hlsfs_oss {

enum class OssSignature { V1, V4 };

class OssSigner : public objstore::Signer {
 public:
  // region: the bare region id (cn-hangzhou), as the V4 scope names it.
  OssSigner(objstore::Credentials creds, std::string region, OssSignature version);

  void prepare(objstore::Request& r) const override;  // Content-MD5 of a body
  // V4: x-oss-date, x-oss-content-sha256, Date, x-oss-security-token and
  // Authorization. V1: Date, x-oss-security-token and Authorization.
  void sign(objstore::Request& r, time_t now) const override;
  // V4 query authentication: the query string of a URL valid `expires`
  // seconds from now (x-oss-signature-version ... x-oss-signature).
  std::string presign(const objstore::Request& r, time_t now, long expires) const;

  // The canonical forms, exposed for tests and error reports.
  static std::string v4_canonical_request(const objstore::Request& r, const objstore::Params& query);
  static std::string v1_string_to_sign(const objstore::Request& r, const std::string& date);

 private:
  objstore::Credentials creds_;
  objstore::V4Scope scope_;
  OssSignature version_;
};

}  // namespace hlsfs_oss
