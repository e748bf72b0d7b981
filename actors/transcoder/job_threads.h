// The threads of one segment job, found by name, so that a job started in the
// background can be given a reader's CPU priority while it runs.
//
// A job runs on a thread of its own at its priority (background work at nice
// 19). The decoder's and x264's threads are started by that thread and
// inherit both its nice value and its name (Linux copies a thread's name to
// the threads it creates; libavcodec and x264 do not rename theirs). So the
// name is the job's handle: every thread carrying it is the job's, and
// raising the job means giving each of them the daemon's nice value again.
#pragma once
#include <cstdint>
#include <string>

namespace hlsfs {

// "hlsfs-job<id>" within Linux's 15 characters (the id wraps).
std::string job_thread_name(uint32_t job_id);

// Names the calling thread; threads it starts from now on carry the name.
void name_this_thread(const std::string& name);

// The nice value hlsfsd was started with (systemd's Nice=), read once:
// what a reader's job runs at, and what a raised job goes back to.
int daemon_nice();

struct RaiseResult {
  int raised = 0;  // threads now at daemon_nice()
  int error = 0;   // errno of the first refusal (EACCES/EPERM without CAP_SYS_NICE), or 0
};

// Gives every thread of this process named `name` daemon_nice().
RaiseResult raise_job_threads(const std::string& name);

}  // namespace hlsfs
