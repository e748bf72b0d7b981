// What a worker process gives up before it touches a source: it runs
// decoders on files users uploaded, so it must hold nothing worth taking and
// reach nothing beyond its job.
//
// * Limits: address space (`memory_bytes`: a decoder told to allocate
//   without bound gets NULL, not the host's memory), no core files.
// * An unprivileged user when started as root (the daemon gave its scratch
//   directory to that user), and no_new_privs.
// * Landlock: files can be opened only beneath its scratch directory (x264's
//   and x265's two-pass statistics are opened there by name during a job);
//   everything else it reads came as a descriptor.
// * seccomp: an allow-list of what decoding, encoding and the channel need.
//   Anything else (socket, connect, execve, ptrace, mount, ...) kills the
//   process with SIGSYS after one line on stderr naming the system call.
#pragma once
#include <sys/types.h>

#include <cstdint>
#include <functional>
#include <string>

namespace hlsfs {

struct SandboxOptions {
  std::string scratch_dir;   // the only place it may open files
  int64_t memory_bytes = 0;  // RLIMIT_AS; 0 = none
  bool drop_user = false;    // switch to uid/gid (when root)
  uid_t uid = 0;
  gid_t gid = 0;
  // Run as the worker's own user, before the file rule holds (to make its
  // private directory, which Landlock would not let it make).
  std::function<void()> before_lock;
};

struct SandboxReport {
  bool landlock = false;  // the kernel enforces the file rule
  bool seccomp = false;
};

// Applies everything, in an order where each step still has what it needs.
// Throws std::runtime_error naming the step that failed (the worker must
// not run unsandboxed by accident; a kernel without Landlock is reported,
// not fatal: the descriptor discipline and seccomp still hold).
SandboxReport enter_sandbox(const SandboxOptions& opt);

}  // namespace hlsfs
