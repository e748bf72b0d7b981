// A master's BANDWIDTH raised to what the segments really need.
#include <gtest/gtest.h>

#include "actors/playlist/master_bandwidth.h"

using namespace hlsfs;

namespace {
const std::string kMaster =
    "#EXTM3U\n#EXT-X-VERSION:3\n#EXT-X-INDEPENDENT-SEGMENTS\n"
    "#EXT-X-STREAM-INF:BANDWIDTH=900000,AVERAGE-BANDWIDTH=540000,RESOLUTION=1280x720,CODECS=\"avc1.64001F\"\n"
    "hi/720p.m3u8\n"
    "#EXT-X-STREAM-INF:AVERAGE-BANDWIDTH=300000,BANDWIDTH=500000,RESOLUTION=640x360,CODECS=\"avc1.64001E\"\n"
    "720p.m3u8\n";
}  // namespace

TEST(MasterBandwidth, RaisesOnlyTheVariantsOwnBandwidth) {
  auto raised = raise_bandwidth(kMaster, "720p.m3u8", 1234567);
  ASSERT_TRUE(raised);
  // "720p.m3u8" is the second variant's line, not the tail of "hi/720p.m3u8".
  EXPECT_NE(raised->find("BANDWIDTH=900000,AVERAGE-BANDWIDTH=540000"), std::string::npos) << *raised;
  EXPECT_NE(raised->find("AVERAGE-BANDWIDTH=300000,BANDWIDTH=1234567,RESOLUTION=640x360"), std::string::npos) << *raised;
  EXPECT_EQ(raised->size(), kMaster.size() + 1);

  auto first = raise_bandwidth(kMaster, "hi/720p.m3u8", 1000000);
  ASSERT_TRUE(first);
  EXPECT_NE(first->find("BANDWIDTH=1000000,AVERAGE-BANDWIDTH=540000"), std::string::npos) << *first;
}

TEST(MasterBandwidth, NothingWhenThePromiseHoldsOrTheVariantIsAbsent) {
  EXPECT_FALSE(raise_bandwidth(kMaster, "hi/720p.m3u8", 900000));
  EXPECT_FALSE(raise_bandwidth(kMaster, "hi/720p.m3u8", 10));
  EXPECT_FALSE(raise_bandwidth(kMaster, "1080p.m3u8", 5000000));
  EXPECT_FALSE(raise_bandwidth(kMaster, "p.m3u8", 5000000));
  EXPECT_FALSE(raise_bandwidth("#EXTM3U\n720p.m3u8\n", "720p.m3u8", 5000000));
}

TEST(MasterBandwidth, SegmentBitrateRoundsUp) {
  EXPECT_EQ(segment_bitrate(250000, 2.0), 1000000);
  EXPECT_EQ(segment_bitrate(1, 3.0), 3);
  EXPECT_EQ(segment_bitrate(100, 0), 0);
}

TEST(MasterBandwidth, IndexKeepsOneRefPerMaster) {
  MasterIndex index;
  index.add("t1", MasterRef{"media", "out/a/master.m3u8", "master:x", "720p.m3u8", 0});
  index.add("t1", MasterRef{"media", "out/a/master.m3u8", "master:y", "720p.m3u8", 96000});
  index.add("t1", MasterRef{"media", "out/b/master.m3u8", "master:z", "a/720p.m3u8", 0});
  auto refs = index.of("t1");
  ASSERT_EQ(refs.size(), 2u);
  EXPECT_EQ(refs[0].state_key, "master:y");
  EXPECT_EQ(refs[0].extra, 96000);
  EXPECT_TRUE(index.of("t2").empty());
}
