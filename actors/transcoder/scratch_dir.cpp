#include "actors/transcoder/scratch_dir.h"

#include <cerrno>
#include <cstdlib>
#include <cstring>
#include <filesystem>
#include <mutex>
#include <stdexcept>

namespace hlsfs {

namespace {

constexpr const char* kPrefix = ".hlsfs-scratch-";

std::mutex mu;
std::string parent;  // "" until set: $TMPDIR or /tmp
std::string made;    // the private directory, once made

void remove_at_exit() {
  std::error_code ec;
  if (!made.empty()) std::filesystem::remove_all(made, ec);
}

}  // namespace

void set_scratch_parent(const std::string& dir, bool clean_stale) {
  std::lock_guard<std::mutex> lock(mu);
  parent = dir;
  if (!clean_stale) return;
  std::error_code ec;
  for (auto it = std::filesystem::directory_iterator(dir, ec); !ec && it != std::filesystem::directory_iterator();
       it.increment(ec)) {
    std::string name = it->path().filename().string();
    if (name.rfind(kPrefix, 0) == 0 && it->path().string() != made) {
      std::error_code ignored;
      std::filesystem::remove_all(it->path(), ignored);
    }
  }
}

const std::string& scratch_dir() {
  std::lock_guard<std::mutex> lock(mu);
  if (!made.empty()) return made;
  std::string base = parent;
  if (base.empty()) {
    const char* tmp = getenv("TMPDIR");
    base = tmp && *tmp ? tmp : "/tmp";
  }
  std::string tmpl = base + "/" + kPrefix + "XXXXXX";
  if (!mkdtemp(tmpl.data()))
    throw std::runtime_error("cannot make a private directory in " + base + ": " + strerror(errno));
  made = tmpl;
  static bool registered = (atexit(remove_at_exit), true);
  (void)registered;
  return made;
}

}  // namespace hlsfs
