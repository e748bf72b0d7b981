// One bucket (and key prefix) of an S3-compatible object store, with the
// operations of the plugin ABI (include/hlsfs/backend.h) over HEAD, ranged
// GET, PUT (multipart above a size), DELETE and ListObjectsV2. What S3 and
// OSS differ in is the signer, a few defaults and a name; the rest is here.
//
// Thread-safe: the daemon calls one store from many threads. Every request
// is signed afresh per attempt, retried with backoff on transient failures
// (see retry.h), and bounded in time (see http.h). Every failure comes back
// as -errno plus one line naming the object (s3://bucket/key), the HTTP
// status and the server's error code and message.
#pragma once
#include <cstdint>
#include <ctime>
#include <functional>
#include <memory>
#include <string>
#include <string_view>

#include "backends/objstore/config.h"
#include "backends/objstore/http.h"
#include "backends/objstore/replies.h"
#include "backends/objstore/request.h"
#include "backends/objstore/retry.h"
#include "hlsfs/backend.h"

namespace objstore {

// What distinguishes one service's stores from another's, signing aside.
struct Dialect {
  std::string scheme;          // "s3" | "oss": how messages name objects (s3://bucket/key)
  std::string default_region;  // us-east-1 | cn-hangzhou
  std::function<std::string(const std::string& region)> default_endpoint;
  int64_t min_part_size;  // smallest part but the last of a multipart upload
};

struct StoreConfig {
  std::string scheme = "s3";
  Endpoint endpoint;
  bool path_style = false;  // https://host/bucket/key rather than https://bucket.host/key
  std::string bucket;
  std::string prefix;  // "" or ending in '/': prepended to every key
  std::string region;
  HttpOptions http;
  RetryPolicy retry;
  int64_t multipart_threshold = 16 << 20;  // a larger write goes in parts
  int64_t part_size = 8 << 20;
  int list_page_size = 1000;  // keys per ListObjectsV2 request (1000 is the servers' maximum)
};

// Reads the keys every object store takes (bucket, prefix, endpoint,
// region, path_style, verify_tls, ca_file, connect_timeout,
// request_timeout, stall_timeout, retries, retry_time_limit, multipart_threshold,
// part_size, list_page_size) from c. Throws ConfigError.
StoreConfig read_store_config(ConfigMap& c, const Dialect& d);
extern const char* const kStoreConfigKeys;  // their names, for "known keys" messages

class Store {
 public:
  Store(StoreConfig config, std::unique_ptr<Signer> signer);

  // Each returns 0 (read: bytes read) or -errno with *err set.
  int stat(const std::string& key, hlsfs_backend_stat* out, std::string* err);
  int64_t read(const std::string& key, int64_t offset, void* buf, int64_t len, std::string* err);
  // tagging: the object's tags ("k=v&k2=v2", URL-encoded; "" none), sent as
  // x-amz-tagging / x-oss-tagging (the dialect's scheme).
  int write(const std::string& key, std::string_view data, std::string* err, const std::string& tagging = "");
  int remove(const std::string& key, std::string* err);
  // Recursive, keys relative to the store; cb returns false to stop.
  int list(const std::string& prefix, const std::function<bool(const std::string&, const hlsfs_backend_stat&)>& cb,
           std::string* err);

  // One level under prefix ("" or "dir/"), a page after `after` (see
  // list_dir in include/hlsfs/backend.h): ListObjectsV2 with delimiter "/"
  // and start-after. Returns 1 (more may follow), 0 (the end) or -errno.
  int list_dir(const std::string& prefix, const std::string& after, int max,
               const std::function<bool(const std::string&, const hlsfs_backend_stat&)>& cb, std::string* err);

  const StoreConfig& config() const { return config_; }
  // s3://bucket/prefix/key: how messages name an object.
  std::string name(const std::string& full_key) const;

 private:
  struct Outcome {
    HttpResult http;
    ErrorReply error;  // parsed from the reply, when it carried one
    int attempts = 0;
    double seconds = 0;
    bool ok() const;
  };

  Request request(const std::string& method, const std::string& full_key, Params query = {}) const;
  std::string url(const Request& r) const;
  // Signs and sends r, again while the failure is transient and the retry
  // policy allows. With error_in_200, a 2xx whose body is an <Error> (as
  // CompleteMultipartUpload may answer) is a failure too.
  Outcome send(Request r, RangeSink* sink = nullptr, bool error_in_200 = false);
  // HEAD answers carry no body: on a refusal, ask for one byte to learn why.
  void explain(const std::string& full_key, Outcome* o);
  // -errno for a failed outcome, with *err = "<name>: <what>: <why>".
  int failure(const Outcome& o, const std::string& full_key, const std::string& what, std::string* err) const;

  int write_multipart(const std::string& full_key, std::string_view data, std::string* err, const std::string& tagging);
  void set_tagging(Request& r, const std::string& tagging) const;
  // delimiter and start_after: "" for none.
  int list_page(const std::string& full_prefix, const std::string& token, int max_keys, ListPage* page,
                std::string* err, const std::string& delimiter = "", const std::string& start_after = "");

  StoreConfig config_;
  std::unique_ptr<Signer> signer_;
  HttpClient http_;
};

}  // namespace objstore
