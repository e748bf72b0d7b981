#include "actors/storage/backend.h"

#include <dlfcn.h>
#include <limits.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
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
  return o;
}

// Plugin names become file names: keep them to one plain word.
bool plain_name(const std::string& s) {
  if (s.empty() || s.size() > 64) return false;
  for (char c : s)
    if (!(isalnum(static_cast<unsigned char>(c)) || c == '-' || c == '_')) return false;
  return true;
}

}  // namespace

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
      !ops->open_read)
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
  int rc = ops_->stat(b_, c_key(key), &st, err, sizeof err);
  if (rc == -ENOENT) return std::nullopt;
  if (rc < 0) fail(rc, err, key);
  return to_object_stat(st);
}

int64_t Backend::read_once(const std::string& key, int64_t offset, void* buf, int64_t len) {
  char err[kErrLen] = {0};
  int64_t n = ops_->read(b_, c_key(key), offset, buf, len, err, sizeof err);
  if (n < 0) fail(static_cast<int>(n), err, key);
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
  char buf[64 * 1024];
  while (int64_t n = read_into(key, static_cast<int64_t>(out.size()), buf, sizeof buf)) {
    out.append(buf, static_cast<size_t>(n));
    if (n < static_cast<int64_t>(sizeof buf)) break;
  }
  return out;
}

void Backend::write(const std::string& key, const std::string& bytes) {
  char err[kErrLen] = {0};
  int rc = ops_->write(b_, c_key(key), bytes.data(), static_cast<int64_t>(bytes.size()), err, sizeof err);
  if (rc < 0) fail(rc, err, key);
}

void Backend::remove(const std::string& key) {
  char err[kErrLen] = {0};
  int rc = ops_->remove(b_, c_key(key), err, sizeof err);
  if (rc < 0 && rc != -ENOENT) fail(rc, err, key);
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
  int rc = ops_->list(b_, c_key(prefix), list_trampoline, &ctx, err, sizeof err);
  if (ctx.error) std::rethrow_exception(ctx.error);
  if (rc < 0) fail(rc, err, prefix.empty() ? "(all keys)" : prefix);
}

std::optional<int> Backend::open_read(const std::string& key) {
  char err[kErrLen] = {0};
  int rc = ops_->open_read(b_, c_key(key), err, sizeof err);
  if (rc == -ENOTSUP) return std::nullopt;  // an object store: nothing on disk
  if (rc < 0) fail(rc, err, key);
  return rc;
}

}  // namespace hlsfs
