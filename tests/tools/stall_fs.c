// stall_fs: a read-only view of a directory whose reads block while a
// trigger file exists: a store root that stops answering (an NFS server or
// another FUSE filesystem gone quiet), for tests. A read blocked here is a
// real read() waiting in the kernel: nothing in the reader can interrupt it.
//
//   stall_fs BACKING_DIR TRIGGER_FILE MOUNTPOINT [FUSE options, e.g. -f]
//
// Lookups and stat() keep answering; only file contents stall. Removing the
// trigger lets every blocked read go on.
#define FUSE_USE_VERSION 31
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <fuse3/fuse.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

static char backing[PATH_MAX];
static const char* trigger;

static int full_path(char* out, const char* path) {
  return snprintf(out, PATH_MAX, "%s%s", backing, path) < PATH_MAX ? 0 : -ENAMETOOLONG;
}

static int fs_getattr(const char* path, struct stat* st, struct fuse_file_info* fi) {
  (void)fi;
  char p[PATH_MAX];
  if (full_path(p, path)) return -ENAMETOOLONG;
  return lstat(p, st) == 0 ? 0 : -errno;
}

static int fs_readdir(const char* path, void* buf, fuse_fill_dir_t fill, off_t off, struct fuse_file_info* fi,
                      enum fuse_readdir_flags flags) {
  (void)off, (void)fi, (void)flags;
  char p[PATH_MAX];
  if (full_path(p, path)) return -ENAMETOOLONG;
  DIR* d = opendir(p);
  if (!d) return -errno;
  for (struct dirent* e; (e = readdir(d));) fill(buf, e->d_name, NULL, 0, 0);
  closedir(d);
  return 0;
}

static int fs_open(const char* path, struct fuse_file_info* fi) {
  if ((fi->flags & O_ACCMODE) != O_RDONLY) return -EROFS;
  char p[PATH_MAX];
  if (full_path(p, path)) return -ENAMETOOLONG;
  int fd = open(p, O_RDONLY);
  if (fd < 0) return -errno;
  fi->fh = (uint64_t)fd;
  fi->direct_io = 1;  // every read comes here, none from the page cache
  return 0;
}

static int fs_read(const char* path, char* buf, size_t size, off_t off, struct fuse_file_info* fi) {
  (void)path;
  while (access(trigger, F_OK) == 0) usleep(100 * 1000);
  ssize_t n = pread((int)fi->fh, buf, size, off);
  return n < 0 ? -errno : (int)n;
}

static int fs_release(const char* path, struct fuse_file_info* fi) {
  (void)path;
  close((int)fi->fh);
  return 0;
}

int main(int argc, char** argv) {
  if (argc < 4) {
    fprintf(stderr, "usage: stall_fs BACKING_DIR TRIGGER_FILE MOUNTPOINT [FUSE options]\n");
    return 2;
  }
  if (!realpath(argv[1], backing)) {
    perror(argv[1]);
    return 1;
  }
  trigger = argv[2];
  static const struct fuse_operations ops = {
      .getattr = fs_getattr, .readdir = fs_readdir, .open = fs_open, .read = fs_read, .release = fs_release};
  argv[2] = argv[0];  // FUSE's arguments: the program name, the mountpoint, its options
  return fuse_main(argc - 2, argv + 2, &ops, NULL);
}
