// The "oss" backend plugin: a bucket (and key prefix) of Alibaba Cloud
// Object Storage Service, signed with OSS Signature V4 (or V1).
//
// Configuration (the store's YAML mapping; every value a string):
//   bucket               required: the bucket's name
//   prefix               key prefix inside the bucket ("" = the whole bucket); the daemon
//                        routes oss://<bucket>/<prefix>/<key> to this store
//   region               default cn-hangzhou: the region id V4 signs with (an "oss-" in
//                        front, as in endpoint names, is dropped)
//   endpoint             default https://oss-<region>.aliyuncs.com; scheme://host[:port]
//   path_style           true: <endpoint>/<bucket>/<key>; false (default unless the endpoint
//                        is an IP address or localhost): <bucket>.<endpoint host>/<key>
//   signature_version    v4 (default) or v1
//   access_key_id, access_key_secret, security_token
//                        the keys; else the environment: OSS_ACCESS_KEY_ID,
//                        OSS_ACCESS_KEY_SECRET, OSS_SESSION_TOKEN, or
//                        ALIBABA_CLOUD_ACCESS_KEY_ID, ALIBABA_CLOUD_ACCESS_KEY_SECRET,
//                        ALIBABA_CLOUD_SECURITY_TOKEN
//   verify_tls, ca_file, connect_timeout, request_timeout, stall_timeout, retries, retry_time_limit,
//   multipart_threshold, part_size (at least 100KiB), list_page_size
//                        as for the s3 plugin (backends/s3/README.md)
#include <cstdlib>
#include <memory>

#include "backends/objstore/encode.h"
#include "backends/objstore/plugin.h"
#include "backends/oss/oss_signer.h"

namespace {

using objstore::ConfigError;
using objstore::config_error;

std::string env(const char* name) {
  const char* v = getenv(name);
  return v ? v : "";
}

objstore::Credentials oss_credentials(objstore::ConfigMap& c) {
  auto id = c.take("access_key_id");
  auto secret = c.take("access_key_secret");
  auto token = c.take("security_token");
  if (id || secret) {
    if (!id || id->empty()) throw ConfigError(config_error("access_key_id", "required with access_key_secret"));
    if (!secret || secret->empty()) throw ConfigError(config_error("access_key_secret", "required with access_key_id"));
    return {*id, *secret, token ? *token : ""};
  }
  if (token) throw ConfigError(config_error("security_token", "needs access_key_id and access_key_secret"));
  for (const char* prefix : {"OSS_", "ALIBABA_CLOUD_"}) {
    std::string p = prefix;
    objstore::Credentials creds{env((p + "ACCESS_KEY_ID").c_str()), env((p + "ACCESS_KEY_SECRET").c_str()),
                                env((p == "OSS_" ? "OSS_SESSION_TOKEN" : "ALIBABA_CLOUD_SECURITY_TOKEN"))};
    if (!creds.access_key_id.empty() && !creds.secret.empty()) return creds;
  }
  throw ConfigError(config_error("access_key_id",
                                 "no credentials: give access_key_id and access_key_secret, or set "
                                 "OSS_ACCESS_KEY_ID and OSS_ACCESS_KEY_SECRET"));
}

hlsfs_backend* oss_open(const char* const* config, char* err, size_t errlen) {
  return objstore::open_store(config, err, errlen, [](objstore::ConfigMap& c) {
    const objstore::Dialect oss{
        "oss", "cn-hangzhou", [](const std::string& region) { return "https://oss-" + region + ".aliyuncs.com"; },
        100 << 10};
    objstore::StoreConfig sc = objstore::read_store_config(c, oss);
    if (sc.region.rfind("oss-", 0) == 0) sc.region.erase(0, 4);
    std::string version = objstore::to_lower(c.take_or("signature_version", "v4"));
    if (version != "v4" && version != "v1")
      throw ConfigError(config_error("signature_version", "\"" + version + "\": v4 or v1"));
    objstore::Credentials creds = oss_credentials(c);
    c.finish(std::string(objstore::kStoreConfigKeys) +
             ", signature_version, access_key_id, access_key_secret, security_token");
    auto signer = std::make_unique<hlsfs_oss::OssSigner>(
        creds, sc.region, version == "v1" ? hlsfs_oss::OssSignature::V1 : hlsfs_oss::OssSignature::V4);
    return std::make_unique<objstore::Store>(std::move(sc), std::move(signer));
  });
}

const hlsfs_backend_ops kOps = objstore::plugin_ops("oss", oss_open);

}  // namespace

extern "C" HLSFS_EXPORT const hlsfs_backend_ops* hlsfs_backend_entry(void) { return &kOps; }
