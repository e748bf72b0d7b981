// Decisions that depend on the source: frame rate, tokens, names.
#include <gtest/gtest.h>

#include "actors/playlist/generate.h"
#include "actors/playlist/m3u8.h"
#include "actors/playlist/token.h"
#include "tests/unit/sample_media.h"

using namespace hlsfs;

namespace {
MediaInfo sample_media() { return test::sample_media(1920, 1080); }
PlaylistRequest request(const std::string& extra_video = "") {
  return parse_request_text(R"({"SourceURI":"file:///m/a.mp4","Targets":[{"URI":"file:///o/v",
     "Video":{"TranscodeVideo":{"CRF":26,"FrameRate":25,"Resolution":"1280x")" +
                            extra_video + R"(}},"Audio":{}}]})");
}
}  // namespace

TEST(FrameRate, SourceRateSnapsToStandardRates) {
  EXPECT_EQ(source_frame_rate({2997, 100}, {30000, 1001}), (Rational{30000, 1001}));
  EXPECT_EQ(source_frame_rate({24000, 1001}, {24000, 1001}), (Rational{24000, 1001}));
  EXPECT_EQ(source_frame_rate({25, 1}, {0, 0}), (Rational{25, 1}));
  // VFR (vfr.mp4: avg 15.2, r 30): keep every source frame.
  EXPECT_EQ(source_frame_rate({1080, 71}, {30, 1}), (Rational{30, 1}));
  EXPECT_EQ(source_frame_rate({0, 0}, {0, 0}), (Rational{25, 1}));
}

TEST(FrameRate, AdaptiveKeepsALowerSourceRate) {
  EXPECT_EQ(choose_frame_rate({24, 1}, Rational{25, 1}, ValueOption::adaptive, "f"), (Rational{24, 1}));
  EXPECT_EQ(choose_frame_rate({60, 1}, Rational{25, 1}, ValueOption::adaptive, "f"), (Rational{25, 1}));
  EXPECT_EQ(choose_frame_rate({24, 1}, Rational{25, 1}, ValueOption::fixed, "f"), (Rational{25, 1}));
  EXPECT_THROW(choose_frame_rate({24, 1}, Rational{25, 1}, ValueOption::fall, "f"), RequestError);
  EXPECT_EQ(choose_frame_rate({24, 1}, std::nullopt, ValueOption::adaptive, "f"), (Rational{24, 1}));
}

TEST(Rendition, SizesRatesAndNames) {
  RenditionSpec r = make_rendition(sample_media(), request(), 0, EncoderConfig{});
  ASSERT_TRUE(r.video);
  EXPECT_EQ(r.video->geometry.width, 1280);
  EXPECT_EQ(r.video->geometry.height, 720);
  EXPECT_EQ(r.video->frame_rate, (Rational{25, 1}));
  EXPECT_EQ(r.plan.total_units(), 1500);
  EXPECT_EQ(r.segment_name(3), "v-" + r.token + "-3.ts");
  EXPECT_EQ(r.segment_uri(3), "file:///o/v-" + r.token + "-3.ts");
  EXPECT_EQ(r.playlist_uri(), "file:///o/v.m3u8");
  EXPECT_TRUE(is_token(r.token));
  ASSERT_TRUE(r.audio);
  EXPECT_EQ(r.audio->sample_rate, 48000);
  EXPECT_EQ(r.audio->channels, 2);
}

// The media playlist's lines are what printf's "%.6f" and segment_name()
// spell (it builds them without either, for speed): checked on NTSC units,
// whose durations never end in zeros, and on halves that round to even.
TEST(Rendition, MediaPlaylistLinesAreWhatPrintfAndSegmentNameSpell) {
  RenditionSpec r = make_rendition(sample_media(), request(), 0, EncoderConfig{});
  std::vector<int64_t> bounds{0};
  for (int64_t k = 1; k <= 400; ++k) bounds.push_back(bounds.back() + 1 + (k * 7919) % 600);
  for (Rational unit : {Rational{1001, 30000}, Rational{1, 25}, Rational{1, 2000000}, Rational{1, 90000}}) {
    r.plan = SegmentPlan(unit, bounds);
    std::string expected = "#EXTM3U\n#EXT-X-VERSION:3\n#EXT-X-TARGETDURATION:" +
                           std::to_string(target_duration(r.plan)) +
                           "\n#EXT-X-MEDIA-SEQUENCE:0\n#EXT-X-PLAYLIST-TYPE:VOD\n#EXT-X-INDEPENDENT-SEGMENTS\n";
    char buf[64];
    for (size_t k = 0; k < r.plan.size(); ++k) {
      snprintf(buf, sizeof buf, "#EXTINF:%.6f,\n", r.plan.extinf(k));
      expected += buf + r.segment_name(k) + "\n";
    }
    expected += "#EXT-X-ENDLIST\n";
    EXPECT_EQ(media_playlist(r), expected) << unit.num << "/" << unit.den;
  }
}

TEST(Rendition, SourceStartAndDurationClipThePlan) {
  PlaylistRequest req = request();
  req.source_start_time = 50;
  EXPECT_EQ(make_rendition(sample_media(), req, 0, EncoderConfig{}).plan.total_units(), 250);
  req.source_duration = 4;
  EXPECT_EQ(make_rendition(sample_media(), req, 0, EncoderConfig{}).plan.total_units(), 100);
  req.source_start_time = 61;
  EXPECT_THROW(make_rendition(sample_media(), req, 0, EncoderConfig{}), RequestError);
}

TEST(Token, StableForTheSameRequestAndSourceVersion) {
  MediaInfo m = sample_media();
  std::string t1 = make_rendition(m, request(), 0, EncoderConfig{}).token;
  EXPECT_EQ(t1, make_rendition(m, request(), 0, EncoderConfig{}).token);
  // Field order in the JSON does not matter.
  PlaylistRequest reordered = parse_request_text(R"({"Targets":[{"Audio":{},"Video":{"TranscodeVideo":
      {"Resolution":"1280x","FrameRate":25,"CRF":26}},"URI":"file:///o/v"}],"SourceURI":"file:///m/a.mp4"})");
  EXPECT_EQ(t1, make_rendition(m, reordered, 0, EncoderConfig{}).token);
}

TEST(Token, ChangesWithParametersSourceVersionAndEncoder) {
  MediaInfo m = sample_media();
  std::string t1 = make_rendition(m, request(), 0, EncoderConfig{}).token;
  EXPECT_NE(t1, make_rendition(m, request(R"(,"ScaleType":"fit")"), 0, EncoderConfig{}).token);
  MediaInfo changed = m;
  changed.source.version = "1700000001";  // the file was modified
  EXPECT_NE(t1, make_rendition(changed, request(), 0, EncoderConfig{}).token);
  EXPECT_NE(t1, make_rendition(m, request(), 0, EncoderConfig{"medium", 2, ""}).token);
  // Same parameters written to another place: another rendition.
  PlaylistRequest elsewhere = request();
  elsewhere.targets[0].uri = "file:///other/v";
  EXPECT_NE(t1, make_rendition(m, elsewhere, 0, EncoderConfig{}).token);
}

TEST(Rendition, MissingStreamsDegradeOrFailClearly) {
  MediaInfo audio_only = sample_media();
  audio_only.streams.erase(audio_only.streams.begin());
  RenditionSpec r = make_rendition(audio_only, request(), 0, EncoderConfig{});
  EXPECT_FALSE(r.video);
  ASSERT_TRUE(r.audio);
  EXPECT_EQ(r.plan.unit(), (Rational{1024, 48000}));
  EXPECT_FALSE(r.notes.empty());
  PlaylistRequest second = parse_request_text(
      R"({"SourceURI":"file:///m/a.mp4","Targets":[{"URI":"file:///o/v","Video":{"Stream":1}}]})");
  try {
    make_rendition(sample_media(), second, 0, EncoderConfig{});
    FAIL();
  } catch (const RequestError& e) {
    EXPECT_EQ(e.field, "Targets[0].Video.Stream");
  }
}

TEST(Generate, ResponseHasTheImmShape) {
  GeneratedPlaylists g =
      generate_playlists(request(), sample_media(), EncoderConfig{}, [](const RenditionSpec&) { return "x"; });
  EXPECT_EQ(g.response["Duration"], 60.0);
  EXPECT_EQ(g.response["VideoPlaylist"][0]["Resolution"], "1280x720");
  EXPECT_EQ(g.response["VideoPlaylist"][0]["FrameRate"], "25");
  EXPECT_EQ(g.response["VideoPlaylist"][0]["URI"], "file:///o/v.m3u8");
  EXPECT_EQ(g.response["Token"], g.renditions[0].token);
  ASSERT_EQ(g.files.count("file:///o/v.m3u8"), 1u);
  const std::string& text = g.files["file:///o/v.m3u8"];
  EXPECT_NE(text.find("#EXT-X-PLAYLIST-TYPE:VOD"), std::string::npos);
  EXPECT_NE(text.find("#EXT-X-INDEPENDENT-SEGMENTS"), std::string::npos);
  EXPECT_NE(text.find("#EXTINF:2.000000,\nv-" + g.renditions[0].token + "-0.ts"), std::string::npos);
  EXPECT_EQ(text.substr(text.size() - 15), "#EXT-X-ENDLIST\n");
}
