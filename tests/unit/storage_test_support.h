// What the storage tests share: the plugin directory, temporary directories,
// the error a backend call throws, and running a check without root's power
// to read and write everything.
#pragma once
#include <sys/wait.h>
#include <unistd.h>

#include <cstdlib>
#include <filesystem>
#include <functional>
#include <string>

#include <gtest/gtest.h>

#include "actors/storage/backend.h"

namespace hlsfs::testing {

// The BackendError of f(), or a test failure if it does not throw one.
template <class F>
BackendError error_of(F f) {
  try {
    f();
  } catch (const BackendError& e) {
    return e;
  }
  ADD_FAILURE() << "no BackendError thrown";
  return BackendError(0, "");
}

inline std::string plugin_dir() {
  const char* e = getenv("HLSFS_PLUGIN_DIR");
  return e && *e ? e : HLSFS_TEST_PLUGIN_DIR;
}

struct TempDir {
  std::string path;
  explicit TempDir(const char* prefix = "hlsfs-test") {
    std::string tmpl = (std::filesystem::temp_directory_path() / (std::string(prefix) + "-XXXXXX")).string();
    path = std::filesystem::canonical(mkdtemp(tmpl.data())).string();
  }
  ~TempDir() {
    std::error_code ec;
    std::filesystem::remove_all(path, ec);
  }
  TempDir(const TempDir&) = delete;
  TempDir& operator=(const TempDir&) = delete;
};

// f() without root's power over permissions: as root, in a child process
// that becomes "nobody"; its result comes back by pipe.
inline std::string unprivileged(const std::function<std::string()>& f) {
  if (geteuid() != 0) return f();
  int fds[2];
  if (pipe(fds) != 0) return "pipe failed";
  pid_t pid = fork();
  if (pid == 0) {
    close(fds[0]);
    std::string r = setgid(65534) == 0 && setuid(65534) == 0 ? f() : "cannot become nobody";
    ssize_t ignored = write(fds[1], r.data(), r.size());
    (void)ignored;
    _exit(0);
  }
  close(fds[1]);
  std::string out;
  char buf[512];
  ssize_t n;
  while ((n = read(fds[0], buf, sizeof buf)) > 0) out.append(buf, static_cast<size_t>(n));
  close(fds[0]);
  int status = 0;
  waitpid(pid, &status, 0);
  return out;
}

}  // namespace hlsfs::testing
