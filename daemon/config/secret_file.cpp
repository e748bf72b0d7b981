#include "daemon/config/secret_file.h"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>

#include "daemon/config/config.h"

namespace hlsfs {

std::string read_secret_file(const std::string& path, const std::string& where, size_t max_bytes,
                             const std::string& what) {
  auto fail = [&](const std::string& why) -> std::string { throw ConfigError(where + ": " + path + ": " + why); };
  int fd = open(path.c_str(), O_RDONLY | O_CLOEXEC | O_NOCTTY | O_NONBLOCK);
  if (fd < 0) return fail(std::string("cannot open: ") + strerror(errno));
  struct stat st {};
  std::string text;
  bool regular = fstat(fd, &st) == 0 && S_ISREG(st.st_mode);
  bool open_to_others = regular && (st.st_mode & (S_IRWXG | S_IRWXO));
  if (regular && !open_to_others) {
    char buf[4096];
    ssize_t n;
    while ((n = read(fd, buf, sizeof buf)) > 0 && text.size() <= max_bytes) text.append(buf, static_cast<size_t>(n));
  }
  close(fd);
  if (!regular) return fail("not a regular file");
  if (open_to_others) return fail("group or others may access it (chmod 600 " + path + ")");
  if (text.size() > max_bytes) return fail("longer than " + std::to_string(max_bytes) + " bytes: not " + what);
  return text;
}

}  // namespace hlsfs
