// A job's deadline from its progress (job_deadline.h) and the waiter that
// gives up on a stuck thread (watched_thread.h).
#include <unistd.h>

#include <atomic>
#include <chrono>
#include <cstdlib>
#include <filesystem>
#include <stdexcept>
#include <string>
#include <thread>

#include <gtest/gtest.h>

#include "actors/transcoder/demux.h"
#include "actors/transcoder/job_deadline.h"
#include "actors/transcoder/probe.h"
#include "actors/transcoder/watched_thread.h"

namespace hlsfs {
namespace {

using namespace std::chrono_literals;
using Clock = ProgressDeadline::Clock;

TEST(ProgressDeadline, RunsOutOnlyAfterItsLimitWithoutProgress) {
  const auto t0 = Clock::now();
  ProgressDeadline d(3s, "segment 3", true, t0);
  EXPECT_FALSE(d.over(t0 + 2s));
  d.progress(t0 + 2s);
  EXPECT_FALSE(d.over(t0 + 4s));  // 2 s since the last progress
  EXPECT_FALSE(d.over(t0 + 5s));  // exactly the limit
  EXPECT_TRUE(d.over(t0 + 5s + 1ms));
  EXPECT_TRUE(d.expired());
  EXPECT_EQ(d.reason(), "segment 3: no progress for 3.0 s (limit 3 s, transcoder.job_timeout)");
}

TEST(ProgressDeadline, OnceOverItStaysOverWhateverComesLater) {
  const auto t0 = Clock::now();
  ProgressDeadline d(1s, "", true, t0);
  EXPECT_TRUE(d.over(t0 + 2s));
  d.progress(t0 + 2s);  // a thread left behind that got on again
  EXPECT_TRUE(d.over(t0 + 2s));
  EXPECT_THROW(d.check(t0 + 2s), JobTimedOut);
  EXPECT_EQ(d.reason(), "no progress for 2.0 s (limit 1 s, transcoder.job_timeout)");
}

TEST(ProgressDeadline, ExpireEndsItAtOnceAndKeepsTheFirstReason) {
  const auto t0 = Clock::now();
  ProgressDeadline d(10s, "probing x", true, t0);
  d.expire(t0 + 1s);
  d.expire(t0 + 5s);
  EXPECT_TRUE(d.over(t0 + 1s));
  EXPECT_EQ(d.reason(), "probing x: no progress for 1.0 s (limit 10 s, transcoder.job_timeout)");
  try {
    d.check(t0 + 1s);
    FAIL() << "check() did not throw";
  } catch (const JobTimedOut& e) {
    EXPECT_EQ(std::string(e.what()), d.reason());
  }
}

TEST(ProgressDeadline, ADisarmedDeadlineNeverRunsOutAndArmingStartsTheClock) {
  const auto t0 = Clock::now();
  ProgressDeadline d(1s, "generate", false, t0);
  EXPECT_FALSE(d.over(t0 + 1h));
  d.arm("probing a.mkv", t0 + 1h);
  EXPECT_FALSE(d.over(t0 + 1h + 1s));
  EXPECT_TRUE(d.over(t0 + 1h + 2s));
  EXPECT_EQ(d.reason(), "probing a.mkv: no progress for 2.0 s (limit 1 s, transcoder.job_timeout)");
}

TEST(ProgressDeadline, LimitsComeFromTheConfigurationOrTheSegmentLength) {
  EXPECT_EQ(segment_job_limit(3000, 6), 3000ms);
  EXPECT_EQ(segment_job_limit(0, 6), 70s);   // 10 x 6 s + 10 s
  EXPECT_EQ(segment_job_limit(0, 2.5), 35s);
  EXPECT_EQ(segment_job_limit(0, 0), 110s);  // unknown length: as for 10 s
  EXPECT_EQ(segment_job_limit(0, 1e6), 600s);  // a crafted huge segment: at most 10 minutes
  EXPECT_EQ(probe_limit(0), 60s);
  EXPECT_EQ(probe_limit(2500), 2500ms);
}

TEST(ProgressDeadline, TheThreadsDeadlineIsScopedAndReadingArmsItOnlyWhileItReads) {
  EXPECT_EQ(current_deadline(), nullptr);
  note_progress();   // no deadline: nothing to do
  check_deadline();  // and nothing to throw
  auto d = std::make_shared<ProgressDeadline>(1h, "generate", false);
  {
    DeadlineScope scope(d);
    EXPECT_EQ(current_deadline(), d);
    {
      Reading reading("probing a.mkv");
      EXPECT_TRUE(d->armed());
      Reading nested("reading subtitles");  // armed already: left as it is
      EXPECT_TRUE(d->armed());
    }
    EXPECT_FALSE(d->armed());
    auto inner = std::make_shared<ProgressDeadline>(1h, "inner");
    {
      DeadlineScope again(inner);
      EXPECT_EQ(current_deadline(), inner);
    }
    EXPECT_EQ(current_deadline(), d);
  }
  EXPECT_EQ(current_deadline(), nullptr);
}

// A call that blocks until released, as a read() of a stalled store does,
// with nothing checking the deadline meanwhile.
struct Gate {
  std::atomic<bool> open{false};
  void wait() const {
    while (!open.load()) std::this_thread::sleep_for(5ms);
  }
};

bool eventually(const std::function<bool()>& cond) {
  for (int i = 0; i < 400; ++i) {
    if (cond()) return true;
    std::this_thread::sleep_for(5ms);
  }
  return cond();
}

TEST(WatchedThread, WorkThatKeepsGoingIsWaitedForPastItsLimit) {
  auto d = std::make_shared<ProgressDeadline>(100ms, "job");
  int frames = 0;
  Watched w = run_watched(
      d,
      [&frames] {
        for (; frames < 10; ++frames) {  // 500 ms in all, 50 ms between frames
          std::this_thread::sleep_for(50ms);
          check_deadline();
          note_progress();
        }
      },
      4, 10ms);
  EXPECT_EQ(w, Watched::done);
  EXPECT_EQ(frames, 10);
  EXPECT_FALSE(d->expired());
}

TEST(WatchedThread, WhatTheWorkThrowsReachesTheWaiter) {
  auto d = std::make_shared<ProgressDeadline>(1s, "job");
  EXPECT_THROW(run_watched(d, [] { throw std::runtime_error("bad source"); }, 4), std::runtime_error);
}

TEST(WatchedThread, AThreadStuckWhereNothingChecksIsLeftBehindAtItsDeadlineAndEndsWhenReleased) {
  const int before = abandoned_threads();
  auto gate = std::make_shared<Gate>();
  auto result = std::make_shared<std::atomic<int>>(0);  // what the work got to: 1 resumed, 2 ran past its check
  auto d = std::make_shared<ProgressDeadline>(200ms, "segment 0");
  const auto t0 = Clock::now();
  Watched w = run_watched(
      d,
      [gate, result] {
        gate->wait();  // blocked, never checking
        *result = 1;
        check_deadline();  // its deadline expired meanwhile: it ends here
        *result = 2;
      },
      4, 10ms);
  const auto waited = Clock::now() - t0;
  EXPECT_EQ(w, Watched::stalled);
  EXPECT_GE(waited, 200ms);
  EXPECT_LT(waited, 1s);
  EXPECT_TRUE(d->expired());
  EXPECT_EQ(abandoned_threads(), before + 1);
  gate->open = true;
  EXPECT_TRUE(eventually([&] { return abandoned_threads() == before; }));
  EXPECT_EQ(result->load(), 1);  // it resumed and stopped at its next check
}

TEST(WatchedThread, NoNewWorkRunsWhileTooManyThreadsAreLeftBehind) {
  const int before = abandoned_threads();
  auto gate = std::make_shared<Gate>();
  for (int i = 0; i < 2; ++i) {
    auto d = std::make_shared<ProgressDeadline>(50ms, "stuck");
    EXPECT_EQ(run_watched(d, [gate] { gate->wait(); }, before + 2, 10ms), Watched::stalled);
  }
  EXPECT_EQ(abandoned_threads(), before + 2);
  bool ran = false;
  auto d = std::make_shared<ProgressDeadline>(1s, "next");
  EXPECT_EQ(run_watched(d, [&ran] { ran = true; }, before + 2), Watched::refused);
  EXPECT_FALSE(ran);
  gate->open = true;
  EXPECT_TRUE(eventually([&] { return abandoned_threads() == before; }));
  EXPECT_EQ(run_watched(d, [&ran] { ran = true; }, before + 2), Watched::done);
  EXPECT_TRUE(ran);
}

// A short real source, made once with the ffmpeg CLI.
class DeadlineOnMedia : public ::testing::Test {
 protected:
  static void SetUpTestSuite() {
    dir_ = std::filesystem::temp_directory_path() / ("hlsfs-deadline-" + std::to_string(getpid()));
    std::filesystem::create_directories(dir_);
    for (const char* ext : {"mp4", "ts"}) {
      std::string cmd = "ffmpeg -nostdin -loglevel error -y -f lavfi -i testsrc2=size=160x120:rate=25:duration=2 "
                        "-c:v libx264 -preset ultrafast -g 25 " +
                        (dir_ / (std::string("clip.") + ext)).string();
      if (std::system(cmd.c_str()) != 0) ADD_FAILURE() << "ffmpeg failed: " << cmd;
    }
  }
  static void TearDownTestSuite() { std::filesystem::remove_all(dir_); }
  static std::string uri(const char* ext) { return "file://" + (dir_ / (std::string("clip.") + ext)).string(); }
  static inline std::filesystem::path dir_;
};

std::shared_ptr<ProgressDeadline> expired_deadline() {
  auto d = std::make_shared<ProgressDeadline>(1s, "segment 0");
  d->expire();
  return d;
}

TEST_F(DeadlineOnMedia, LibavsOwnLoopsEndThroughTheInterruptCallback) {
  LocalFileOpener opener;
  InputPtr in = opener.open(uri("ts"));  // MPEG-TS: its stream information is read from packets
  DeadlineScope scope(expired_deadline());
  auto kept = arm_interrupt(in.get());
  ASSERT_NE(kept, nullptr);
  // It stops at once, and may even say it succeeded (FFmpeg 5.1 does): the
  // callers check the deadline after it.
  avformat_find_stream_info(in.get(), nullptr);
  EXPECT_EQ(in->streams[0]->codecpar->width, 0);  // nothing was read
  EXPECT_THROW(check_deadline(), JobTimedOut);
}

TEST_F(DeadlineOnMedia, WithoutADeadlineTheInputIsLeftAsItWas) {
  LocalFileOpener opener;
  InputPtr in = opener.open(uri("ts"));
  EXPECT_EQ(arm_interrupt(in.get()), nullptr);
  EXPECT_EQ(in->interrupt_callback.callback, nullptr);
  EXPECT_GE(avformat_find_stream_info(in.get(), nullptr), 0);
  EXPECT_EQ(in->streams[0]->codecpar->width, 160);
}

TEST_F(DeadlineOnMedia, ADemuxerPastItsDeadlineThrowsInsteadOfEndingTheStreamEarly) {
  LocalFileOpener opener;
  for (const char* ext : {"mp4", "ts"}) {
    auto d = std::make_shared<ProgressDeadline>(1h, "segment 0");
    DeadlineScope scope(d);
    Demuxer demux(opener, uri(ext), 0);
    DecodeStart start = demux.start_at_beginning();
    FramePtr frame = make_frame();
    int frames = 0;
    auto on_frame = [&](AVFrame*) {
      if (++frames == 5) d->expire();  // the waiter gave up meanwhile
      return true;
    };
    EXPECT_THROW(demux.decode(start, frame.get(), on_frame), JobTimedOut) << ext;
    EXPECT_LT(frames, 50) << ext;  // not decoded to the end
  }
}

TEST_F(DeadlineOnMedia, AProbePastItsDeadlineSaysSo) {
  LocalFileOpener opener;
  {
    DeadlineScope scope(expired_deadline());
    EXPECT_THROW(probe_source(opener, uri("mp4")), JobTimedOut);
  }
  // A generate's deadline runs only while it reads: the probe arms it.
  auto d = std::make_shared<ProgressDeadline>(1h, "generate", false);
  {
    DeadlineScope scope(d);
    MediaInfo info = probe_source(opener, uri("mp4"));
    EXPECT_FALSE(info.streams.empty());
  }
  EXPECT_FALSE(d->armed());
  EXPECT_FALSE(d->expired());
}

}  // namespace
}  // namespace hlsfs
