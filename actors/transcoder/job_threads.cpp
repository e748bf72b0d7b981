#include "actors/transcoder/job_threads.h"

#include <dirent.h>
#include <sys/prctl.h>
#include <sys/resource.h>
#include <unistd.h>

#include <cerrno>
#include <cstdlib>
#include <fstream>

namespace hlsfs {

std::string job_thread_name(uint32_t job_id) { return "hlsfs-job" + std::to_string(job_id % 1000000); }

namespace {
// Read while the process starts, on the main thread, before any job lowers a thread.
const int kDaemonNice = getpriority(PRIO_PROCESS, 0);
}  // namespace

int daemon_nice() { return kDaemonNice; }

void name_this_thread(const std::string& name) { prctl(PR_SET_NAME, name.c_str(), 0, 0, 0); }

RaiseResult raise_job_threads(const std::string& name) {
  RaiseResult r;
  DIR* tasks = opendir("/proc/self/task");
  if (!tasks) return {0, errno};
  while (dirent* e = readdir(tasks)) {
    if (e->d_name[0] == '.') continue;
    std::ifstream comm(std::string("/proc/self/task/") + e->d_name + "/comm");
    std::string thread_name;
    if (!std::getline(comm, thread_name) || thread_name != name) continue;  // gone, or not the job's
    auto tid = static_cast<id_t>(std::strtol(e->d_name, nullptr, 10));
    if (setpriority(PRIO_PROCESS, tid, kDaemonNice) == 0) {
      ++r.raised;
    } else if (errno != ESRCH && !r.error) {  // ESRCH: the thread ended meanwhile
      r.error = errno;
    }
  }
  closedir(tasks);
  return r;
}

}  // namespace hlsfs
