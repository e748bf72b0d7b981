// AWS Signature Version 4 for S3 requests (header authentication), and
// presigned URLs for the same requests (query authentication).
#pragma once
#include <string>

#include "backends/objstore/request.h"
#include "backends/objstore/sigv4.h"

namespace hlsfs_s3 {

class S3Signer : public objstore::Signer {
 public:
  S3Signer(objstore::Credentials creds, const std::string& region);

  // x-amz-content-sha256: the payload's real SHA-256 (never
  // UNSIGNED-PAYLOAD: S3 then checks what it received against the
  // signature), computed once however often the request is retried.
  void prepare(objstore::Request& r) const override;
  // x-amz-date, x-amz-security-token (temporary keys) and Authorization,
  // signing every header of the request.
  void sign(objstore::Request& r, time_t now) const override;
  // The query string of a URL that lets anyone `r.method` the object for
  // `expires` seconds from now (X-Amz-Expires, at most 7 days on S3).
  std::string presign(const objstore::Request& r, time_t now, long expires) const;

 private:
  objstore::Credentials creds_;
  objstore::V4Scope scope_;
};

}  // namespace hlsfs_s3
