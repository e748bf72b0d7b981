// Background jobs yield to the jobs readers wait for (JobProgressBoard).
#include <atomic>
#include <chrono>
#include <string>
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
      try {
        p->yield_to_readers();
      } catch (const MediaError& e) {
        error_ = e.what();
      }
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
  // What the call threw (read once it returned).
  const std::string& error() const { return error_; }

 private:
  std::atomic<bool> done_{false};
  std::string error_;
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

TEST(JobProgress, WithCpusToSpareBackgroundJobsGoOnBesideReaders) {
  JobProgressBoard board(/*pause_at=*/2);  // two readers' jobs fill the CPUs
  auto background = board.start(1, true);
  board.start(2, false);
  Frame beside_one(background);
  EXPECT_TRUE(beside_one.returned());
  board.start(3, false);
  Frame beside_two(background);
  EXPECT_TRUE(beside_two.still_waiting());
  board.finish(3);
  EXPECT_TRUE(beside_two.returned());
}

TEST(JobProgress, ReadersJobsFillingTheCpus) {
  EXPECT_EQ(reader_jobs_filling(2, 2), 1);  // this machine: one reader's job keeps both busy
  EXPECT_EQ(reader_jobs_filling(3, 2), 2);  // one leaves a CPU free
  EXPECT_EQ(reader_jobs_filling(16, 2), 8);
  EXPECT_EQ(reader_jobs_filling(1, 4), 1);
  EXPECT_EQ(reader_jobs_filling(0, 2), 1);  // unknown: pause as on a small machine
  EXPECT_GE(usable_cpus(), 1);
}

TEST(JobProgress, StopAllEndsEveryEncodeAtItsNextFrame) {
  JobProgressBoard board;
  auto paused = board.start(1, true), reader = board.start(2, false);
  Frame waiting(paused);
  EXPECT_TRUE(waiting.still_waiting());
  board.stop_all();
  EXPECT_TRUE(waiting.returned());
  EXPECT_NE(waiting.error().find("stopping"), std::string::npos) << waiting.error();
  Frame readers(reader);
  EXPECT_TRUE(readers.returned());
  EXPECT_NE(readers.error().find("stopping"), std::string::npos) << readers.error();
  Frame later(board.start(3, false));  // one the scheduler starts meanwhile
  EXPECT_TRUE(later.returned());
  EXPECT_FALSE(later.error().empty());
}

TEST(JobProgress, ProgressOfRunningJobsOnly) {
  JobProgressBoard board;
  EXPECT_EQ(board.jobs_started(), 0u);
  auto p = board.start(7, true);
  EXPECT_EQ(board.jobs_started(), 1u);
  EXPECT_EQ(board.running(), 1);
  p->total = 50;
  p->frames = 20;
  EXPECT_EQ(board.get(7), std::make_pair(int64_t{20}, int64_t{50}));
  EXPECT_EQ(board.find(7), p);
  board.finish(7);
  EXPECT_EQ(board.running(), 0);
  EXPECT_EQ(board.get(7), std::make_pair(int64_t{0}, int64_t{0}));
  EXPECT_EQ(board.find(7), nullptr);
  board.raise(7);  // ended: nothing to raise
  EXPECT_EQ(board.reader_jobs(), 0);
}

}  // namespace
}  // namespace hlsfs
