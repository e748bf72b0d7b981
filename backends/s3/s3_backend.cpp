// The "s3" backend plugin: a bucket (and key prefix) of Amazon S3 or any
// S3-compatible server, signed with AWS Signature Version 4.
//
// Configuration (the store's YAML mapping; every value a string):
//   bucket               required: the bucket's name
//   prefix               key prefix inside the bucket ("" = the whole bucket); the daemon
//                        routes s3://<bucket>/<prefix>/<key> to this store
//   region               default us-east-1 (signs every request: must be the bucket's)
//   endpoint             default https://s3.<region>.amazonaws.com; scheme://host[:port]
//   path_style           true: <endpoint>/<bucket>/<key>; false: <bucket>.<endpoint host>/<key>.
//                        Default false, true when the endpoint is an IP address or localhost
//   access_key_id, secret_access_key, session_token
//                        the keys; else profile, the environment or ~/.aws/credentials
//   profile              a profile of the credentials file (see aws_credentials.h)
//   verify_tls           default true: check the server's certificate and name
//   ca_file              PEM bundle of trusted CAs (default: the system's)
//   connect_timeout      seconds (default 5): to open a connection
//   request_timeout      seconds (default 60): one whole request, body included
//   stall_timeout        seconds (default 15): a request that moves no byte for this long
//                        (a reply stalled mid-body) is dropped, and retried
//   retries              default 4: attempts after the first on a transient failure
//                        (no answer, timeout, 5xx, SlowDown, RequestTimeout), never on another 4xx
//   retry_time_limit     seconds (default 30): no retry starts after this since the first attempt
//   multipart_threshold  default 16MiB: larger writes are multipart uploads
//   part_size            default 8MiB (at least 5MiB): size of their parts
//   list_page_size       default 1000 (the most S3 gives): keys per listing request
// Sizes take KiB/MiB/GiB suffixes; durations may be fractional or end in ms.
#include <memory>

#include "backends/objstore/plugin.h"
#include "backends/s3/aws_credentials.h"
#include "backends/s3/s3_signer.h"

namespace {

hlsfs_backend* s3_open(const char* const* config, char* err, size_t errlen) {
  return objstore::open_store(config, err, errlen, [](objstore::ConfigMap& c) {
    const objstore::Dialect s3{"s3", "us-east-1",
                               [](const std::string& region) { return "https://s3." + region + ".amazonaws.com"; },
                               5 << 20};
    objstore::StoreConfig sc = objstore::read_store_config(c, s3);
    objstore::Credentials creds = hlsfs_s3::resolve_aws_credentials(c);
    c.finish(std::string(objstore::kStoreConfigKeys) + ", access_key_id, secret_access_key, session_token, profile");
    std::string region = sc.region;
    return std::make_unique<objstore::Store>(std::move(sc), std::make_unique<hlsfs_s3::S3Signer>(creds, region));
  });
}

const hlsfs_backend_ops kOps = objstore::plugin_ops("s3", s3_open);

}  // namespace

extern "C" HLSFS_EXPORT const hlsfs_backend_ops* hlsfs_backend_entry(void) { return &kOps; }
