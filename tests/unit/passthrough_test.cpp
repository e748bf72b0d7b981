// Passthrough renditions: cut at the source's keyframes (exact EXTINF, no
// drift, deterministic), refused with a reason the request can act on.
#include <gtest/gtest.h>
#include <nlohmann/json.hpp>

#include <algorithm>
#include <cmath>

#include "actors/playlist/generate.h"
#include "actors/playlist/passthrough_rules.h"
#include "actors/playlist/plan_keyframes.h"
#include "tests/unit/sample_media.h"

using namespace hlsfs;

namespace {

constexpr int64_t kTb = 15360;  // sample_media's video time base: 1/15360
const Rational kUnit{1, kTb};

std::vector<int64_t> bounds_in_seconds_x10(const SegmentPlan& p) {
  std::vector<int64_t> out;
  for (int64_t b : p.bounds()) out.push_back(b * 10 / kTb);
  return out;
}

// sample_media with a keyframe every `gop` seconds, each at byte 100000 * i.
MediaInfo media_with_keyframes(double gop, double seconds = 60, const std::string& codec = "h264") {
  MediaInfo m = test::sample_media();
  m.source.size = static_cast<int64_t>(std::ceil(seconds / gop)) * 100000;  // the last segment alike
  StreamInfo& v = m.streams[0];
  v.codec = codec;
  v.pix_fmt = "yuv420p";
  v.codec_string = "avc1.64001F";
  v.end_pts = static_cast<int64_t>(seconds * kTb);
  v.keyframes.clear();
  for (int i = 0; i * gop < seconds; ++i) {
    const int64_t t = static_cast<int64_t>(i * gop * kTb);
    v.keyframes.push_back({t, t, 100000LL * i});
  }
  return m;
}

PlaylistRequest request(const std::string& video, const std::string& container = "ts",
                        const std::string& extra = "") {
  return parse_request_text(R"({"SourceURI":"file:///m/a.mp4","Targets":[{"URI":"file:///o/v","Duration":5,
     "InitialSegments":[2,2],"Container":")" + container + R"(","Video":)" + video + R"(,"Audio":{})" + extra +
                            "}]}");
}

const std::string kPassthrough = R"({"Passthrough":true})";

std::string refusal_field(const MediaInfo& m, const PlaylistRequest& req) {
  try {
    make_rendition(m, req, 0, EncoderConfig{});
  } catch (const RequestError& e) {
    return e.field + ": " + e.what();
  }
  return "";
}

}  // namespace

TEST(KeyframePlan, CutsAtTheKeyframeNearestEachNominalBoundary) {
  std::vector<int64_t> keys;
  for (int s = 0; s < 60; s += 2) keys.push_back(s * kTb);
  SegmentPlan p = make_keyframe_plan(keys, 60 * kTb, kUnit, {2, 2}, 5);
  // Nominal 2, 4, 9, 14, 19, ...: 9 is as near 8 as 10 (the earlier wins),
  // 14 is a keyframe; the last, 58 -> 60, keeps its own 2 s.
  EXPECT_EQ(bounds_in_seconds_x10(p), (std::vector<int64_t>{0, 20, 40, 80, 140, 180, 240, 280, 340, 380, 440, 480,
                                                            540, 580, 600}));
  EXPECT_EQ(p.unit(), kUnit);
  EXPECT_DOUBLE_EQ(p.extinf(2), 4.0);  // exact: a whole number of source ticks
  EXPECT_DOUBLE_EQ(p.duration(), 60.0);
}

TEST(KeyframePlan, EveryBoundaryIsAKeyframeAndNoneDrifts) {
  // 23.976 fps, a keyframe every 48 frames plus a scene cut now and then.
  const Rational unit{1, 24000};
  std::vector<int64_t> keys;
  for (int64_t f = 0; f < 24 * 3600; f += (f % 7 == 0 ? 31 : 48)) keys.push_back(f * 1001);
  const int64_t total = 24 * 3600 * 1001;
  SegmentPlan p = make_keyframe_plan(keys, total, unit, {}, 6);
  const double gop = 48 * 1001.0 / 24000;
  for (size_t k = 0; k + 1 < p.size(); ++k) {
    EXPECT_TRUE(std::binary_search(keys.begin(), keys.end(), p.end(k))) << k;
    // Boundary k stays within a GOP of (k+1) * 6 s, however far into the file.
    EXPECT_NEAR(p.seconds(p.end(k)), 6.0 * static_cast<double>(k + 1), gop) << k;
  }
  EXPECT_EQ(p.total_units(), total);
  // The same inputs, the same plan.
  EXPECT_EQ(make_keyframe_plan(keys, total, unit, {}, 6).bounds(), p.bounds());
}

TEST(KeyframePlan, SparseKeyframesGiveLongerSegmentsAndSkipNothing) {
  std::vector<int64_t> keys{0, 10 * kTb, 20 * kTb, 25 * kTb};
  SegmentPlan p = make_keyframe_plan(keys, 30 * kTb, kUnit, {}, 6);
  // Nominal 6 -> 10; 12 -> 10 again (no segment); 18 -> 20; 24 -> 25.
  EXPECT_EQ(bounds_in_seconds_x10(p), (std::vector<int64_t>{0, 100, 200, 250, 300}));
}

TEST(KeyframePlan, ATinyTailJoinsTheSegmentBefore) {
  SegmentPlan p = make_keyframe_plan({0, 5 * kTb}, 5 * kTb + kTb / 2, kUnit, {}, 5);
  EXPECT_EQ(p.bounds(), (std::vector<int64_t>{0, 5 * kTb + kTb / 2}));
  SegmentPlan one = make_keyframe_plan({0}, 3 * kTb, kUnit, {2, 2}, 5);  // one keyframe: one segment
  EXPECT_EQ(one.size(), 1u);
  EXPECT_DOUBLE_EQ(one.extinf(0), 3.0);
}

TEST(PassthroughRules, CodecMustFitTheContainer) {
  MediaInfo m = media_with_keyframes(2);
  const StreamInfo& v = m.streams[0];
  EXPECT_EQ(passthrough_refusal(m, v, SegmentContainer::ts), "");
  EXPECT_EQ(passthrough_refusal(m, v, SegmentContainer::fmp4), "");
  MediaInfo hevc = media_with_keyframes(2, 60, "hevc");
  EXPECT_NE(passthrough_refusal(hevc, hevc.streams[0], SegmentContainer::ts).find("\"fmp4\""), std::string::npos);
  EXPECT_EQ(passthrough_refusal(hevc, hevc.streams[0], SegmentContainer::fmp4), "");
  hevc.streams[0].pix_fmt = "yuv420p10le";  // Main 10
  EXPECT_EQ(passthrough_refusal(hevc, hevc.streams[0], SegmentContainer::fmp4), "");
  MediaInfo vp9 = media_with_keyframes(2, 60, "vp9");
  EXPECT_NE(passthrough_refusal(vp9, vp9.streams[0], SegmentContainer::fmp4).find("vp9"), std::string::npos);
}

TEST(PassthroughRules, WhatPlayersCannotShowIsRefused) {
  auto refused = [](auto change) {
    MediaInfo m = media_with_keyframes(2);
    change(m);
    return passthrough_refusal(m, m.streams[0], SegmentContainer::fmp4);
  };
  EXPECT_NE(refused([](MediaInfo& m) { m.streams[0].pix_fmt = "yuv444p"; }).find("yuv444p"), std::string::npos);
  EXPECT_NE(refused([](MediaInfo& m) { m.streams[0].rotation = 90; }).find("rotated"), std::string::npos);
  EXPECT_NE(refused([](MediaInfo& m) { m.streams[0].field_order = "tt"; }).find("interlaced"), std::string::npos);
  EXPECT_NE(refused([](MediaInfo& m) { m.streams[0].width = 7680; }).find("7680x"), std::string::npos);
  // An index-less source too large to read whole: keyframes unknown.
  EXPECT_NE(refused([](MediaInfo& m) {
              m.probe_method = "head+tail";
              m.format = "mpegts";
            }).find("no keyframe index"),
            std::string::npos);
  EXPECT_EQ(refused([](MediaInfo& m) { m.probe_method = "index"; }), "");
  // Open GOPs: a segment cut at a keyframe that is not IDR cannot start alone.
  EXPECT_NE(refused([](MediaInfo& m) { m.streams[0].open_gop = true; }).find("open GOPs"), std::string::npos);
  EXPECT_EQ(refused([](MediaInfo& m) { m.streams[0].open_gop = false; }), "");
  EXPECT_EQ(refused([](MediaInfo& m) { m.streams[0].open_gop.reset(); }), "");  // unknown: as before
}

TEST(PassthroughRules, OpenGopIsStoredAndAnOldRecordIsUnknown) {
  MediaInfo m = media_with_keyframes(2);
  for (std::optional<bool> open : {std::optional<bool>(true), std::optional<bool>(false), std::optional<bool>()}) {
    m.streams[0].open_gop = open;
    nlohmann::json j = m;
    EXPECT_EQ(j.at("streams").at(0).contains("open_gop"), open.has_value());
    EXPECT_EQ(j.get<MediaInfo>().streams[0].open_gop, open);
  }
}

TEST(PassthroughRequest, FieldParsesAndExcludesTranscodeVideo) {
  PlaylistRequest req = request(kPassthrough);
  ASSERT_TRUE(req.targets[0].video);
  EXPECT_TRUE(req.targets[0].video->passthrough);
  try {
    request(R"({"Passthrough":true,"TranscodeVideo":{"CRF":20}})");
    FAIL() << "accepted both";
  } catch (const RequestError& e) {
    EXPECT_EQ(e.field, "Targets[0].Video.Passthrough");
  }
  EXPECT_THROW(request(R"({"Passthrough":"yes"})"), RequestError);
  try {
    request(R"({"PassThrough":true})");
    FAIL() << "accepted a misspelt field";
  } catch (const RequestError& e) {
    EXPECT_EQ(e.field, "Targets[0].Video.PassThrough");
  }
  // IMM requests without it are unchanged, to their canonical form (tokens).
  EXPECT_FALSE(request("{}").targets[0].video->passthrough);
  EXPECT_FALSE(canonical_target(request("{}").targets[0]).at("Video").contains("Passthrough"));
  EXPECT_FALSE(canonical_target(request(R"({"Passthrough":false})").targets[0]).at("Video").contains("Passthrough"));
}

TEST(PassthroughRendition, TheSourcesPictureCutAtItsKeyframes) {
  MediaInfo m = media_with_keyframes(2);
  RenditionSpec r = make_rendition(m, request(kPassthrough), 0, EncoderConfig{});
  ASSERT_TRUE(r.video);
  EXPECT_TRUE(r.video->passthrough);
  EXPECT_EQ(r.video->geometry.width, 1920);
  EXPECT_EQ(r.video->geometry.height, 1080);
  EXPECT_EQ(r.video->frame_rate, (Rational{30, 1}));
  EXPECT_EQ(rate_cap(*r.video), 0);  // nothing is encoded
  EXPECT_EQ(r.plan.unit(), kUnit);
  EXPECT_EQ(r.plan.extinf(0), 2.0);
  EXPECT_EQ(r.video->keyframe_origin, 0);
  // Peak from the keyframes' offsets: 4 s segments of 200000 bytes.
  EXPECT_EQ(r.video->peak_bitrate, 400000);
  // Audio on the same cut: AAC frames whose start lies in each segment.
  auto [a0, a1] = r.audio_frames(2);
  EXPECT_EQ(a0, 188);  // ceil(4 s * 48000 / 1024)
  EXPECT_EQ(a1, 375);  // ceil(8 s * 48000 / 1024)
  EXPECT_EQ(r.audio_frames(3).first, a1);
  // Not the transcoded rendition's token, and the same every time.
  RenditionSpec transcoded = make_rendition(m, request("{}"), 0, EncoderConfig{});
  EXPECT_NE(r.token, transcoded.token);
  EXPECT_EQ(make_rendition(m, request(kPassthrough), 0, EncoderConfig{}).token, r.token);
}

TEST(PassthroughRendition, SourceStartBeginsAtTheKeyframeBefore) {
  MediaInfo m = media_with_keyframes(2);
  PlaylistRequest req = request(kPassthrough);
  req.source_start_time = 7;
  req.source_duration = 10;
  RenditionSpec r = make_rendition(m, req, 0, EncoderConfig{});
  EXPECT_EQ(r.video->keyframe_origin, 6 * kTb);
  EXPECT_EQ(r.origin, (Rational{6, 1}));
  EXPECT_EQ(r.plan.total_units(), 12 * kTb);  // to the keyframe at or after 17 s: 18 s
}

TEST(PassthroughRendition, RefusalsNameTheFieldAndTheReason) {
  const std::string field = "Targets[0].Video.Passthrough: ";
  std::string why = refusal_field(media_with_keyframes(2, 60, "vp9"), request(kPassthrough, "fmp4"));
  EXPECT_EQ(why.rfind(field, 0), 0u) << why;
  EXPECT_NE(why.find("vp9"), std::string::npos) << why;
  why = refusal_field(media_with_keyframes(2, 60, "hevc"), request(kPassthrough, "ts"));
  EXPECT_EQ(why.rfind(field, 0), 0u) << why;
  EXPECT_NE(why.find("fragmented MP4"), std::string::npos) << why;
  EXPECT_EQ(refusal_field(media_with_keyframes(2, 60, "hevc"), request(kPassthrough, "fmp4")), "");
  // One keyframe a minute cannot make segments near Duration (5 s).
  why = refusal_field(media_with_keyframes(60, 120), request(kPassthrough));
  EXPECT_EQ(why.rfind(field, 0), 0u) << why;
  EXPECT_NE(why.find("60.0 s apart"), std::string::npos) << why;
  MediaInfo open = media_with_keyframes(2);
  open.streams[0].open_gop = true;
  why = refusal_field(open, request(kPassthrough));
  EXPECT_EQ(why.rfind(field, 0), 0u) << why;
  EXPECT_NE(why.find("not IDR"), std::string::npos) << why;
}

TEST(PassthroughRendition, MasterAnnouncesTheSourcesCodecAndPeak) {
  MediaInfo m = media_with_keyframes(2);
  PlaylistRequest req = parse_request_text(R"({"SourceURI":"file:///m/a.mp4","MasterURI":"file:///o/m.m3u8",
     "Targets":[{"URI":"file:///o/orig","Video":{"Passthrough":true},"Audio":{}},
                {"URI":"file:///o/low","Video":{"TranscodeVideo":{"Resolution":"640x"}},"Audio":{}}]})");
  auto gen = generate_playlists(req, m, EncoderConfig{}, [&](const RenditionSpec& r) {
    return r.video && r.video->passthrough ? m.streams[0].codec_string + ",mp4a.40.2" : "avc1.64001E,mp4a.40.2";
  });
  const std::string& master = gen.files.at("file:///o/m.m3u8");
  EXPECT_NE(master.find("RESOLUTION=1920x1080"), std::string::npos) << master;
  EXPECT_NE(master.find("CODECS=\"avc1.64001F,mp4a.40.2\""), std::string::npos) << master;
  EXPECT_NE(master.find("RESOLUTION=640x360"), std::string::npos) << master;
  EXPECT_GE(estimated_peak_bandwidth(gen.renditions[0]), 400000);
  // The passthrough's media playlist: EXTINF from the keyframes.
  const std::string& media = gen.files.at("file:///o/orig.m3u8");
  EXPECT_NE(media.find("#EXTINF:2.000000,"), std::string::npos) << media;
  EXPECT_NE(media.find("#EXTINF:4.000000,"), std::string::npos) << media;
}

TEST(PassthroughRendition, AnMp4IndexNamesKeyframesByDecodeTime) {
  // A large MP4 probed by its index: keyframes at their decode times, two
  // frames (1024 ticks) before they are shown; the stream ends at 60 s shown.
  MediaInfo m = media_with_keyframes(2);
  m.probe_method = "index";
  m.format = "mov,mp4,m4a,3gp,3g2,mj2";
  for (Keyframe& k : m.streams[0].keyframes) k.pts = k.dts = k.pts - 1024;
  RenditionSpec r = make_rendition(m, request(kPassthrough), 0, EncoderConfig{});
  EXPECT_EQ(r.video->keyframe_origin, -1024);  // as the index names it: the job finds it by that
  EXPECT_DOUBLE_EQ(r.plan.duration(), 60.0);   // not 60 s + the delay
  EXPECT_DOUBLE_EQ(r.plan.extinf(r.plan.size() - 1), 2.0);
}
