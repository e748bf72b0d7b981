#include "actors/worker/failpoint.h"

#include <fcntl.h>
#include <sys/socket.h>
#include <unistd.h>

#include <cerrno>
#include <cstdlib>
#include <cstring>
#include <new>
#include <stdexcept>
#include <vector>

namespace hlsfs {

namespace {

void run_one(const std::string& spec, const std::string& source_uri) {
  auto colon = spec.find(':');
  if (spec.empty() || colon == std::string::npos) return;
  const std::string kind = spec.substr(0, colon), text = spec.substr(colon + 1);
  if (text.empty() || source_uri.find(text) == std::string::npos) return;
  if (kind == "crash") {
    volatile int* nowhere = nullptr;
    *nowhere = 1;
  } else if (kind == "memory") {
    std::vector<char*> held;
    for (;;) {
      char* p = static_cast<char*>(malloc(64 << 20));
      if (!p) throw std::bad_alloc();
      memset(p, 1, 64 << 20);
      held.push_back(p);
    }
  } else if (kind == "hang") {
    for (;;) sleep(3600);
  } else if (kind == "socket") {
    int s = socket(AF_INET, SOCK_STREAM, 0);
    throw std::runtime_error("fail point: socket() was allowed (" + std::to_string(s) + ")");
  } else if (kind == "open") {
    int fd = open("/etc/passwd", O_RDONLY | O_CLOEXEC);
    if (fd >= 0) {
      close(fd);
      throw std::runtime_error("fail point: /etc/passwd could be opened");
    }
    throw std::runtime_error(std::string("fail point: opening /etc/passwd was refused: ") + strerror(errno));
  }
}

}  // namespace

void run_failpoint(const std::string& spec, const std::string& source_uri) {
  size_t start = 0;
  while (start <= spec.size()) {
    size_t comma = spec.find(',', start);
    if (comma == std::string::npos) comma = spec.size();
    run_one(spec.substr(start, comma - start), source_uri);
    start = comma + 1;
  }
}

}  // namespace hlsfs
