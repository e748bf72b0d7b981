#include "daemon/ctl/private_file.h"

#include <fcntl.h>
#include <sys/random.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <climits>
#include <cstdlib>
#include <cstring>
#include <stdexcept>
#include <string_view>

#include "hlsfs/digest.h"

namespace hlsfs {

namespace {

std::runtime_error sys_error(const std::string& path, const std::string& what, int err) {
  return std::runtime_error(path + ": " + what + ": " + strerror(err));
}

std::string random_suffix() {
  unsigned char bytes[8] = {};
  if (getrandom(bytes, sizeof bytes, 0) != static_cast<ssize_t>(sizeof bytes))
    throw sys_error("/dev/urandom", "cannot read random bytes", errno);
  return lower_hex(std::string_view(reinterpret_cast<const char*>(bytes), sizeof bytes));
}

}  // namespace

void write_private_file(const std::string& path_in, const std::string& text) {
  // An existing link is the operator's layout (sites-enabled -> sites-available):
  // replace the file it names.
  std::string path = path_in;
  char real[PATH_MAX];
  struct stat st {};
  if (lstat(path_in.c_str(), &st) == 0 && S_ISLNK(st.st_mode)) {
    if (!realpath(path_in.c_str(), real)) throw sys_error(path_in, "cannot follow the symbolic link", errno);
    path = real;
  }
  std::string tmp = path + ".tmp-" + random_suffix();
  // O_EXCL: created here and now with 0600 (the umask can only take bits
  // away), never an existing file or a link someone planted.
  int fd = open(tmp.c_str(), O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC, 0600);
  if (fd < 0) throw sys_error(path, "cannot create " + tmp, errno);
  auto fail = [&](const std::string& what) {
    int err = errno;
    close(fd);
    unlink(tmp.c_str());
    return sys_error(tmp, what, err);
  };
  if (fchmod(fd, 0600) != 0) throw fail("cannot chmod 600");
  for (size_t done = 0; done < text.size();) {
    ssize_t n = write(fd, text.data() + done, text.size() - done);
    if (n < 0 && errno == EINTR) continue;
    if (n < 0) throw fail("cannot write");
    done += static_cast<size_t>(n);
  }
  if (fsync(fd) != 0) throw fail("cannot flush");
  if (close(fd) != 0) {
    int err = errno;
    unlink(tmp.c_str());
    throw sys_error(tmp, "cannot flush", err);
  }
  if (rename(tmp.c_str(), path.c_str()) != 0) {
    int err = errno;
    unlink(tmp.c_str());
    throw sys_error(path, "cannot rename the new file into place", err);
  }
}

}  // namespace hlsfs
