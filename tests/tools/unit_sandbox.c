/* unit_sandbox: runs a command under the seccomp filters systemd would load
 * for hlsfsd.service, so tests/integration/systemd_service.sh can check the
 * daemon mounts, serves and encodes under them where systemd is not PID 1.
 *
 *   unit_sandbox ALLOW_FILE [--mdwe] -- COMMAND [ARGS...]
 *
 * ALLOW_FILE: the syscall names SystemCallFilter= allows, one a line (the
 * test expands the unit's groups with `systemd-analyze syscall-filter`).
 * Any other syscall kills the process (SIGSYS): stricter than the unit's
 * SystemCallErrorNumber=EPERM, so nothing needed hides behind an error.
 * --mdwe adds MemoryDenyWriteExecute=yes as systemd 252 implements it
 * (seccomp_memory_deny_write_execute): mmap with PROT_WRITE|PROT_EXEC,
 * mprotect/pkey_mprotect adding PROT_EXEC and shmat with SHM_EXEC fail with
 * EPERM. Each is its own filter, as systemd loads them; the kernel applies
 * the strictest answer. */
#include <errno.h>
#include <seccomp.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/prctl.h>
#include <sys/shm.h>
#include <unistd.h>

static void die(const char *what, int err) {
  fprintf(stderr, "unit_sandbox: %s: %s\n", what, strerror(err < 0 ? -err : err));
  exit(125);
}

static void load_allow_list(const char *file) {
  FILE *f = fopen(file, "r");
  if (!f) die(file, errno);
  scmp_filter_ctx ctx = seccomp_init(SCMP_ACT_KILL_PROCESS);
  if (!ctx) die("seccomp_init", ENOMEM);
  char name[128];
  int allowed = 0;
  while (fscanf(f, "%127s", name) == 1) {
    int nr = seccomp_syscall_resolve_name(name);
    if (nr == __NR_SCMP_ERROR) continue; /* not on this architecture */
    int rc = seccomp_rule_add(ctx, SCMP_ACT_ALLOW, nr, 0);
    if (rc < 0 && rc != -EEXIST) die(name, rc);
    ++allowed;
  }
  fclose(f);
  if (allowed < 50) die("the allow list is suspiciously short", EINVAL);
  int rc = seccomp_load(ctx);
  if (rc < 0) die("seccomp_load (allow list)", rc);
  seccomp_release(ctx);
}

static void load_mdwe(void) {
  scmp_filter_ctx ctx = seccomp_init(SCMP_ACT_ALLOW);
  if (!ctx) die("seccomp_init", ENOMEM);
  int rc = 0;
  rc |= seccomp_rule_add(ctx, SCMP_ACT_ERRNO(EPERM), SCMP_SYS(mmap), 1,
                         SCMP_A2(SCMP_CMP_MASKED_EQ, PROT_EXEC | PROT_WRITE, PROT_EXEC | PROT_WRITE));
  rc |= seccomp_rule_add(ctx, SCMP_ACT_ERRNO(EPERM), SCMP_SYS(mprotect), 1,
                         SCMP_A2(SCMP_CMP_MASKED_EQ, PROT_EXEC, PROT_EXEC));
  rc |= seccomp_rule_add(ctx, SCMP_ACT_ERRNO(EPERM), SCMP_SYS(pkey_mprotect), 1,
                         SCMP_A2(SCMP_CMP_MASKED_EQ, PROT_EXEC, PROT_EXEC));
  rc |= seccomp_rule_add(ctx, SCMP_ACT_ERRNO(EPERM), SCMP_SYS(shmat), 1,
                         SCMP_A2(SCMP_CMP_MASKED_EQ, SHM_EXEC, SHM_EXEC));
  if (rc) die("seccomp_rule_add (MemoryDenyWriteExecute)", rc);
  rc = seccomp_load(ctx);
  if (rc < 0) die("seccomp_load (MemoryDenyWriteExecute)", rc);
  seccomp_release(ctx);
}

int main(int argc, char **argv) {
  if (argc < 4) {
    fprintf(stderr, "usage: unit_sandbox ALLOW_FILE [--mdwe] -- COMMAND [ARGS...]\n");
    return 2;
  }
  int i = 2, mdwe = 0;
  if (strcmp(argv[i], "--mdwe") == 0) mdwe = 1, ++i;
  if (i >= argc || strcmp(argv[i], "--") != 0 || i + 1 >= argc) {
    fprintf(stderr, "usage: unit_sandbox ALLOW_FILE [--mdwe] -- COMMAND [ARGS...]\n");
    return 2;
  }
  /* NoNewPrivileges=yes (the unit sets it; seccomp needs it without CAP_SYS_ADMIN). */
  if (prctl(PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0) != 0) die("PR_SET_NO_NEW_PRIVS", errno);
  if (mdwe) load_mdwe();
  load_allow_list(argv[1]);
  execv(argv[i + 1], argv + i + 1);
  die(argv[i + 1], errno);
  return 125;
}
