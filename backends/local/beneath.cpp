#include "beneath.h"

#include <fcntl.h>
#include <limits.h>
#include <linux/openat2.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <unistd.h>

#include <cerrno>
#include <cstdlib>
#include <cstring>

#ifndef SYS_openat2
#define SYS_openat2 437
#endif

namespace hlsfs_local {

namespace {

long sys_openat2(int dirfd, const char* path, int flags) {
  struct open_how how;
  memset(&how, 0, sizeof how);
  how.flags = static_cast<uint64_t>(flags);
  // BENEATH refuses absolute symlinks and ".." above the root; magic links
  // (/proc/self/fd/N) could jump anywhere, so they are refused too.
  how.resolve = RESOLVE_BENEATH | RESOLVE_NO_MAGICLINKS;
  return syscall(SYS_openat2, dirfd, path, &how, sizeof how);
}

}  // namespace

int Beneath::init(const std::string& root, std::string* why) {
  if (root.empty() || root[0] != '/') {
    *why = "must be an absolute path";
    return -EINVAL;
  }
  char* real = realpath(root.c_str(), nullptr);
  if (!real) {
    int e = errno;
    *why = strerror(e);
    return -e;
  }
  root_ = real;
  free(real);
  root_fd_ = ::open(root_.c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC);
  if (root_fd_ < 0) {
    int e = errno;
    *why = strerror(e);
    return -e;
  }
  const char* force = getenv("HLSFS_LOCAL_NO_OPENAT2");
  if (!(force && *force && strcmp(force, "0") != 0)) {
    // ENOSYS on old kernels; EPERM where a seccomp filter predates openat2.
    long fd = sys_openat2(root_fd_, ".", O_PATH | O_DIRECTORY | O_CLOEXEC);
    if (fd >= 0) {
      ::close(static_cast<int>(fd));
      use_openat2_ = true;
    }
  }
  return 0;
}

Beneath::~Beneath() {
  if (root_fd_ >= 0) ::close(root_fd_);
}

int Beneath::open(const std::string& rel, int flags) const {
  flags |= O_CLOEXEC;
  return use_openat2_ ? open_openat2(rel, flags) : open_realpath(rel, flags);
}

int Beneath::open_openat2(const std::string& rel, int flags) const {
  const char* path = rel.empty() ? "." : rel.c_str();
  for (int attempt = 0;; ++attempt) {
    long fd = sys_openat2(root_fd_, path, flags);
    if (fd >= 0) return static_cast<int>(fd);
    // EAGAIN: a concurrent rename raced with ".." resolution; worth a retry.
    if ((errno == EAGAIN || errno == EINTR) && attempt < 16) continue;
    return -errno;
  }
}

int Beneath::open_realpath(const std::string& rel, int flags) const {
  std::string full = rel.empty() ? root_ : root_ + "/" + rel;
  char* real = realpath(full.c_str(), nullptr);
  if (!real) return -errno;
  std::string canon = real;
  free(real);
  if (canon != root_ && canon.compare(0, root_.size() + 1, root_ + "/") != 0) return -EXDEV;
  // The canonical path has no symlinks left; O_NOFOLLOW narrows the window in
  // which one could be swapped in for the last element.
  int fd = ::open(canon.c_str(), flags | O_NOFOLLOW);
  return fd >= 0 ? fd : -errno;
}

int Beneath::open_dir_creating(const std::string& rel) const {
  int fd = open(rel, O_RDONLY | O_DIRECTORY);
  if (fd != -ENOENT || rel.empty()) return fd;
  // Make the parent first, then this element inside it: mkdirat() on a name
  // never follows a symlink, and the result is reopened through open() so the
  // root check applies to whatever is there now.
  size_t slash = rel.rfind('/');
  std::string parent = slash == std::string::npos ? "" : rel.substr(0, slash);
  std::string name = slash == std::string::npos ? rel : rel.substr(slash + 1);
  int pfd = open_dir_creating(parent);
  if (pfd < 0) return pfd;
  int made = mkdirat(pfd, name.c_str(), 0755);
  int e = errno;
  ::close(pfd);
  if (made != 0 && e != EEXIST) return -e;
  return open(rel, O_RDONLY | O_DIRECTORY);
}

}  // namespace hlsfs_local
