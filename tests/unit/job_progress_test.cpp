// Background jobs yield to the jobs readers wait for (JobProgressBoard).
#include <atomic>
#include <chrono>
#include <thread>

#include <gtest/gtest.h>

#include "actors/transcoder/job_progress.h"

namespace hlsfs {
namespace {

using namespace std::chrono_literals;

// A thread calling yield_to_readers() once, as an encode does after a frame.
class Frame {
 public:
  explicit Frame(std::shared_ptr<EncodeProgress> p) : thread_([this, p] {
      p->yield_to_readers();
      done_ = true;
    }) {}
  ~Frame() { thread_.join(); }
  // True once the call returned (waits up to a second for it).
  bool returned() {
    for (int i = 0; i < 200 && !done_; ++i) std::this_thread::sleep_for(5ms);
    return done_;
  }
  bool still_waiting() {
    std::this_thread::sleep_for(50ms);
    return !done_;
  }

 private:
  std::atomic<bool> done_{false};
  std::thread thread_;
};

TEST(JobProgress, ABackgroundJobGoesOnWhenNoReaderWaits) {
  JobProgressBoard board;
  Frame f(board.start(1, /*background=*/true));
  EXPECT_TRUE(f.returned());
}

TEST(JobProgress, ABackgroundJobWaitsWhileAReadersJobRunsAndGoesOnAfter) {
  JobProgressBoard board;
  auto background = board.start(1, true);
  board.start(2, false);
  EXPECT_EQ(board.reader_jobs(), 1);
  Frame f(background);
  EXPECT_TRUE(f.still_waiting());
  board.finish(2);
  EXPECT_EQ(board.reader_jobs(), 0);
  EXPECT_TRUE(f.returned());
}

TEST(JobProgress, AReadersJobNeverWaits) {
  JobProgressBoard board;
  board.start(1, false);
  Frame f(board.start(2, false));
  EXPECT_TRUE(f.returned());
}

TEST(JobProgress, ARaisedJobStopsWaitingAndOthersWaitForIt) {
  JobProgressBoard board;
  auto raised = board.start(1, true), other = board.start(2, true);
  board.start(3, false);
  Frame waiting(raised);
  EXPECT_TRUE(waiting.still_waiting());
  board.raise(1);
  EXPECT_TRUE(waiting.returned());
  board.finish(3);
  EXPECT_EQ(board.reader_jobs(), 1);  // the raised one
  Frame f(other);
  EXPECT_TRUE(f.still_waiting());
  board.raise(1);  // twice: counted once
  board.finish(1);
  EXPECT_EQ(board.reader_jobs(), 0);
  EXPECT_TRUE(f.returned());
}

TEST(JobProgress, ProgressOfRunningJobsOnly) {
  JobProgressBoard board;
  EXPECT_EQ(board.jobs_started(), 0u);
  auto p = board.start(7, true);
  EXPECT_EQ(board.jobs_started(), 1u);
  p->total = 50;
  p->frames = 20;
  EXPECT_EQ(board.get(7), std::make_pair(int64_t{20}, int64_t{50}));
  EXPECT_EQ(board.find(7), p);
  board.finish(7);
  EXPECT_EQ(board.get(7), std::make_pair(int64_t{0}, int64_t{0}));
  EXPECT_EQ(board.find(7), nullptr);
  board.raise(7);  // ended: nothing to raise
  EXPECT_EQ(board.reader_jobs(), 0);
}

}  // namespace
}  // namespace hlsfs
