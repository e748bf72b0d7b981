// Segment plan arithmetic: boundaries on the output grid, exact EXTINF.
#include <gtest/gtest.h>

#include <numeric>

#include "actors/playlist/m3u8.h"
#include "actors/playlist/plan.h"

using namespace hlsfs;

namespace {
std::vector<int64_t> lengths(const SegmentPlan& p) {
  std::vector<int64_t> out;
  for (size_t k = 0; k < p.size(); ++k) out.push_back(p.end(k) - p.begin(k));
  return out;
}
const Rational k25{1, 25};
const Rational kNtsc30{1001, 30000};  // one frame of 29.97
const Rational kNtsc24{1001, 24000};  // one frame of 23.976
}  // namespace

TEST(Plan, InitialSegmentsThenDuration) {
  SegmentPlan p = make_plan(units_for(60.0, k25), k25, {2, 2, 2}, 10);
  EXPECT_EQ(lengths(p), (std::vector<int64_t>{50, 50, 50, 250, 250, 250, 250, 250, 100}));
  EXPECT_DOUBLE_EQ(p.extinf(0), 2.0);
  EXPECT_DOUBLE_EQ(p.duration(), 60.0);
}

TEST(Plan, BoundariesRoundToTheFrameGridWithoutDrift) {
  // 29.97 fps: 2 s is 59.94 frames. Each cumulative boundary is rounded, so
  // lengths alternate and boundary k stays within half a frame of k*2 s.
  SegmentPlan p = make_plan(units_for(600.0, kNtsc30), kNtsc30, {}, 5);
  for (size_t k = 0; k + 1 < p.size(); ++k) {
    double nominal = 5.0 * static_cast<double>(k + 1);
    EXPECT_NEAR(p.seconds(p.end(k)), nominal, 0.5 * 1001.0 / 30000.0) << k;
  }
  EXPECT_EQ(p.total_units(), 17982);  // round(600 * 29.97)
}

TEST(Plan, NtscFilmRateExtinfIsWholeFrames) {
  SegmentPlan p = make_plan(units_for(30.0, kNtsc24), kNtsc24, {2, 2, 2}, 10);
  for (size_t k = 0; k < p.size(); ++k) {
    double frames = p.extinf(k) * 24000.0 / 1001.0;
    EXPECT_NEAR(frames, std::round(frames), 1e-9) << k;
  }
  EXPECT_EQ(p.end(0), 48);  // 2 s at 23.976 = 47.95 frames -> 48
  EXPECT_NEAR(p.extinf(0), 2.002, 1e-12);
}

TEST(Plan, DurationShorterThanInitialSegments) {
  SegmentPlan p = make_plan(units_for(3.0, k25), k25, {2, 2, 2}, 10);
  EXPECT_EQ(lengths(p), (std::vector<int64_t>{50, 25}));
  SegmentPlan q = make_plan(units_for(1.5, k25), k25, {2, 2, 2}, 10);
  EXPECT_EQ(lengths(q), (std::vector<int64_t>{38}));  // one segment, the whole file
}

TEST(Plan, TinyLastSegmentIsMergedIntoThePreviousOne) {
  // 12.2 s with [2,2,2] + 5: 2,2,2,5,1.2 stays; 11.4 s: the 0.4 s tail merges.
  EXPECT_EQ(lengths(make_plan(units_for(12.2, k25), k25, {2, 2, 2}, 5)),
            (std::vector<int64_t>{50, 50, 50, 125, 30}));
  EXPECT_EQ(lengths(make_plan(units_for(11.4, k25), k25, {2, 2, 2}, 5)), (std::vector<int64_t>{50, 50, 50, 135}));
  // A one-frame tail, too.
  EXPECT_EQ(lengths(make_plan(301, k25, {}, 10)), (std::vector<int64_t>{250, 51}));
}

TEST(Plan, AudioOnlyPlanCountsAacFrames) {
  Rational aac48{1024, 48000};
  SegmentPlan p = make_plan(units_for(12.0, aac48), aac48, {2, 2, 2}, 10);
  EXPECT_EQ(p.total_units(), 563);   // 12 s = 562.5 frames, rounded
  EXPECT_EQ(p.end(0), 94);           // 2 s = 93.75 frames
  EXPECT_NEAR(p.extinf(0), 94 * 1024 / 48000.0, 1e-12);
}

TEST(Plan, SegmentAtFindsTheSegmentHoldingATime) {
  SegmentPlan p = make_plan(units_for(60.0, k25), k25, {2, 2, 2}, 10);
  EXPECT_EQ(p.segment_at(0), 0u);
  EXPECT_EQ(p.segment_at(1.99), 0u);
  EXPECT_EQ(p.segment_at(2.0), 1u);
  EXPECT_EQ(p.segment_at(35.99), 5u);
  EXPECT_EQ(p.segment_at(36.0), 6u);  // boundaries 0,2,4,6,16,26,36
  EXPECT_EQ(p.segment_at(1e9), p.size() - 1);
}

TEST(Plan, AudioFramesOfAVideoSegmentStartAtOrAfterIt) {
  // 25 fps, 48 kHz: frame 50 = 2 s = 93.75 AAC frames -> the 94th starts after.
  EXPECT_EQ(aac_frame_at_or_after(0, {25, 1}, 48000), 0);
  EXPECT_EQ(aac_frame_at_or_after(50, {25, 1}, 48000), 94);
  // 3 s at 44.1 kHz = 129.199 frames -> 130; exactly on a frame stays put.
  EXPECT_EQ(aac_frame_at_or_after(75, {25, 1}, 44100), 130);
  EXPECT_EQ(aac_frame_at_or_after(16, {25, 1}, 16000), 10);  // 0.64 s * 16000 / 1024 = 10
}

TEST(Playlist, TargetDurationCoversEveryRoundedExtinf) {
  SegmentPlan p = make_plan(units_for(21.0, k25), k25, {2}, 10);  // 2, 10, 9
  EXPECT_EQ(target_duration(p), 10);
  SegmentPlan q = make_plan(units_for(10.8, k25), k25, {}, 10);  // 10.8 s in one (tail merged)
  EXPECT_EQ(q.size(), 1u);
  EXPECT_EQ(target_duration(q), 11);
}
