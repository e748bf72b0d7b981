// A background job's threads (its own and those it starts, as libavcodec and
// x264 do) are raised to the daemon's nice value by name; other background threads are not.
#include <sys/resource.h>
#include <sys/syscall.h>
#include <unistd.h>

#include <atomic>
#include <condition_variable>
#include <mutex>
#include <thread>

#include <gtest/gtest.h>

#include "actors/transcoder/job_threads.h"

namespace hlsfs {
namespace {

int this_thread_nice() { return getpriority(PRIO_PROCESS, static_cast<id_t>(syscall(SYS_gettid))); }

// A thread that names itself, goes to nice 19, starts a child (which
// inherits both), then reports both nice values once told to finish.
class BackgroundJob {
 public:
  explicit BackgroundJob(const std::string& name) {
    thread_ = std::thread([this, name] {
      name_this_thread(name);
      setpriority(PRIO_PROCESS, static_cast<id_t>(syscall(SYS_gettid)), 19);
      std::thread child([this] { run(child_nice_); });
      run(own_nice_);
      child.join();
    });
    std::unique_lock<std::mutex> l(m_);
    cv_.wait(l, [this] { return started_ == 2; });
  }
  // Lets both threads read their nice value and end.
  void finish() {
    {
      std::lock_guard<std::mutex> l(m_);
      done_ = true;
    }
    cv_.notify_all();
    thread_.join();
  }
  int own_nice() const { return own_nice_; }
  int child_nice() const { return child_nice_; }

 private:
  void run(std::atomic<int>& nice) {
    std::unique_lock<std::mutex> l(m_);
    ++started_;
    cv_.notify_all();
    cv_.wait(l, [this] { return done_; });
    nice = this_thread_nice();
  }
  std::mutex m_;
  std::condition_variable cv_;
  int started_ = 0;
  bool done_ = false;
  std::atomic<int> own_nice_{-100}, child_nice_{-100};
  std::thread thread_;
};

TEST(JobThreads, NameFitsLinuxLimit) {
  EXPECT_EQ(job_thread_name(42), "hlsfs-job42");
  EXPECT_LE(job_thread_name(4294967295u).size(), 15u);
}

TEST(JobThreads, RaisesTheJobAndTheThreadsItStartedOnly) {
  BackgroundJob job(job_thread_name(7)), other(job_thread_name(8));
  RaiseResult r = raise_job_threads(job_thread_name(7));
  job.finish();
  other.finish();
  if (r.error == EACCES || r.error == EPERM) GTEST_SKIP() << "no CAP_SYS_NICE here: nice cannot be lowered";
  if (daemon_nice() >= 19) GTEST_SKIP() << "started at nice 19: a raise changes nothing";
  EXPECT_EQ(r.error, 0);
  EXPECT_EQ(r.raised, 2);
  EXPECT_EQ(job.own_nice(), daemon_nice());  // back to the process's own (systemd's Nice=)
  EXPECT_EQ(job.child_nice(), daemon_nice());
  EXPECT_EQ(other.own_nice(), 19);
  EXPECT_EQ(other.child_nice(), 19);
}

TEST(JobThreads, AJobThatEndedRaisesNothing) {
  RaiseResult r = raise_job_threads(job_thread_name(999));
  EXPECT_EQ(r.raised, 0);
  EXPECT_EQ(r.error, 0);
}

}  // namespace
}  // namespace hlsfs
