// The "local" backend plugin: a directory tree (config key `root`) as an
// object store. Keys never reach outside the root (see beneath.h); writes are
// atomic (temp file in the same directory, fsync, rename).
#include <dirent.h>
#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <atomic>
#include <cerrno>
#include <cstdio>
#include <cstring>
#include <memory>
#include <new>
#include <set>
#include <string>
#include <vector>

#include "beneath.h"
#include "page_select.h"
#include "unsynced_keys.h"
#include "hlsfs/backend.h"
#include "keys.h"

#define HLSFS_EXPORT __attribute__((visibility("default")))

using hlsfs_local::Beneath;
using hlsfs_local::key_problem;
using hlsfs_local::split_key;

struct hlsfs_backend {
  Beneath fs;
  std::atomic<unsigned> temp_counter{0};
  // Keys written unsynced, per thread: local_sync flushes the caller's.
  hlsfs_local::UnsyncedKeys unsynced;
};

namespace {

// Fills err with one line and returns -code (code is a positive errno).
int fail(char* err, size_t errlen, int code, const std::string& line) {
  if (err && errlen > 0) snprintf(err, errlen, "%s", line.c_str());
  return -code;
}

// "<key>: <what>: <strerror>" (or "<key>: <strerror>" without what). An
// escaping symlink reads as what it is, not as EXDEV's "cross-device link".
int fail_errno(char* err, size_t errlen, int neg, const std::string& key, const std::string& what = "") {
  int code = -neg;
  if (code == EXDEV) return fail(err, errlen, EACCES, key + ": refused: resolves outside the store root");
  if (code == ELOOP) return fail(err, errlen, ELOOP, key + ": refused: too many symlinks or a /proc magic link");
  return fail(err, errlen, code, key + ": " + (what.empty() ? "" : what + ": ") + strerror(code));
}

int check_key(const char* key, char* err, size_t errlen) {
  std::string why = key_problem(key);
  if (why.empty()) return 0;
  return fail(err, errlen, EINVAL, std::string(key ? key : "(null)") + ": invalid key: " + why);
}

struct Fd {
  int fd;
  explicit Fd(int f) : fd(f) {}
  ~Fd() {
    if (fd >= 0) close(fd);
  }
  Fd(const Fd&) = delete;
  Fd& operator=(const Fd&) = delete;
};

void fill_stat(const struct stat& st, hlsfs_backend_stat* out) {
  memset(out, 0, sizeof *out);
  out->is_dir = S_ISDIR(st.st_mode) ? 1 : 0;
  out->size = out->is_dir ? 0 : static_cast<int64_t>(st.st_size);
  out->mtime_ns = static_cast<int64_t>(st.st_mtim.tv_sec) * 1000000000LL + st.st_mtim.tv_nsec;
  // What changes when a file is replaced by one of the same size with its
  // mtime set back: the inode on a replace by rename, the ctime on any
  // write or utimens (source_version.h).
  out->ino = static_cast<uint64_t>(st.st_ino);
  out->ctime_ns = static_cast<int64_t>(st.st_ctim.tv_sec) * 1000000000LL + st.st_ctim.tv_nsec;
}

// ---- open / close ----

hlsfs_backend* local_open(const char* const* config, char* err, size_t errlen) try {
  std::string root;
  bool have_root = false;
  for (const char* const* kv = config; kv && kv[0]; kv += 2) {
    std::string k = kv[0], v = kv[1] ? kv[1] : "";
    if (k == "root") {
      root = v;
      have_root = true;
    } else if (k != "plugin") {  // "plugin" selects this backend in the store's YAML
      fail(err, errlen, EINVAL, "config key \"" + k + "\": unknown (the local backend takes only root)");
      return nullptr;
    }
  }
  if (!have_root || root.empty()) {
    fail(err, errlen, EINVAL, "config key \"root\": required (an absolute directory)");
    return nullptr;
  }
  auto b = std::make_unique<hlsfs_backend>();
  std::string why;
  if (b->fs.init(root, &why) < 0) {
    fail(err, errlen, EINVAL, "config key \"root\": \"" + root + "\": " + why);
    return nullptr;
  }
  return b.release();
} catch (...) {
  fail(err, errlen, ENOMEM, "local backend: out of memory");
  return nullptr;
}

void local_close(hlsfs_backend* b) { delete b; }

// ---- stat / read ----

int local_stat(hlsfs_backend* b, const char* key, hlsfs_backend_stat* out, char* err, size_t errlen) try {
  if (int e = check_key(key, err, errlen)) return e;
  Fd fd(b->fs.open(key, O_PATH));
  if (fd.fd < 0) return fail_errno(err, errlen, fd.fd, key);
  struct stat st {};
  if (fstat(fd.fd, &st) != 0) return fail_errno(err, errlen, -errno, key);
  fill_stat(st, out);
  return 0;
} catch (...) {
  return fail(err, errlen, ENOMEM, std::string(key) + ": out of memory");
}

int64_t local_read(hlsfs_backend* b, const char* key, int64_t offset, void* buf, int64_t len, char* err,
                   size_t errlen) try {
  if (int e = check_key(key, err, errlen)) return e;
  if (offset < 0 || len < 0 || (len > 0 && !buf))
    return fail(err, errlen, EINVAL, std::string(key) + ": invalid range (offset " + std::to_string(offset) +
                                         ", length " + std::to_string(len) + ")");
  // O_NONBLOCK: a FIFO planted in the store must not hang a reader.
  Fd fd(b->fs.open(key, O_RDONLY | O_NONBLOCK | O_NOCTTY));
  if (fd.fd < 0) return fail_errno(err, errlen, fd.fd, key);
  struct stat st {};
  if (fstat(fd.fd, &st) != 0) return fail_errno(err, errlen, -errno, key);
  if (S_ISDIR(st.st_mode)) return fail(err, errlen, EISDIR, std::string(key) + ": is a directory");
  if (!S_ISREG(st.st_mode)) return fail(err, errlen, EINVAL, std::string(key) + ": not a regular file");
  int64_t done = 0;
  while (done < len) {
    ssize_t n = pread(fd.fd, static_cast<char*>(buf) + done, static_cast<size_t>(len - done), offset + done);
    if (n < 0) {
      if (errno == EINTR) continue;
      return fail_errno(err, errlen, -errno, key, "cannot read");
    }
    if (n == 0) break;
    done += n;
  }
  return done;
} catch (...) {
  return fail(err, errlen, ENOMEM, std::string(key) + ": out of memory");
}

// ---- write / remove ----

// durable: fsync the file and its directory before returning. Otherwise
// local_sync() does it later for a whole batch (a generate writes four
// playlists or more: their writeback starts together, each directory is
// flushed once).
int write_file(hlsfs_backend* b, const char* key, const void* data, int64_t len, bool durable, char* err,
               size_t errlen) try {
  if (int e = check_key(key, err, errlen)) return e;
  if (len < 0 || (len > 0 && !data)) return fail(err, errlen, EINVAL, std::string(key) + ": invalid data");
  auto [dir, name] = split_key(key);
  Fd dirfd(b->fs.open_dir_creating(dir));
  if (dirfd.fd < 0) return fail_errno(err, errlen, dirfd.fd, key, "cannot create directory \"" + dir + "\"");

  std::string temp = std::string(hlsfs_local::kTempPrefix) + std::to_string(getpid()) + "-" +
                     std::to_string(b->temp_counter++);
  int fd = openat(dirfd.fd, temp.c_str(), O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0644);
  if (fd < 0) return fail_errno(err, errlen, -errno, key, "cannot create a temporary file");
  // From here on every failure removes the temp file: nothing half-written stays.
  auto abandon = [&](int neg, const std::string& what) {
    if (fd >= 0) close(fd);
    unlinkat(dirfd.fd, temp.c_str(), 0);
    return fail_errno(err, errlen, neg, key, what);
  };
  const char* p = static_cast<const char*>(data);
  int64_t done = 0;
  while (done < len) {
    ssize_t n = ::write(fd, p + done, static_cast<size_t>(std::min<int64_t>(len - done, 1 << 30)));
    if (n < 0) {
      if (errno == EINTR) continue;
      return abandon(-errno, "cannot write");  // ENOSPC, EDQUOT, EFBIG, EIO
    }
    done += n;
  }
  if (durable && fsync(fd) != 0) return abandon(-errno, "cannot flush");
  int closed = close(fd);
  fd = -1;
  if (closed != 0) return abandon(-errno, "cannot flush");
  if (renameat(dirfd.fd, temp.c_str(), dirfd.fd, name.c_str()) != 0) return abandon(-errno, "cannot replace");
  // The rename itself must survive a crash too.
  if (durable) {
    fsync(dirfd.fd);
  } else {
    b->unsynced.add(key);
  }
  return 0;
} catch (...) {
  return fail(err, errlen, ENOMEM, std::string(key) + ": out of memory");
}

int local_write(hlsfs_backend* b, const char* key, const void* data, int64_t len, char* err, size_t errlen) {
  return write_file(b, key, data, len, true, err, errlen);
}

int local_write_unsynced(hlsfs_backend* b, const char* key, const void* data, int64_t len, char* err,
                         size_t errlen) {
  return write_file(b, key, data, len, false, err, errlen);
}

// Every file this thread wrote unsynced since its last call, and their
// directories (the renames): the files' writeback is started together, then
// each is waited for, then each directory once. Only those files: a syncfs
// would also wait for whatever else is dirty on the filesystem (an upload
// still landing, a source just copied in), which can take seconds. Other
// threads' flushes run beside this one (unsynced_keys.h). A file removed or
// replaced meanwhile is skipped (its replacement has its own flush).
int local_sync(hlsfs_backend* b, char* err, size_t errlen) try {
  std::vector<std::string> keys = b->unsynced.take_mine();
  std::vector<std::pair<std::string, std::unique_ptr<Fd>>> files;
  std::set<std::string> dirs;
  for (const auto& key : keys) {
    auto fd = std::make_unique<Fd>(b->fs.open(key, O_RDONLY | O_CLOEXEC));
    dirs.insert(split_key(key).first);
    if (fd->fd < 0) continue;
    sync_file_range(fd->fd, 0, 0, SYNC_FILE_RANGE_WRITE);  // start it; fdatasync below waits
    files.emplace_back(key, std::move(fd));
  }
  for (const auto& [key, fd] : files)
    if (fdatasync(fd->fd) != 0) return fail_errno(err, errlen, -errno, key, "cannot flush");
  for (const auto& dir : dirs) {
    Fd d(b->fs.open(dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC));
    if (d.fd >= 0 && fsync(d.fd) != 0)
      return fail_errno(err, errlen, -errno, dir.empty() ? "(root)" : dir, "cannot flush");
  }
  return 0;
} catch (...) {
  return fail(err, errlen, ENOMEM, "flush: out of memory");
}

int local_remove(hlsfs_backend* b, const char* key, char* err, size_t errlen) try {
  if (int e = check_key(key, err, errlen)) return e;
  auto [dir, name] = split_key(key);
  Fd dirfd(b->fs.open(dir, O_PATH | O_DIRECTORY));
  if (dirfd.fd < 0) return fail_errno(err, errlen, dirfd.fd, key);
  // unlinkat() removes a symlink itself, never what it points to.
  if (unlinkat(dirfd.fd, name.c_str(), 0) != 0) {
    if (errno == EISDIR) return fail(err, errlen, EISDIR, std::string(key) + ": is a directory");
    return fail_errno(err, errlen, -errno, key);
  }
  return 0;
} catch (...) {
  return fail(err, errlen, ENOMEM, std::string(key) + ": out of memory");
}

// ---- list ----

// A directory stream over fd, which it owns from then on (closed on failure
// too: null then, with errno set).
struct DirCloser {
  void operator()(DIR* d) const { closedir(d); }
};
using DirStream = std::unique_ptr<DIR, DirCloser>;
DirStream dir_stream(int fd) {
  DIR* d = fdopendir(fd);
  if (!d) {
    int e = errno;
    close(fd);
    errno = e;
  }
  return DirStream(d);
}

struct Lister {
  hlsfs_backend* b;
  hlsfs_backend_list_cb cb;
  void* ctx;
  char* err;
  size_t errlen;
  bool stopped = false;

  // Walks directory `fd` whose keys start with `dir_key` ("" or "a/b/"),
  // reporting names that start with `filter`. Entries are visited in byte
  // order of name + "/" for directories, so keys come out sorted as an
  // object store lists them.
  int walk(int fd, const std::string& dir_key, const std::string& filter) {
    DirStream d = dir_stream(fd);
    if (!d) {
      int e = errno;
      return fail_errno(err, errlen, -e, dir_key.empty() ? "(root)" : dir_key, "cannot list");
    }
    struct Entry {
      std::string name;
      unsigned char type;
      std::string order;
    };
    std::vector<Entry> entries;
    errno = 0;
    while (struct dirent* de = readdir(d.get())) {
      std::string n = de->d_name;
      if (n == "." || n == ".." || n.compare(0, strlen(hlsfs_local::kTempPrefix), hlsfs_local::kTempPrefix) == 0)
        continue;
      if (n.compare(0, filter.size(), filter) != 0) continue;
      unsigned char t = de->d_type;
      if (t == DT_UNKNOWN) {  // some filesystems do not fill d_type
        struct stat st {};
        if (fstatat(dirfd(d.get()), n.c_str(), &st, AT_SYMLINK_NOFOLLOW) != 0) continue;
        t = S_ISDIR(st.st_mode) ? DT_DIR : S_ISREG(st.st_mode) ? DT_REG : S_ISLNK(st.st_mode) ? DT_LNK : DT_UNKNOWN;
      }
      entries.push_back({n, t, t == DT_DIR ? n + "/" : n});
    }
    int read_errno = errno;
    if (read_errno != 0)
      return fail_errno(err, errlen, -read_errno, dir_key.empty() ? "(root)" : dir_key, "cannot list");
    std::sort(entries.begin(), entries.end(), [](const Entry& a, const Entry& c) { return a.order < c.order; });

    int rc = 0;
    for (const Entry& e : entries) {
      if (stopped) break;
      std::string key = dir_key + e.name;
      struct stat st {};
      if (e.type == DT_DIR) {
        // O_NOFOLLOW: a plain name in a directory already checked, never a symlink.
        int sub = openat(dirfd(d.get()), e.name.c_str(), O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
        if (sub < 0) {
          if (errno == ENOENT) continue;  // removed meanwhile
          rc = fail_errno(err, errlen, -errno, key, "cannot list");
          break;
        }
        if ((rc = walk(sub, key + "/", "")) < 0) break;
        continue;
      }
      if (e.type == DT_REG) {
        if (fstatat(dirfd(d.get()), e.name.c_str(), &st, AT_SYMLINK_NOFOLLOW) != 0) continue;
      } else if (e.type == DT_LNK) {
        // A symlink counts when it resolves, inside the root, to a regular
        // file; symlinked directories are not walked (no loops).
        Fd target(b->fs.open(key, O_PATH));
        if (target.fd < 0 || fstat(target.fd, &st) != 0) continue;
      } else {
        continue;
      }
      if (!S_ISREG(st.st_mode)) continue;
      hlsfs_backend_stat out;
      fill_stat(st, &out);
      if (cb(ctx, key.c_str(), &out) != 0) stopped = true;
    }
    return rc;
  }
};

// Opens directory `dir` ("" the root) of the listing of prefix `p` into fd:
// 0 with fd -1 when there is nothing under it (as an object store would
// say), a negative errno with err filled when `dir` is no valid key or
// cannot be opened.
static int open_listed_dir(hlsfs_backend* b, const std::string& dir, const std::string& p, int& fd, char* err,
                           size_t errlen) {
  fd = -1;
  if (!dir.empty()) {
    std::string why = key_problem(dir.c_str());
    if (!why.empty()) return fail(err, errlen, EINVAL, p + ": invalid prefix: " + why);
  }
  int opened = b->fs.open(dir, O_RDONLY | O_DIRECTORY);
  if (opened == -ENOENT || opened == -ENOTDIR) return 0;
  if (opened < 0) return fail_errno(err, errlen, opened, p.empty() ? "(root)" : p, "cannot list");
  fd = opened;
  return 0;
}

int local_list(hlsfs_backend* b, const char* prefix, hlsfs_backend_list_cb cb, void* ctx, char* err,
               size_t errlen) try {
  std::string p = prefix ? prefix : "";
  if (!cb) return fail(err, errlen, EINVAL, "list \"" + p + "\": no callback");
  // "a/b/c" lists directory "a/b" for names starting with "c"; "a/b/" all of "a/b".
  size_t slash = p.rfind('/');
  std::string dir = slash == std::string::npos ? "" : p.substr(0, slash);
  std::string filter = slash == std::string::npos ? p : p.substr(slash + 1);
  if (!p.empty() && p[0] == '/')
    return fail(err, errlen, EINVAL, p + ": invalid prefix: leading '/' (keys are relative to the store)");
  int fd = -1;
  if (int rc = open_listed_dir(b, dir, p, fd, err, errlen); rc < 0 || fd < 0) return rc;
  Lister l{b, cb, ctx, err, errlen};
  return l.walk(fd, dir.empty() ? "" : dir + "/", filter);
} catch (...) {
  return fail(err, errlen, ENOMEM, "list: out of memory");
}

// ---- list_dir ----

// One level of directory `prefix`, a page after `after`: one pass of
// readdir keeps only the page's entries (page_select.h), then those are
// stat'ed and reported in order.
int local_list_dir(hlsfs_backend* b, const char* prefix, const char* after, int max, hlsfs_backend_list_cb cb,
                   void* ctx, char* err, size_t errlen) try {
  std::string p = prefix ? prefix : "";
  if (!cb) return fail(err, errlen, EINVAL, "list \"" + p + "\": no callback");
  if (max < 1) return fail(err, errlen, EINVAL, "list \"" + p + "\": page size " + std::to_string(max) + " (must be 1 or more)");
  if (!p.empty() && p.back() != '/')
    return fail(err, errlen, EINVAL, p + ": invalid prefix: a directory's ends with '/'");
  std::string dir = p.empty() ? "" : p.substr(0, p.size() - 1);
  int fd = -1;
  if (int rc = open_listed_dir(b, dir, p, fd, err, errlen); rc < 0 || fd < 0) return rc;
  DirStream d = dir_stream(fd);
  if (!d) {
    int e = errno;
    return fail_errno(err, errlen, -e, p.empty() ? "(root)" : p, "cannot list");
  }

  hlsfs_local::PageSelect<std::string> page(after ? after : "", static_cast<size_t>(max));
  int read_errno = 0;
  while (true) {
    errno = 0;  // readdir's end and its failure differ only by errno
    struct dirent* de = readdir(d.get());
    if (!de) {
      read_errno = errno;
      break;
    }
    std::string n = de->d_name;
    if (n == "." || n == ".." || n.compare(0, strlen(hlsfs_local::kTempPrefix), hlsfs_local::kTempPrefix) == 0)
      continue;
    unsigned char t = de->d_type;
    if (t == DT_UNKNOWN) {  // some filesystems do not fill d_type
      struct stat st {};
      if (fstatat(dirfd(d.get()), n.c_str(), &st, AT_SYMLINK_NOFOLLOW) != 0) continue;
      t = S_ISDIR(st.st_mode) ? DT_DIR : S_ISREG(st.st_mode) ? DT_REG : S_ISLNK(st.st_mode) ? DT_LNK : DT_UNKNOWN;
    }
    if (t == DT_LNK) {
      // As list(): a symlink counts when it resolves, inside the root, to a
      // regular file (decided here, so that a page is never all refusals).
      Fd target(b->fs.open(p + n, O_PATH));
      struct stat st {};
      if (target.fd < 0 || fstat(target.fd, &st) != 0 || !S_ISREG(st.st_mode)) continue;
    } else if (t != DT_DIR && t != DT_REG) {
      continue;
    }
    page.offer(t == DT_DIR ? n + "/" : n, n);
  }
  if (read_errno != 0) return fail_errno(err, errlen, -read_errno, p.empty() ? "(root)" : p, "cannot list");

  for (const auto& [order, name] : page.take()) {
    const std::string key = p + name;
    struct stat st {};
    if (order.back() == '/') {
      if (fstatat(dirfd(d.get()), name.c_str(), &st, AT_SYMLINK_NOFOLLOW) != 0 || !S_ISDIR(st.st_mode)) continue;
    } else {
      Fd target(b->fs.open(key, O_PATH));  // a plain file, or a symlink to one inside the root
      if (target.fd < 0 || fstat(target.fd, &st) != 0 || !S_ISREG(st.st_mode)) continue;  // gone meanwhile
    }
    hlsfs_backend_stat out;
    fill_stat(st, &out);
    if (cb(ctx, key.c_str(), &out) != 0) return 1;
  }
  return page.more() ? 1 : 0;
} catch (...) {
  return fail(err, errlen, ENOMEM, "list: out of memory");
}

// ---- open_read ----

int local_open_read(hlsfs_backend* b, const char* key, char* err, size_t errlen) try {
  if (int e = check_key(key, err, errlen)) return e;
  // The same checks as read(), on the descriptor handed out: what the caller
  // reads is what was checked.
  Fd fd(b->fs.open(key, O_RDONLY | O_NONBLOCK | O_NOCTTY));
  if (fd.fd < 0) return fail_errno(err, errlen, fd.fd, key);
  struct stat st {};
  if (fstat(fd.fd, &st) != 0) return fail_errno(err, errlen, -errno, key);
  if (S_ISDIR(st.st_mode)) return fail(err, errlen, EISDIR, std::string(key) + ": is a directory");
  if (!S_ISREG(st.st_mode)) return fail(err, errlen, EINVAL, std::string(key) + ": not a regular file");
  int out = fd.fd;
  fd.fd = -1;
  return out;
} catch (...) {
  return fail(err, errlen, ENOMEM, std::string(key) + ": out of memory");
}

const hlsfs_backend_ops kOps = {
    HLSFS_BACKEND_ABI_VERSION, "local", local_open, local_close, local_stat, local_read,
    local_write, local_remove, local_list, local_open_read,
    nullptr,  // write_tagged: files carry no object tags
    local_write_unsynced, local_sync, local_list_dir,
};

}  // namespace

extern "C" HLSFS_EXPORT const hlsfs_backend_ops* hlsfs_backend_entry(void) { return &kOps; }
