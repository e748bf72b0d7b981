#include "actors/transcoder/source.h"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <optional>
#include <string_view>

#include "actors/transcoder/guarded_input.h"
#include "hlsfs/source_version.h"
#include "hlsfs/percent_decode.h"

namespace hlsfs {

std::string local_path_of(const std::string& uri) {
  if (uri.rfind("file://", 0) != 0 || uri.size() < 8 || uri[7] != '/')
    throw MediaError(uri + ": only file:/// URIs can be opened here");
  // Decoding must not make a path the URI did not show: "%00" cutting it
  // (percent_decode refuses it), "%2e%2e" climbing out of a target's directory.
  std::optional<std::string> decoded = percent_decode(std::string_view(uri).substr(7));
  if (!decoded) throw MediaError(uri + ": %00 in the path");
  const std::string& out = *decoded;
  for (char c : out)
    if (static_cast<unsigned char>(c) < 0x20 || c == 0x7f) throw MediaError(uri + ": a control character in the path");
  if (out.find("/../") != std::string::npos || out.find("/./") != std::string::npos ||
      (out.size() >= 3 && out.compare(out.size() - 3, 3, "/..") == 0))
    throw MediaError(uri + ": '.' or '..' in the path");
  return out;
}

SourceIdentity LocalFileOpener::identify(const std::string& uri) {
  std::string path = local_path_of(uri);
  struct stat st {};
  if (stat(path.c_str(), &st) != 0) throw MediaError(path + ": " + strerror(errno));
  if (!S_ISREG(st.st_mode)) throw MediaError(path + ": not a regular file");
  SourceIdentity id;
  id.uri = uri;
  id.size = st.st_size;
  // Size and mtime miss a same-size replacement with its mtime set back:
  // the inode and ctime tell it (hlsfs/source_version.h).
  id.version = local_file_version(static_cast<int64_t>(st.st_mtim.tv_sec) * 1000000000LL + st.st_mtim.tv_nsec,
                                  static_cast<uint64_t>(st.st_ino),
                                  static_cast<int64_t>(st.st_ctim.tv_sec) * 1000000000LL + st.st_ctim.tv_nsec);
  return id;
}

InputPtr LocalFileOpener::open(const std::string& uri) { return open_path(local_path_of(uri)); }

InputPtr LocalFileOpener::open_path(const std::string& path) {
  // O_NONBLOCK: a FIFO must not hang the open; it is refused below.
  int fd = ::open(path.c_str(), O_RDONLY | O_NONBLOCK | O_NOCTTY | O_CLOEXEC);
  if (fd < 0) throw MediaError(path + ": " + strerror(errno));
  struct stat st {};
  if (fstat(fd, &st) != 0 || !S_ISREG(st.st_mode)) {
    close(fd);
    throw MediaError(path + ": not a regular file");
  }
  return open_fd_input(fd, path);
}

}  // namespace hlsfs
