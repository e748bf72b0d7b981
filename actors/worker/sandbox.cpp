#include "actors/worker/sandbox.h"

#include <fcntl.h>
#include <grp.h>
#include <linux/capability.h>
#include <linux/landlock.h>
#include <seccomp.h>
#include <sched.h>
#include <signal.h>
#include <sys/prctl.h>
#include <sys/resource.h>
#include <sys/syscall.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <stdexcept>

namespace hlsfs {

namespace {

[[noreturn]] void fail(const std::string& step) { throw std::runtime_error(step + ": " + strerror(errno)); }

// One line naming the refused call, then death by SIGSYS (the daemon sees the
// signal and counts a fault). Async-signal-safe: write() and raise only.
void on_sigsys(int, siginfo_t* info, void*) {
  char line[96] = "hlsfs-worker: system call ";
  size_t n = strlen(line);
  int nr = info->si_syscall;
  char digits[16];
  int d = 0;
  do {
    digits[d++] = static_cast<char>('0' + nr % 10);
    nr /= 10;
  } while (nr > 0 && d < 15);
  while (d > 0) line[n++] = digits[--d];
  const char tail[] = " refused by the sandbox\n";
  memcpy(line + n, tail, sizeof tail - 1);
  n += sizeof tail - 1;
  ssize_t ignored = write(STDERR_FILENO, line, n);
  (void)ignored;
  signal(SIGSYS, SIG_DFL);
  raise(SIGSYS);
}

bool apply_landlock(const std::string& dir) {
  const uint64_t fs_all = LANDLOCK_ACCESS_FS_EXECUTE | LANDLOCK_ACCESS_FS_WRITE_FILE | LANDLOCK_ACCESS_FS_READ_FILE |
                          LANDLOCK_ACCESS_FS_READ_DIR | LANDLOCK_ACCESS_FS_REMOVE_DIR |
                          LANDLOCK_ACCESS_FS_REMOVE_FILE | LANDLOCK_ACCESS_FS_MAKE_CHAR |
                          LANDLOCK_ACCESS_FS_MAKE_DIR | LANDLOCK_ACCESS_FS_MAKE_REG | LANDLOCK_ACCESS_FS_MAKE_SOCK |
                          LANDLOCK_ACCESS_FS_MAKE_FIFO | LANDLOCK_ACCESS_FS_MAKE_BLOCK | LANDLOCK_ACCESS_FS_MAKE_SYM;
  landlock_ruleset_attr attr{};
  attr.handled_access_fs = fs_all;
  int ruleset = static_cast<int>(syscall(SYS_landlock_create_ruleset, &attr, sizeof attr, 0));
  if (ruleset < 0) {
    if (errno == ENOSYS || errno == EOPNOTSUPP) return false;  // this kernel has no Landlock
    fail("landlock_create_ruleset");
  }
  int dir_fd = open(dir.c_str(), O_PATH | O_DIRECTORY | O_CLOEXEC);
  if (dir_fd < 0) fail("open " + dir);
  landlock_path_beneath_attr beneath{};
  beneath.allowed_access = LANDLOCK_ACCESS_FS_WRITE_FILE | LANDLOCK_ACCESS_FS_READ_FILE |
                           LANDLOCK_ACCESS_FS_READ_DIR | LANDLOCK_ACCESS_FS_REMOVE_FILE |
                           LANDLOCK_ACCESS_FS_MAKE_REG;
  beneath.parent_fd = dir_fd;
  if (syscall(SYS_landlock_add_rule, ruleset, LANDLOCK_RULE_PATH_BENEATH, &beneath, 0) != 0)
    fail("landlock_add_rule");
  close(dir_fd);
  if (syscall(SYS_landlock_restrict_self, ruleset, 0) != 0) fail("landlock_restrict_self");
  close(ruleset);
  return true;
}

// What a decode and an encode need (libavcodec, x264, x265, glibc's malloc
// and threads) and the channel (recvmsg/sendmsg of an inherited socket).
const int kAllowed[] = {
    SCMP_SYS(read), SCMP_SYS(write), SCMP_SYS(pread64), SCMP_SYS(pwrite64), SCMP_SYS(readv), SCMP_SYS(writev),
    SCMP_SYS(lseek), SCMP_SYS(close), SCMP_SYS(fstat), SCMP_SYS(newfstatat), SCMP_SYS(statx), SCMP_SYS(fcntl),
    SCMP_SYS(dup), SCMP_SYS(dup3), SCMP_SYS(ftruncate), SCMP_SYS(fsync), SCMP_SYS(fdatasync),
    SCMP_SYS(openat), SCMP_SYS(open),  // confined by Landlock to the scratch directory
    SCMP_SYS(unlink), SCMP_SYS(unlinkat), SCMP_SYS(rename), SCMP_SYS(renameat), SCMP_SYS(renameat2),
    SCMP_SYS(access), SCMP_SYS(faccessat), SCMP_SYS(faccessat2), SCMP_SYS(getcwd), SCMP_SYS(getdents64), SCMP_SYS(rmdir),
    SCMP_SYS(mmap), SCMP_SYS(munmap), SCMP_SYS(mprotect), SCMP_SYS(mremap), SCMP_SYS(brk), SCMP_SYS(madvise),
    SCMP_SYS(futex), SCMP_SYS(set_robust_list), SCMP_SYS(rseq),
    SCMP_SYS(set_tid_address), SCMP_SYS(exit), SCMP_SYS(exit_group), SCMP_SYS(membarrier),
    SCMP_SYS(rt_sigaction), SCMP_SYS(rt_sigprocmask), SCMP_SYS(rt_sigreturn), SCMP_SYS(sigaltstack),
    SCMP_SYS(tgkill), SCMP_SYS(getpid), SCMP_SYS(gettid), SCMP_SYS(getppid),
    SCMP_SYS(sched_yield), SCMP_SYS(sched_getaffinity), SCMP_SYS(sched_setaffinity), SCMP_SYS(sched_getparam),
    SCMP_SYS(sched_getscheduler), SCMP_SYS(getpriority), SCMP_SYS(setpriority),
    SCMP_SYS(nanosleep), SCMP_SYS(clock_nanosleep), SCMP_SYS(clock_gettime), SCMP_SYS(clock_getres),
    SCMP_SYS(gettimeofday), SCMP_SYS(times), SCMP_SYS(getrusage), SCMP_SYS(sysinfo), SCMP_SYS(uname),
    SCMP_SYS(getrandom), SCMP_SYS(prlimit64), SCMP_SYS(getrlimit), SCMP_SYS(prctl),
    SCMP_SYS(getuid), SCMP_SYS(geteuid), SCMP_SYS(getgid), SCMP_SYS(getegid),
    SCMP_SYS(poll), SCMP_SYS(ppoll), SCMP_SYS(recvmsg), SCMP_SYS(sendmsg), SCMP_SYS(recvfrom), SCMP_SYS(sendto),
    SCMP_SYS(memfd_create), SCMP_SYS(ioctl), SCMP_SYS(pipe), SCMP_SYS(pipe2),  // (pipes: AddressSanitizer checks memory with one)
    // x265's thread pool asks where it runs (NUMA), glibc's realpath and
    // older stat calls of some libraries.
    SCMP_SYS(get_mempolicy), SCMP_SYS(set_mempolicy), SCMP_SYS(mbind), SCMP_SYS(getcpu),
    SCMP_SYS(sched_get_priority_max), SCMP_SYS(sched_get_priority_min),
    SCMP_SYS(stat), SCMP_SYS(lstat), SCMP_SYS(readlink), SCMP_SYS(readlinkat), SCMP_SYS(statfs), SCMP_SYS(fstatfs),
};

void apply_seccomp() {
  struct sigaction sa {};
  sa.sa_sigaction = on_sigsys;
  sa.sa_flags = SA_SIGINFO;
  sigemptyset(&sa.sa_mask);
  if (sigaction(SIGSYS, &sa, nullptr) != 0) fail("sigaction SIGSYS");
  scmp_filter_ctx ctx = seccomp_init(SCMP_ACT_TRAP);
  if (!ctx) throw std::runtime_error("seccomp_init failed");
  for (int nr : kAllowed) {
    if (nr < 0) continue;  // not a system call on this architecture
    if (seccomp_rule_add(ctx, SCMP_ACT_ALLOW, nr, 0) != 0) {
      seccomp_release(ctx);
      throw std::runtime_error("seccomp_rule_add " + std::to_string(nr));
    }
  }
  // Threads only: clone without CLONE_THREAD (a process, a namespace) traps.
  // clone3 passes its flags in memory, where a filter cannot look: ENOSYS
  // makes glibc fall back to clone.
  if (seccomp_rule_add(ctx, SCMP_ACT_ALLOW, SCMP_SYS(clone), 1,
                       SCMP_A0(SCMP_CMP_MASKED_EQ, CLONE_THREAD, CLONE_THREAD)) != 0 ||
      seccomp_rule_add(ctx, SCMP_ACT_ERRNO(ENOSYS), SCMP_SYS(clone3), 0) != 0) {
    seccomp_release(ctx);
    throw std::runtime_error("seccomp_rule_add clone");
  }
  int rc = seccomp_load(ctx);
  seccomp_release(ctx);
  if (rc != 0) {
    errno = -rc;
    fail("seccomp_load");
  }
}

}  // namespace

SandboxReport enter_sandbox(const SandboxOptions& opt) {
  SandboxReport report;
  rlimit core{0, 0};
  if (setrlimit(RLIMIT_CORE, &core) != 0) fail("setrlimit RLIMIT_CORE");
#if defined(__SANITIZE_ADDRESS__)
  // AddressSanitizer reserves terabytes of address space for its shadow: a
  // limit on the address space would starve it (the ASan test build only).
  const bool limit_memory = false;
#else
  const bool limit_memory = opt.memory_bytes > 0;
#endif
  if (limit_memory) {
    rlimit as{static_cast<rlim_t>(opt.memory_bytes), static_cast<rlim_t>(opt.memory_bytes)};
    if (setrlimit(RLIMIT_AS, &as) != 0) fail("setrlimit RLIMIT_AS");
  }
  if (opt.drop_user) {
    if (setgroups(0, nullptr) != 0) fail("setgroups");
    if (setresgid(opt.gid, opt.gid, opt.gid) != 0) fail("setresgid");
    if (setresuid(opt.uid, opt.uid, opt.uid) != 0) fail("setresuid");
  }
  // No capability survives: hlsfsd's unit gives it ambient ones (CAP_SYS_ADMIN
  // for the mount), which an exec would otherwise pass on.
  if (prctl(PR_CAP_AMBIENT, PR_CAP_AMBIENT_CLEAR_ALL, 0, 0, 0) != 0 && errno != EINVAL) fail("clear ambient capabilities");
  // Then whatever is still held (as root before the user switch, nothing
  // after it). capset only when needed: hlsfsd's unit refuses it
  // (~@privileged), and the pool starts workers from a thread without
  // ambient capabilities, so under the unit there is nothing to drop.
  __user_cap_header_struct head{_LINUX_CAPABILITY_VERSION_3, 0};
  __user_cap_data_struct held[2]{};
  if (syscall(SYS_capget, &head, held) != 0) fail("capget");
  if (held[0].permitted || held[1].permitted) {  // (an inheritable set alone gives nothing: no exec, no file caps)
    __user_cap_data_struct none[2]{};
    if (syscall(SYS_capset, &head, none) != 0) fail("capset");
  }
  if (prctl(PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0) != 0) fail("no_new_privs");
  if (opt.before_lock) opt.before_lock();
  report.landlock = apply_landlock(opt.scratch_dir);
  apply_seccomp();
  report.seccomp = true;
  return report;
}

}  // namespace hlsfs
