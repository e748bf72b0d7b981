// Opening paths below a root directory so that nothing outside it can be
// reached, even through symlinks: openat2(RESOLVE_BENEATH) where the kernel
// has it (5.6+), else a realpath() check before the open (racy against a
// concurrent symlink swap, which the kernel path is not).
#pragma once
#include <sys/types.h>

#include <string>

namespace hlsfs_local {

class Beneath {
 public:
  // Opens `root` (absolute, an existing directory). Returns 0 or -errno with
  // *why set. HLSFS_LOCAL_NO_OPENAT2=1 in the environment forces the realpath
  // fallback (tests use it to cover both paths on a new kernel).
  int init(const std::string& root, std::string* why);
  ~Beneath();

  // Opens `rel` (a checked key, or "" for the root itself) with `flags`
  // (O_CLOEXEC is added; never O_CREAT: files are created with openat() in a
  // directory opened here). Returns an fd or -errno; -EXDEV means the path
  // resolves outside the root.
  int open(const std::string& rel, int flags) const;

  // Opens directory `rel` for reading, creating it and its parents as needed.
  int open_dir_creating(const std::string& rel) const;

  const std::string& root() const { return root_; }  // canonical, no trailing '/'
  bool kernel_checked() const { return use_openat2_; }

 private:
  int open_openat2(const std::string& rel, int flags) const;
  int open_realpath(const std::string& rel, int flags) const;

  std::string root_;
  int root_fd_ = -1;
  bool use_openat2_ = false;
};

}  // namespace hlsfs_local
