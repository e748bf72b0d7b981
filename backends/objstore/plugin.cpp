#include "backends/objstore/plugin.h"

#include <cerrno>
#include <cstdio>
#include <cstring>
#include <new>
#include <string>

namespace objstore {

namespace {

int fail(char* err, size_t errlen, int code, const std::string& line) {
  if (err && errlen > 0) snprintf(err, errlen, "%s", line.c_str());
  return -code;
}

// rc, with the message of a failure copied out.
template <class T>
T done(T rc, const std::string& message, char* err, size_t errlen) {
  if (rc < 0 && err && errlen > 0) snprintf(err, errlen, "%s", message.c_str());
  return rc;
}

// No C++ exception may cross the C ABI.
int exception_code(std::string* why) {
  try {
    throw;
  } catch (const std::bad_alloc&) {
    *why = "out of memory";
    return -ENOMEM;
  } catch (const std::exception& e) {
    *why = e.what();
    return -EIO;
  } catch (...) {
    *why = "unknown error";
    return -EIO;
  }
}

void close_store(hlsfs_backend* b) { delete b; }

int stat_key(hlsfs_backend* b, const char* key, hlsfs_backend_stat* out, char* err, size_t errlen) try {
  if (!key || !out) return fail(err, errlen, EINVAL, "stat: no key or no result");
  std::string message;
  return done(b->store->stat(key, out, &message), message, err, errlen);
} catch (...) {
  std::string why;
  int rc = exception_code(&why);
  return fail(err, errlen, -rc, std::string(key) + ": stat: " + why);
}

int64_t read_key(hlsfs_backend* b, const char* key, int64_t offset, void* buf, int64_t len, char* err,
                 size_t errlen) try {
  if (!key) return fail(err, errlen, EINVAL, "read: no key");
  std::string message;
  return done(b->store->read(key, offset, buf, len, &message), message, err, errlen);
} catch (...) {
  std::string why;
  int rc = exception_code(&why);
  return fail(err, errlen, -rc, std::string(key) + ": read: " + why);
}

int write_tagged_key(hlsfs_backend* b, const char* key, const void* data, int64_t len, const char* tagging, char* err,
                     size_t errlen) try {
  if (!key) return fail(err, errlen, EINVAL, "write: no key");
  if (len < 0 || (len > 0 && !data)) return fail(err, errlen, EINVAL, std::string(key) + ": write: invalid data");
  std::string message;
  std::string_view bytes(static_cast<const char*>(data), static_cast<size_t>(len));
  return done(b->store->write(key, bytes, &message, tagging ? tagging : ""), message, err, errlen);
} catch (...) {
  std::string why;
  int rc = exception_code(&why);
  return fail(err, errlen, -rc, std::string(key) + ": write: " + why);
}

int write_key(hlsfs_backend* b, const char* key, const void* data, int64_t len, char* err, size_t errlen) try {
  return write_tagged_key(b, key, data, len, nullptr, err, errlen);
} catch (...) {
  std::string why;
  int rc = exception_code(&why);
  return fail(err, errlen, -rc, std::string(key) + ": write: " + why);
}

int remove_key(hlsfs_backend* b, const char* key, char* err, size_t errlen) try {
  if (!key) return fail(err, errlen, EINVAL, "remove: no key");
  std::string message;
  return done(b->store->remove(key, &message), message, err, errlen);
} catch (...) {
  std::string why;
  int rc = exception_code(&why);
  return fail(err, errlen, -rc, std::string(key) + ": remove: " + why);
}

int list_keys(hlsfs_backend* b, const char* prefix, hlsfs_backend_list_cb cb, void* ctx, char* err,
              size_t errlen) try {
  std::string p = prefix ? prefix : "";
  if (!cb) return fail(err, errlen, EINVAL, "list \"" + p + "\": no callback");
  std::string message;
  auto each = [&](const std::string& key, const hlsfs_backend_stat& st) { return cb(ctx, key.c_str(), &st) == 0; };
  return done(b->store->list(p, each, &message), message, err, errlen);
} catch (...) {
  std::string why;
  int rc = exception_code(&why);
  return fail(err, errlen, -rc, "list: " + why);
}

int list_dir_keys(hlsfs_backend* b, const char* prefix, const char* after, int max, hlsfs_backend_list_cb cb,
                  void* ctx, char* err, size_t errlen) try {
  std::string p = prefix ? prefix : "";
  if (!cb) return fail(err, errlen, EINVAL, "list \"" + p + "\": no callback");
  std::string message;
  auto each = [&](const std::string& key, const hlsfs_backend_stat& st) { return cb(ctx, key.c_str(), &st) == 0; };
  return done(b->store->list_dir(p, after ? after : "", max, each, &message), message, err, errlen);
} catch (...) {
  std::string why;
  int rc = exception_code(&why);
  return fail(err, errlen, -rc, "list: " + why);
}

int no_open_read(hlsfs_backend* b, const char* key, char* err, size_t errlen) {
  return fail(err, errlen, ENOTSUP,
              std::string(key ? key : "") + ": an object store has no file to open (" + b->store->config().scheme + ")");
}

}  // namespace

hlsfs_backend_ops plugin_ops(const char* name, OpenFn open) {
  return hlsfs_backend_ops{HLSFS_BACKEND_ABI_VERSION, name, open, close_store, stat_key, read_key,
                           write_key, remove_key, list_keys, no_open_read, write_tagged_key,
                           nullptr, nullptr,  // write_unsynced, sync: every write is durable when it returns
                           list_dir_keys};
}

hlsfs_backend* open_store(const char* const* config, char* err, size_t errlen,
                          const std::function<std::unique_ptr<Store>(ConfigMap&)>& make) try {
  ConfigMap c(config);
  auto b = std::make_unique<hlsfs_backend>();
  b->store = make(c);
  return b.release();
} catch (...) {
  std::string why;
  exception_code(&why);
  fail(err, errlen, EINVAL, why);
  return nullptr;
}

}  // namespace objstore
