/* hlsfs storage backend plugin ABI (C, versioned).
 *
 * A plugin is a shared object libhlsfs-backend-<name>.so exporting one
 * function, hlsfs_backend_entry(), that returns a table of operations. The
 * daemon dlopen()s the plugins named in its YAML configuration, checks
 * abi_version, and opens one instance per configured store.
 *
 * Keys are object keys relative to the store: '/'-separated, no leading '/',
 * no "." or ".." elements (the daemon never passes them; plugins must refuse
 * them anyway). Every operation is blocking and thread-safe on one instance
 * (the daemon calls it from several worker threads).
 *
 * Errors: a negative errno value (-ENOENT for a missing key, -EACCES,
 * -EIO, -ENOSPC, -ETIMEDOUT, ...); the plugin also writes a one-line human
 * message into err[errlen] (NUL-terminated) naming the key and the reason.
 */
#ifndef HLSFS_BACKEND_H
#define HLSFS_BACKEND_H

#include <stddef.h>
#include <stdint.h>

#ifdef __cplusplus
extern "C" {
#endif

/* 2: open_read replaces local_path (a path handed out was opened again by
 * name, past the plugin's checks). 3: write_tagged (object tags).
 * 4: write_unsynced and sync (one flush for a batch of writes).
 * 5: the stat's ino and ctime_ns (a file replaced by one of the same size
 * and mtime is told apart), list_dir (one directory level, in pages). A
 * plugin of another version is refused by name when the store opens. */
#define HLSFS_BACKEND_ABI_VERSION 5u

typedef struct hlsfs_backend hlsfs_backend; /* one opened store, owned by the plugin */

typedef struct hlsfs_backend_stat {
  int64_t size;      /* bytes */
  int64_t mtime_ns;  /* modification time, ns since the epoch (0 unknown) */
  char etag[128];    /* version tag (ETag for object stores, "" for files) */
  int is_dir;        /* 1 for a directory / common prefix */
  uint64_t ino;      /* inode number (local files; 0 unknown, object stores) */
  int64_t ctime_ns;  /* status change time, ns since the epoch (local files; 0 unknown) */
} hlsfs_backend_stat;

/* list() callback: return 0 to go on, non-zero to stop. key is relative to the store. */
typedef int (*hlsfs_backend_list_cb)(void *ctx, const char *key, const hlsfs_backend_stat *st);

typedef struct hlsfs_backend_ops {
  uint32_t abi_version; /* HLSFS_BACKEND_ABI_VERSION */
  const char *name;     /* "local", "s3", "oss" */

  /* config: NULL-terminated array of alternating key, value strings (the
   * store's YAML mapping, values as strings). Returns NULL on error with err filled. */
  hlsfs_backend *(*open)(const char *const *config, char *err, size_t errlen);
  void (*close)(hlsfs_backend *b);

  int (*stat)(hlsfs_backend *b, const char *key, hlsfs_backend_stat *out, char *err, size_t errlen);
  /* Reads up to len bytes at offset; returns bytes read (0 at or past the end) or -errno. */
  int64_t (*read)(hlsfs_backend *b, const char *key, int64_t offset, void *buf, int64_t len, char *err,
                  size_t errlen);
  /* Writes a whole object atomically: readers see the old object or the new one, never a part. */
  int (*write)(hlsfs_backend *b, const char *key, const void *data, int64_t len, char *err, size_t errlen);
  int (*remove)(hlsfs_backend *b, const char *key, char *err, size_t errlen);
  /* Lists keys under prefix ("" = all; "dir/" = that directory), recursively. */
  int (*list)(hlsfs_backend *b, const char *prefix, hlsfs_backend_list_cb cb, void *ctx, char *err, size_t errlen);
  /* For local stores: key opened for reading (checked to stay inside the
   * root, a regular file, never blocking on a FIFO), returned as a file
   * descriptor the caller owns and closes; -ENOTSUP for object stores. The
   * daemon reads local sources only through it: checked and opened once, so
   * nothing swapped in after the check is read. */
  int (*open_read)(hlsfs_backend *b, const char *key, char *err, size_t errlen);
  /* As write(), the object tagged with `tagging`: "k=v&k2=v2", keys and
   * values URL-encoded (S3's x-amz-tagging, OSS's x-oss-tagging). NULL for
   * stores without object tags (local): the daemon calls write() instead. */
  int (*write_tagged)(hlsfs_backend *b, const char *key, const void *data, int64_t len, const char *tagging,
                      char *err, size_t errlen);
  /* As write() (readers see the old object or the new one), but not yet
   * durable across a power loss: it is once a later sync() from the same
   * thread has returned 0 (a generate writes its playlists, then flushes
   * them all at once). NULL when every write is durable when it returns
   * (object stores): the daemon calls write() and never sync(). */
  int (*write_unsynced)(hlsfs_backend *b, const char *key, const void *data, int64_t len, char *err, size_t errlen);
  /* Makes durable every write_unsynced() the calling thread made before it
   * (the daemon writes a batch and flushes it from one thread; flushes of
   * other threads may run at the same time). A plugin may flush more. */
  int (*sync)(hlsfs_backend *b, char *err, size_t errlen);
  /* One level of a directory, a page at a time. Reports the files directly
   * under prefix ("" the root, or "dir/") with their stat, and its
   * subdirectories (is_dir 1; object stores: common prefixes), each as
   * prefix + name (no trailing '/'). Order: byte order of name, a
   * subdirectory's taken as name + "/" (as an object store orders keys).
   * Only entries ordered after `after` ("" from the start; a subdirectory
   * given as "name/"), at most max (>= 1). Work and memory per call are
   * bounded by max, not by the directory's size (beyond one pass over a
   * local directory). Returns 1 when entries may follow the last one
   * reported, 0 when the directory ends there, or -errno. A missing
   * directory is an empty one. cb returning non-zero stops (returns 1). */
  int (*list_dir)(hlsfs_backend *b, const char *prefix, const char *after, int max, hlsfs_backend_list_cb cb,
                  void *ctx, char *err, size_t errlen);
} hlsfs_backend_ops;

typedef const hlsfs_backend_ops *(*hlsfs_backend_entry_fn)(void);
#define HLSFS_BACKEND_ENTRY_SYMBOL "hlsfs_backend_entry"

#ifdef __cplusplus
}
#endif

#endif /* HLSFS_BACKEND_H */
