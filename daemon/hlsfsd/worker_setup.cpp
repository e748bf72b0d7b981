#include "daemon/hlsfsd/worker_setup.h"

#include <pwd.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <cstdlib>
#include <cstring>
#include <filesystem>
#include <stdexcept>

#include "actors/worker/quarantine.h"
#include "actors/worker/worker_pool.h"
#include "hlsfs/log.h"

namespace hlsfs {

namespace {

std::string self_exe() {
  std::error_code ec;
  auto p = std::filesystem::read_symlink("/proc/self/exe", ec);
  return ec ? "" : p.string();
}

}  // namespace

void start_workers(const Config& cfg, Services& svc) {
  svc.quarantine = std::make_shared<Quarantine>(cfg.state_dir + "/quarantine.json");
  if (cfg.isolation == "inline") {
    HLSFS_LOG(warning, "worker") << "transcoder.isolation is inline: decoders run inside hlsfsd, and a crash on a "
                                    "hostile file takes the mount down";
    return;
  }
  WorkerPoolOptions opt;
  opt.binary = find_worker_binary(self_exe());
  if (opt.binary.empty())
    throw std::runtime_error("hlsfs-worker is not next to hlsfsd (nor in ../lib/hlsfs/): reinstall hlsfs, or set "
                             "transcoder.isolation: inline");
  opt.workers = cfg.workers;
  opt.job_memory = cfg.job_memory;
  // <cache_dir>/.workers: each worker's private directory (x264's two-pass
  // statistics), given to the worker's user; stale ones of a crashed run go.
  opt.scratch_parent = cfg.cache_dir + "/.workers";
  std::error_code ec;
  std::filesystem::remove_all(opt.scratch_parent, ec);
  if (mkdir(opt.scratch_parent.c_str(), 0711) != 0 && errno != EEXIST)
    throw std::runtime_error(opt.scratch_parent + ": " + strerror(errno));
  if (geteuid() == 0) {
    std::string user = cfg.worker_user.empty() ? "nobody" : cfg.worker_user;
    passwd* pw = getpwnam(user.c_str());
    if (!pw) throw std::runtime_error("transcoder.worker_user: no user \"" + user + "\"");
    opt.drop_user = pw->pw_uid != 0;
    opt.uid = pw->pw_uid;
    opt.gid = pw->pw_gid;
  }
  if (const char* fp = getenv("HLSFS_WORKER_FAILPOINT")) opt.failpoint = fp;
  auto pool = std::make_shared<WorkerPool>(opt);
  HLSFS_LOG(info, "worker") << pool->started() << " worker processes (" << opt.binary << ", "
                            << (opt.drop_user ? "uid " + std::to_string(opt.uid) : std::string("same user"))
                            << ", memory " << (opt.job_memory >> 20) << " MiB, seccomp, Landlock "
                            << (pool->landlock() ? "on" : "unavailable in this kernel") << ")";
  if (!opt.failpoint.empty()) HLSFS_LOG(warning, "worker") << "fail point set: " << opt.failpoint << " (tests only)";
  svc.worker_pool = pool;
}

}  // namespace hlsfs
