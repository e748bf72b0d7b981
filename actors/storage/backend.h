// One opened store (local directory, S3 bucket, OSS bucket) behind the C
// plugin ABI of include/hlsfs/backend.h: loads the plugin, opens the store,
// and turns the plugin's -errno + message into exceptions that name the store.
#pragma once
#include <array>
#include <cstdint>
#include <functional>
#include <map>
#include <memory>
#include <optional>
#include <stdexcept>
#include <string>
#include <vector>

#include "hlsfs/backend.h"
#include "metrics/metrics.h"

namespace hlsfs {

// what() is one line: `store "media": movies/a.mp4: No such file or directory`.
struct BackendError : std::runtime_error {
  int code;  // -errno (-ENOENT, -EACCES, -EIO, ...)
  BackendError(int code, const std::string& msg) : std::runtime_error(msg), code(code) {}
};

struct ObjectStat {
  int64_t size = 0;
  int64_t mtime_ns = 0;  // 0 when unknown
  std::string etag;      // "" for local files
  bool is_dir = false;
  uint64_t ino = 0;      // local files: inode number (0: unknown, object stores)
  int64_t ctime_ns = 0;  // local files: status change time (0: unknown)
};

// One store's requests to its plugin, by operation: their latency
// (hlsfs_backend_request_seconds) and failures (hlsfs_backend_errors_total),
// labels store and op. Handles made once (backend_metrics()); null handles
// record nothing (hlsfsctl, tests).
struct BackendMetrics {
  enum Op { stat, read, write, remove, list, open, kOps };
  static const char* name(Op op);
  std::array<Histogram*, kOps> seconds{};
  std::array<Counter*, kOps> errors{};
};
BackendMetrics backend_metrics(MetricsRegistry& registry, const std::string& store);

class Backend {  // thread-safe: every call goes straight to the (thread-safe) plugin
 public:
  // dlopen()s libhlsfs-backend-<plugin>.so from the first of plugin_dirs that
  // has it, checks the ABI version and opens the store with `config` (the
  // store's YAML mapping as strings). BackendError names the store and the
  // plugin file(s) tried.
  static std::shared_ptr<Backend> load(const std::vector<std::string>& plugin_dirs, const std::string& plugin,
                                       const std::string& store_name,
                                       const std::map<std::string, std::string>& config);
  // <exe dir>/../lib, <exe dir>/../lib/hlsfs/backends, /usr/lib/hlsfs/backends,
  // /usr/local/lib/hlsfs/backends.
  static std::vector<std::string> default_plugin_dirs();

  ~Backend();
  Backend(const Backend&) = delete;
  Backend& operator=(const Backend&) = delete;

  const std::string& store() const { return store_; }
  const std::string& plugin() const { return plugin_; }
  const std::string& plugin_path() const { return path_; }
  // Records every plugin call from now on; call before the backend is shared
  // between threads.
  void set_metrics(const BackendMetrics& m) { metrics_ = m; }

  std::optional<ObjectStat> stat(const std::string& key);  // nullopt when the key does not exist
  // Reads len bytes at offset into buf; fewer only at the end of the object.
  int64_t read_into(const std::string& key, int64_t offset, void* buf, int64_t len);
  std::string read(const std::string& key, int64_t offset, int64_t len);
  std::string read_all(const std::string& key);  // one version of the object, even while it is replaced
  // The whole object in one plugin read (one GET, no HEAD) when it is at
  // most first_bytes long; a longer one takes more ranged reads (so possibly
  // parts of two versions: for objects written once, or with identical bytes).
  // nullopt when the key does not exist.
  std::optional<std::string> get(const std::string& key, int64_t first_bytes);
  void write(const std::string& key, const std::string& bytes);  // atomic: old or new, never a part
  // As write(), the object tagged with `tagging` ("k=v&k2=v2", URL-encoded:
  // object_tagging() in object_tags.h) where the store keeps object tags
  // (s3, oss); a store without them (local) writes the bytes alone.
  void write(const std::string& key, const std::string& bytes, const std::string& tagging);
  // As write() (no tags), durable only after the next sync() where the
  // store can wait (local: one flush of the batch's files); elsewhere write() itself.
  void write_unsynced(const std::string& key, const std::string& bytes);
  // Makes the write_unsynced() before it durable; nothing for stores whose
  // writes are durable at once. defers_sync(): this store has both.
  void sync();
  bool defers_sync() const { return ops_->write_unsynced && ops_->sync; }
  void remove(const std::string& key);                           // a missing key is not an error
  // Recursive, keys relative to the store; cb returns false to stop. An
  // exception from cb stops the listing and propagates.
  void list(const std::string& prefix, const std::function<bool(const std::string&, const ObjectStat&)>& cb);
  // One level of a directory in pages (list_dir in hlsfs/backend.h):
  // prefix "" or "dir/", entries ordered after `after` (a subdirectory's
  // place is "name/"), at most max; cb gets prefix + name. True when more
  // may follow the last one reported. An exception from cb propagates.
  bool list_dir(const std::string& prefix, const std::string& after, int max,
                const std::function<void(const std::string& key, const ObjectStat&)>& cb);
  // A local store's key opened for reading, checked by the plugin (inside
  // the root, a regular file): a descriptor the caller owns and closes.
  // nullopt for object stores (read them with read_into()).
  std::optional<int> open_read(const std::string& key);

 private:
  void append_rest(const std::string& key, std::string& out);
  Backend() = default;
  [[noreturn]] void fail(int code, const char* err, const std::string& key) const;
  // key as the plugin's C string; a key holding a NUL (which the C string
  // would cut, naming another object) is refused.
  const char* c_key(const std::string& key) const;
  int64_t read_once(const std::string& key, int64_t offset, void* buf, int64_t len);  // one plugin call

  std::string store_, plugin_, path_;
  void* dl_ = nullptr;
  const hlsfs_backend_ops* ops_ = nullptr;
  hlsfs_backend* b_ = nullptr;
  BackendMetrics metrics_;
};

}  // namespace hlsfs
