#include "actors/storage/backend.h"

#include <dlfcn.h>
#include <limits.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <chrono>
#include <cstring>
#include <exception>

namespace hlsfs {

namespace {

constexpr size_t kErrLen = 512;

std::string quoted(const std::string& s) { return "\"" + s + "\""; }

ObjectStat to_object_stat(const hlsfs_backend_stat& st) {
  ObjectStat o;
  o.size = st.size;
  o.mtime_ns = st.mtime_ns;
  o.etag = std::string(st.etag, strnlen(st.etag, sizeof st.etag));
  o.is_dir = st.is_dir != 0;
  o.ino = st.ino;
  o.ctime_ns = st.ctime_ns;
  return o;
}

// One plugin call, timed into its operation's histogram; failed() counts it
// as an error, skip() leaves it out (not a request: open_read on an object store).
class Measured {
 public:
  Measured(const BackendMetrics& m, BackendMetrics::Op op)
      : seconds_(m.seconds[op]), errors_(m.errors[op]), start_(std::chrono::steady_clock::now()) {}
  ~Measured() {
    if (seconds_) seconds_->observe(std::chrono::duration<double>(std::chrono::steady_clock::now() - start_).count());
  }
  Measured(const Measured&) = delete;
  Measured& operator=(const Measured&) = delete;
  void failed() {
    if (errors_) errors_->inc();
  }
  void skip() { seconds_ = nullptr; }

 private:
  Histogram* seconds_;
  Counter* errors_;
  std::chrono::steady_clock::time_point start_;
};

// Store requests: a local file's stat takes microseconds, an object store's
// request tens of milliseconds to seconds.
const std::vector<double> kRequestBuckets{0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1,
                                          0.25,   0.5,   1,      2.5,   5,    10,    30};

// Plugin names become file names: keep them to one plain word.
bool plain_name(const std::string& s) {
  if (s.empty() || s.size() > 64) return false;
  for (char c : s)
    if (!(isalnum(static_cast<unsigned char>(c)) || c == '-' || c == '_')) return false;
  return true;
}

}  // namespace

const char* BackendMetrics::name(Op op) {
  switch (op) {
    case stat: return "stat";
    case read: return "read";
    case write: return "write";
    case remove: return "remove";
    case list: return "list";
    case open: return "open";
    case kOps: break;
  }
  return "?";
}

BackendMetrics backend_metrics(MetricsRegistry& registry, const std::string& store) {
  BackendMetrics m;
  for (int i = 0; i < BackendMetrics::kOps; ++i) {
    const MetricLabels labels{{"store", store}, {"op", BackendMetrics::name(static_cast<BackendMetrics::Op>(i))}};
    m.seconds[i] = &registry.histogram("hlsfs_backend_request_seconds",
                                       "Time of one request to a store's plugin (a ranged read, a stat, a write...), by store and operation",
                                       kRequestBuckets, labels);
    m.errors[i] = &registry.counter("hlsfs_backend_errors_total",
                                    "Requests to a store that failed (the log names the key and why), by store and operation",
                                    labels);
  }
  return m;
}

std::vector<std::string> Backend::default_plugin_dirs() {
  std::vector<std::string> dirs;
  char exe[PATH_MAX];
  ssize_t n = readlink("/proc/self/exe", exe, sizeof exe - 1);
  if (n > 0) {
    std::string path(exe, static_cast<size_t>(n));
    std::string dir = path.substr(0, path.rfind('/'));
    dirs.push_back(dir + "/../lib");
    dirs.push_back(dir + "/../lib/hlsfs/backends");
  }
  dirs.push_back("/usr/lib/hlsfs/backends");
  dirs.push_back("/usr/local/lib/hlsfs/backends");
  return dirs;
}

std::shared_ptr<Backend> Backend::load(const std::vector<std::string>& plugin_dirs, const std::string& plugin,
                                       const std::string& store_name,
                                       const std::map<std::string, std::string>& config) {
  const std::string who = "store " + quoted(store_name);
  if (!plain_name(plugin)) throw BackendError(-EINVAL, who + ": invalid plugin name " + quoted(plugin));
  const std::string file = "libhlsfs-backend-" + plugin + ".so";

  std::shared_ptr<Backend> b(new Backend());
  b->store_ = store_name;
  b->plugin_ = plugin;
  std::string tried;
  for (const std::string& dir : plugin_dirs) {
    std::string path = dir + "/" + file;
    struct stat st {};
    if (::stat(path.c_str(), &st) == 0 && S_ISREG(st.st_mode)) {
      b->path_ = path;
      break;
    }
    tried += (tried.empty() ? "" : ", ") + path;
  }
  if (b->path_.empty())
    throw BackendError(-ENOENT, who + ": plugin " + quoted(plugin) + " not found (tried " +
                                    (tried.empty() ? std::string("no directories") : tried) + ")");

  // RTLD_LOCAL: two plugins may use the same internal names.
  b->dl_ = dlopen(b->path_.c_str(), RTLD_NOW | RTLD_LOCAL);
  if (!b->dl_) {
    const char* why = dlerror();
    throw BackendError(-ENOEXEC, who + ": cannot load " + b->path_ + ": " + (why ? why : "unknown dlopen error"));
  }
  auto entry = reinterpret_cast<hlsfs_backend_entry_fn>(dlsym(b->dl_, HLSFS_BACKEND_ENTRY_SYMBOL));
  if (!entry) throw BackendError(-ENOEXEC, who + ": " + b->path_ + " does not export " HLSFS_BACKEND_ENTRY_SYMBOL);
  const hlsfs_backend_ops* ops = entry();
  if (!ops) throw BackendError(-ENOEXEC, who + ": " + b->path_ + ": " HLSFS_BACKEND_ENTRY_SYMBOL "() returned NULL");
  if (ops->abi_version != HLSFS_BACKEND_ABI_VERSION)
    throw BackendError(-ENOEXEC, who + ": " + b->path_ + " has backend ABI version " +
                                     std::to_string(ops->abi_version) + ", this build needs " +
                                     std::to_string(HLSFS_BACKEND_ABI_VERSION));
  if (!ops->open || !ops->close || !ops->stat || !ops->read || !ops->write || !ops->remove || !ops->list ||
      !ops->open_read || !ops->list_dir)
    throw BackendError(-ENOEXEC, who + ": " + b->path_ + ": incomplete operations table");
  b->ops_ = ops;

  std::vector<const char*> kv;
  for (const auto& [k, v] : config) {
    kv.push_back(k.c_str());
    kv.push_back(v.c_str());
  }
  kv.push_back(nullptr);
  char err[kErrLen] = {0};
  b->b_ = ops->open(kv.data(), err, sizeof err);
  if (!b->b_)
    throw BackendError(-EINVAL, who + " (" + plugin + "): " + (err[0] ? err : "cannot open the store"));
  return b;
}

Backend::~Backend() {
  if (b_) ops_->close(b_);
  // Unloading runs the plugin's destructors; a store is opened for the
  // daemon's lifetime, so this happens at exit or in tests.
  if (dl_) dlclose(dl_);
}

const char* Backend::c_key(const std::string& key) const {
  if (key.find('\0') != std::string::npos)
    throw BackendError(-EINVAL, "store " + quoted(store_) + ": a key with a NUL character is refused");
  return key.c_str();
}

void Backend::fail(int code, const char* err, const std::string& key) const {
  std::string why = err && err[0] ? std::string(err) : key + ": " + strerror(code < 0 ? -code : EIO);
  throw BackendError(code < 0 ? code : -EIO, "store " + quoted(store_) + ": " + why);
}

std::optional<ObjectStat> Backend::stat(const std::string& key) {
  hlsfs_backend_stat st {};
  char err[kErrLen] = {0};
  const char* k = c_key(key);
  Measured m(metrics_, BackendMetrics::stat);
  int rc = ops_->stat(b_, k, &st, err, sizeof err);
  if (rc == -ENOENT) return std::nullopt;
  if (rc < 0) {
    m.failed();
    fail(rc, err, key);
  }
  return to_object_stat(st);
}

int64_t Backend::read_once(const std::string& key, int64_t offset, void* buf, int64_t len) {
  char err[kErrLen] = {0};
  const char* k = c_key(key);
  Measured m(metrics_, BackendMetrics::read);
  int64_t n = ops_->read(b_, k, offset, buf, len, err, sizeof err);
  if (n < 0) {
    m.failed();
    fail(static_cast<int>(n), err, key);
  }
  return n;
}

int64_t Backend::read_into(const std::string& key, int64_t offset, void* buf, int64_t len) {
  // Plugins may return short reads (one HTTP response, one pread); callers
  // get len bytes unless the object ends first.
  int64_t done = 0;
  while (done < len) {
    int64_t n = read_once(key, offset + done, static_cast<char*>(buf) + done, len - done);
    if (n == 0) break;
    done += n;
  }
  return done;
}

std::string Backend::read(const std::string& key, int64_t offset, int64_t len) {
  if (len < 0) throw BackendError(-EINVAL, "store " + quoted(store_) + ": " + key + ": negative read length");
  std::string out(static_cast<size_t>(len), '\0');
  out.resize(static_cast<size_t>(read_into(key, offset, out.data(), len)));
  return out;
}

// Ranged reads from the end of `out` to the object's end, appended to it.
void Backend::append_rest(const std::string& key, std::string& out) {
  char buf[64 * 1024];
  while (int64_t n = read_into(key, static_cast<int64_t>(out.size()), buf, sizeof buf)) {
    out.append(buf, static_cast<size_t>(n));
    if (n < static_cast<int64_t>(sizeof buf)) break;
  }
}

std::string Backend::read_all(const std::string& key) {
  // One plugin read covers the whole object, so it is one version of it even
  // while a writer replaces it (separate ranged reads could mix two). Asking
  // one byte more than stat said shows whether the object changed meanwhile;
  // then look again.
  std::string out;
  for (int attempt = 0; attempt < 5; ++attempt) {
    std::optional<ObjectStat> st = stat(key);
    if (!st) fail(-ENOENT, nullptr, key);
    if (st->is_dir) fail(-EISDIR, nullptr, key);
    out.resize(static_cast<size_t>(st->size) + 1);
    int64_t n = read_once(key, 0, out.data(), st->size + 1);
    out.resize(static_cast<size_t>(n));
    if (n == st->size) return out;
  }
  // Still changing: take what ranged reads give.
  out.clear();
  append_rest(key, out);
  return out;
}

std::optional<std::string> Backend::get(const std::string& key, int64_t first_bytes) {
  if (first_bytes <= 0) throw BackendError(-EINVAL, "store " + quoted(store_) + ": " + key + ": no length to read");
  // Not zero-filled: pages the object does not reach are never touched.
  std::unique_ptr<char[]> buf(new char[static_cast<size_t>(first_bytes)]);
  int64_t n = 0;
  {
    char err[kErrLen] = {0};
    const char* k = c_key(key);
    Measured m(metrics_, BackendMetrics::read);
    n = ops_->read(b_, k, 0, buf.get(), first_bytes, err, sizeof err);
    if (n == -ENOENT) return std::nullopt;  // an answer, not a failure (as stat's)
    if (n < 0) {
      m.failed();
      fail(static_cast<int>(n), err, key);
    }
  }
  std::string out(buf.get(), static_cast<size_t>(n));
  if (n < first_bytes) return out;
  buf.reset();
  append_rest(key, out);
  return out;
}

void Backend::write(const std::string& key, const std::string& bytes) { write(key, bytes, std::string{}); }

void Backend::write(const std::string& key, const std::string& bytes, const std::string& tagging) {
  char err[kErrLen] = {0};
  const char* k = c_key(key);
  if (tagging.find('\0') != std::string::npos)
    throw BackendError(-EINVAL, "store " + quoted(store_) + ": object tags with a NUL character are refused");
  Measured m(metrics_, BackendMetrics::write);
  const auto len = static_cast<int64_t>(bytes.size());
  int rc = !tagging.empty() && ops_->write_tagged
               ? ops_->write_tagged(b_, k, bytes.data(), len, tagging.c_str(), err, sizeof err)
               : ops_->write(b_, k, bytes.data(), len, err, sizeof err);
  if (rc < 0) {
    m.failed();
    fail(rc, err, key);
  }
}

void Backend::write_unsynced(const std::string& key, const std::string& bytes) {
  if (!defers_sync()) return write(key, bytes);
  char err[kErrLen] = {0};
  const char* k = c_key(key);
  Measured m(metrics_, BackendMetrics::write);
  int rc = ops_->write_unsynced(b_, k, bytes.data(), static_cast<int64_t>(bytes.size()), err, sizeof err);
  if (rc < 0) {
    m.failed();
    fail(rc, err, key);
  }
}

void Backend::sync() {
  if (!defers_sync()) return;
  char err[kErrLen] = {0};
  Measured m(metrics_, BackendMetrics::write);
  int rc = ops_->sync(b_, err, sizeof err);
  if (rc < 0) {
    m.failed();
    fail(rc, err, "(flush)");
  }
}

void Backend::remove(const std::string& key) {
  char err[kErrLen] = {0};
  const char* k = c_key(key);
  Measured m(metrics_, BackendMetrics::remove);
  int rc = ops_->remove(b_, k, err, sizeof err);
  if (rc < 0 && rc != -ENOENT) {
    m.failed();
    fail(rc, err, key);
  }
}

namespace {
struct ListCtx {
  const std::function<bool(const std::string&, const ObjectStat&)>* cb;
  std::exception_ptr error;  // exceptions must not unwind through the plugin's C frames
};
int list_trampoline(void* ctx, const char* key, const hlsfs_backend_stat* st) {
  auto* c = static_cast<ListCtx*>(ctx);
  try {
    return (*c->cb)(key, to_object_stat(*st)) ? 0 : 1;
  } catch (...) {
    c->error = std::current_exception();
    return 1;
  }
}
}  // namespace

void Backend::list(const std::string& prefix, const std::function<bool(const std::string&, const ObjectStat&)>& cb) {
  ListCtx ctx{&cb, nullptr};
  char err[kErrLen] = {0};
  const char* k = c_key(prefix);
  Measured m(metrics_, BackendMetrics::list);  // the whole listing, the callbacks' time included
  int rc = ops_->list(b_, k, list_trampoline, &ctx, err, sizeof err);
  if (ctx.error) std::rethrow_exception(ctx.error);
  if (rc < 0) {
    m.failed();
    fail(rc, err, prefix.empty() ? "(all keys)" : prefix);
  }
}

bool Backend::list_dir(const std::string& prefix, const std::string& after, int max,
                       const std::function<void(const std::string&, const ObjectStat&)>& cb) {
  std::function<bool(const std::string&, const ObjectStat&)> each = [&](const std::string& k, const ObjectStat& st) {
    cb(k, st);
    return true;
  };
  ListCtx ctx{&each, nullptr};
  char err[kErrLen] = {0};
  const char* p = c_key(prefix);
  const char* a = c_key(after);
  Measured m(metrics_, BackendMetrics::list);
  int rc = ops_->list_dir(b_, p, a, max, list_trampoline, &ctx, err, sizeof err);
  if (ctx.error) std::rethrow_exception(ctx.error);
  if (rc < 0) {
    m.failed();
    fail(rc, err, prefix.empty() ? "(root)" : prefix);
  }
  return rc > 0;
}

std::optional<int> Backend::open_read(const std::string& key) {
  char err[kErrLen] = {0};
  const char* k = c_key(key);
  Measured m(metrics_, BackendMetrics::open);
  int rc = ops_->open_read(b_, k, err, sizeof err);
  if (rc == -ENOTSUP) {  // an object store: nothing on disk, and no request made
    m.skip();
    return std::nullopt;
  }
  if (rc < 0) {
    m.failed();
    fail(rc, err, key);
  }
  return rc;
}

}  // namespace hlsfs
