#include "actors/storage/atomic_file.h"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <atomic>
#include <cerrno>
#include <cstring>
#include <fstream>
#include <sstream>
#include <stdexcept>

namespace hlsfs {

namespace {
std::runtime_error sys_error(const std::string& what, const std::string& path) {
  return std::runtime_error(path + ": " + what + ": " + strerror(errno));
}
}  // namespace

void make_dirs(const std::string& dir) {
  if (dir.empty()) return;
  std::string cur;
  size_t pos = 0;
  while (pos != std::string::npos) {
    pos = dir.find('/', pos + 1);
    cur = dir.substr(0, pos);
    if (cur.empty()) continue;
    if (mkdir(cur.c_str(), 0755) != 0 && errno != EEXIST) throw sys_error("cannot create directory", cur);
  }
}

void write_file_synced(const std::string& path, const std::string& bytes) {
  make_dirs(path.substr(0, path.rfind('/')));
  int fd = open(path.c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
  if (fd < 0) throw sys_error("cannot create", path);
  size_t done = 0;
  while (done < bytes.size()) {
    ssize_t n = write(fd, bytes.data() + done, bytes.size() - done);
    if (n < 0) {
      if (errno == EINTR) continue;
      auto e = sys_error("cannot write", path);  // ENOSPC lands here: nothing visible changes
      close(fd);
      unlink(path.c_str());
      throw e;
    }
    done += static_cast<size_t>(n);
  }
  int synced = fsync(fd);
  int closed = close(fd);
  if (synced != 0 || closed != 0) {
    auto e = sys_error("cannot flush", path);
    unlink(path.c_str());
    throw e;
  }
}

void write_file_atomic(const std::string& path, const std::string& bytes) {
  static std::atomic<unsigned> counter{0};
  std::string tmp = path + ".tmp." + std::to_string(getpid()) + "." + std::to_string(counter++);
  write_file_synced(tmp, bytes);
  if (rename(tmp.c_str(), path.c_str()) != 0) {
    auto e = sys_error("cannot rename into place", path);
    unlink(tmp.c_str());
    throw e;
  }
}

std::string read_file(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  if (!in) throw sys_error("cannot read", path);
  std::ostringstream ss;
  ss << in.rdbuf();
  return ss.str();
}

}  // namespace hlsfs
