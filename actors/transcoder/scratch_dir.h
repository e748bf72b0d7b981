// Where a job's temporary files go (x264's and x265's two-pass statistics):
// a directory of this process's own, made with mkdtemp (mode 0700). A name
// in a shared /tmp could be planted beforehand as a symlink, and the encoder
// would write through it.
#pragma once
#include <string>

namespace hlsfs {

// The directory the private one is made in (hlsfsd: its cache_dir; by
// default $TMPDIR or /tmp). Call before the first job. Removes what earlier
// processes left there (a crash skips the cleanup at exit) when
// `clean_stale` is set: only for a directory this process alone writes.
void set_scratch_parent(const std::string& dir, bool clean_stale);

// The private directory: made on first use, removed at exit. Throws
// std::runtime_error when it cannot be made.
const std::string& scratch_dir();

}  // namespace hlsfs
