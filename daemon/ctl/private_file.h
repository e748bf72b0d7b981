// Files only their owner may read, such as an nginx site holding the signing
// secret: never readable by anyone else, not even while being written.
#pragma once
#include <string>

namespace hlsfs {

// Writes `text` to `path` with mode 0600, whatever the umask: a new file
// (O_CREAT|O_EXCL, an unpredictable name) beside it, then renamed over it,
// so a reader sees the old file or the whole new one. A symlink at `path`
// is followed (the file it names is replaced, the link stays). Throws
// std::runtime_error naming the path and the system's reason.
void write_private_file(const std::string& path, const std::string& text);

}  // namespace hlsfs
