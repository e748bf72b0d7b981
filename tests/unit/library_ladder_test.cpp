#include "actors/library/ladder.h"

#include <gtest/gtest.h>

#include "actors/playlist/request.h"

namespace hlsfs {
namespace {

MediaInfo source(int width, int height, int rotation = 0, int audio_channels = 2) {
  MediaInfo m;
  StreamInfo v;
  v.index = 0;
  v.kind = StreamKind::video;
  v.width = width;
  v.height = height;
  v.sar = Rational{1, 1};
  v.rotation = rotation;
  m.streams.push_back(v);
  if (audio_channels > 0) {
    StreamInfo a;
    a.index = 1;
    a.kind = StreamKind::audio;
    a.channels = audio_channels;
    a.sample_rate = 48000;
    m.streams.push_back(a);
  }
  return m;
}

TEST(LibraryLadder, RungsNoTallerThanTheSource) {
  std::vector<int> ladder{1080, 720, 480, 360};
  EXPECT_EQ(choose_rungs(ladder, 1080), (std::vector<int>{1080, 720, 480, 360}));
  EXPECT_EQ(choose_rungs(ladder, 800), (std::vector<int>{720, 480, 360}));  // 1920x800 scope
  EXPECT_EQ(choose_rungs(ladder, 480), (std::vector<int>{480, 360}));
  EXPECT_EQ(choose_rungs(ladder, 240), (std::vector<int>{360}));  // always one: at the source's size
  EXPECT_EQ(choose_rungs({360, 720, 720}, 2160), (std::vector<int>{720, 360}));  // any order, once each
}

TEST(LibraryLadder, DisplayedHeightHonoursRotationAndAspect) {
  EXPECT_EQ(displayed_height(source(1920, 1080).streams[0]), 1080);
  EXPECT_EQ(displayed_height(source(1920, 1080, 90).streams[0]), 1920);  // a phone held upright
  StreamInfo anamorphic = source(720, 576).streams[0];
  anamorphic.sar = Rational{64, 45};
  EXPECT_EQ(displayed_height(anamorphic), 576);
}

TEST(LibraryLadder, RequestIsAValidGenerateRequest) {
  LibrarySettings s;
  s.duration = 6;
  s.crf = 24;
  MediaInfo m = source(1280, 720, 0, 6);
  auto j = library_request(s, m, "file:///srv/movies/d/a.mkv", "file:///srv/movies/d/a.mkv.hls");
  ASSERT_TRUE(j);
  PlaylistRequest req = parse_request(*j);  // throws on anything generate would refuse
  EXPECT_EQ(req.source_uri, "file:///srv/movies/d/a.mkv");
  EXPECT_EQ(*req.master_uri, "file:///srv/movies/d/a.mkv.hls/master.m3u8");
  ASSERT_EQ(req.targets.size(), 3u);
  EXPECT_EQ(req.targets[0].uri, "file:///srv/movies/d/a.mkv.hls/720p");
  EXPECT_EQ(req.targets[2].uri, "file:///srv/movies/d/a.mkv.hls/360p");
  EXPECT_EQ(*req.targets[1].video->height, 480);
  EXPECT_EQ(req.targets[1].video->effective_crf(), 24);
  EXPECT_EQ(req.targets[0].duration, 6);
  EXPECT_EQ(req.targets[0].initial_segments, (std::vector<double>{2, 2, 2}));
  EXPECT_EQ(req.targets[0].initial_transcode, 0);  // nothing made until someone plays
  EXPECT_EQ(*req.targets[0].audio->channels, 2);   // 5.1 down to the policy's 2
  EXPECT_EQ(*req.targets[0].audio->bitrate, 128000);
}

TEST(LibraryLadder, SmallSourceNamedAfterItsOwnHeight) {
  LibrarySettings s;
  auto j = library_request(s, source(320, 240, 0, 1), "file:///m/a.mp4", "file:///m/a.mp4.hls");
  ASSERT_TRUE(j);
  PlaylistRequest req = parse_request(*j);
  ASSERT_EQ(req.targets.size(), 1u);
  EXPECT_EQ(req.targets[0].uri, "file:///m/a.mp4.hls/240p");
  EXPECT_EQ(*req.targets[0].audio->channels, 1);  // mono stays mono
}

TEST(LibraryLadder, AudioOffAndNoVideo) {
  LibrarySettings s;
  s.audio = false;
  auto j = library_request(s, source(1920, 1080), "file:///m/a.mp4", "file:///m/a.mp4.hls");
  ASSERT_TRUE(j);
  EXPECT_FALSE(parse_request(*j).targets[0].audio);
  MediaInfo audio_only;
  StreamInfo a;
  a.kind = StreamKind::audio;
  audio_only.streams.push_back(a);
  EXPECT_FALSE(library_request(s, audio_only, "file:///m/a.mp4", "file:///m/a.mp4.hls"));
}

TEST(LibraryLadder, ContainerByCodecOrAsConfigured) {
  LibrarySettings s;
  auto container = [&](const LibrarySettings& l) {
    auto j = library_request(l, source(1920, 1080), "file:///m/a.mp4", "file:///m/a.mp4.hls");
    EXPECT_TRUE(j);
    PlaylistRequest req = parse_request(*j);
    for (const auto& t : req.targets) EXPECT_EQ(t.container, req.targets[0].container);
    return std::string(to_string(req.targets[0].container));
  };
  EXPECT_EQ(container(s), "ts");  // h264: every player
  auto plain = library_request(s, source(1920, 1080), "file:///m/a.mp4", "file:///m/a.mp4.hls");
  EXPECT_FALSE((*plain)["Targets"][0].contains("Container"));  // a TS title's request (and tokens) as before
  s.video_codec = "h265";
  EXPECT_EQ(container(s), "fmp4");  // HEVC plays in fMP4 only (Apple, hls.js)
  s.video_codec = "h264";
  s.container = "fmp4";
  EXPECT_EQ(container(s), "fmp4");
  // A policy change that changes the titles' bytes is a change.
  LibrarySettings by_codec, explicit_ts;
  explicit_ts.container = "ts";
  EXPECT_EQ(by_codec, explicit_ts);
  EXPECT_NE(by_codec, s);
}

}  // namespace
}  // namespace hlsfs
