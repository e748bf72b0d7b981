// Fragmented-MP4 output: the request field, names, playlists, and the
// muxer's init segment and fragment timing.
#include <gtest/gtest.h>

#include <cstring>

#include "actors/playlist/catalog.h"
#include "actors/playlist/m3u8.h"
#include "actors/transcoder/encoders.h"
#include "actors/transcoder/fmp4_init.h"
#include "actors/transcoder/fmp4_muxer.h"
#include "actors/transcoder/ts_muxer.h"
#include "tests/unit/sample_media.h"

using namespace hlsfs;

namespace {

MediaInfo sample_media() { return test::sample_media(640, 360); }

std::string request_text(const std::string& container, const std::string& codec = "h264") {
  return R"({"SourceURI":"file:///m/a.mp4","MasterURI":"file:///o/master.m3u8","Targets":[{"URI":"file:///o/v",)" +
         container + R"("Video":{"TranscodeVideo":{"Codec":")" + codec +
         R"(","CRF":26,"Resolution":"320x"}},"Audio":{}}]})";
}

RenditionSpec rendition(const std::string& container, const std::string& codec = "h264") {
  return make_rendition(sample_media(), parse_request_text(request_text(container, codec)), 0, EncoderConfig{});
}

// The 64-bit baseMediaDecodeTime of the n-th tfdt box in bytes.
std::vector<uint64_t> tfdts(const std::string& bytes) {
  std::vector<uint64_t> out;
  for (size_t at = bytes.find("tfdt"); at != std::string::npos; at = bytes.find("tfdt", at + 4)) {
    uint64_t v = 0;
    for (int i = 0; i < 8; ++i) v = (v << 8) | static_cast<uint8_t>(bytes.at(at + 8 + i));
    out.push_back(v);
  }
  return out;
}

}  // namespace

TEST(Fmp4Request, ContainerIsValidatedAndDefaultsToTs) {
  EXPECT_EQ(parse_request_text(request_text("")).targets[0].container, SegmentContainer::ts);
  EXPECT_EQ(parse_request_text(request_text(R"("Container":"fmp4",)")).targets[0].container, SegmentContainer::fmp4);
  EXPECT_EQ(parse_request_text(request_text(R"("Container":"ts",)")).targets[0].container, SegmentContainer::ts);
  try {
    parse_request_text(request_text(R"("Container":"mp4",)"));
    FAIL() << "mp4 accepted";
  } catch (const RequestError& e) {
    EXPECT_EQ(e.field, "Targets[0].Container");
    EXPECT_NE(std::string(e.what()).find("must be one of ts, fmp4"), std::string::npos) << e.what();
  }
  EXPECT_THROW(parse_request_text(request_text(R"("Container":4,)")), RequestError);
  EXPECT_THROW(parse_request_text(request_text(R"("Containr":"fmp4",)")), RequestError);  // unknown fields stay errors
}

TEST(Fmp4Request, TsTokensDoNotChange) {
  // The token hashes canonical_target: a TS target's holds no trace of the
  // field, so every MPEG-TS rendition keeps the token it had.
  auto plain = parse_request_text(request_text("")).targets[0];
  auto ts = parse_request_text(request_text(R"("Container":"ts",)")).targets[0];
  EXPECT_FALSE(canonical_target(plain).contains("Container"));
  EXPECT_EQ(canonical_target(plain), canonical_target(ts));
  EXPECT_EQ(rendition("").token, rendition(R"("Container":"ts",)").token);
  EXPECT_NE(rendition("").token, rendition(R"("Container":"fmp4",)").token);
}

TEST(Fmp4Rendition, NamesAndTheInitSegment) {
  RenditionSpec ts = rendition("");
  RenditionSpec f = rendition(R"("Container":"fmp4",)");
  EXPECT_FALSE(ts.fmp4);
  ASSERT_TRUE(f.fmp4);
  EXPECT_EQ(ts.segment_name(3), "v-" + ts.token + "-3.ts");
  EXPECT_EQ(f.segment_name(3), "v-" + f.token + "-3.m4s");
  EXPECT_EQ(f.segment_name(kInitSegment), "v-" + f.token + "-init.mp4");
  EXPECT_TRUE(f.has_segment(kInitSegment));
  EXPECT_FALSE(ts.has_segment(kInitSegment));
  EXPECT_FALSE(f.has_segment(static_cast<uint32_t>(f.plan.size())));

  // Audio tracks follow the target's container, subtitle tracks stay WebVTT.
  auto req = parse_request_text(request_text(R"("Container":"fmp4",)"));
  EXPECT_TRUE(make_alternate_audio(sample_media(), req, 0, 0, EncoderConfig{}).fmp4);
  MediaInfo with_subs = sample_media();
  StreamInfo s;
  s.index = 2;
  s.kind = StreamKind::subtitle;
  s.codec = "subrip";
  with_subs.streams.push_back(s);
  RenditionSpec sub = make_subtitle_track(with_subs, req, 0, 0, -1, -1, SourceIdentity{}, EncoderConfig{});
  EXPECT_FALSE(sub.fmp4);
  EXPECT_EQ(sub.segment_name(0).substr(sub.segment_name(0).size() - 4), ".vtt");
}

TEST(Fmp4Playlist, MapAndVersion) {
  RenditionSpec f = rendition(R"("Container":"fmp4",)");
  std::string text = media_playlist(f);
  EXPECT_NE(text.find("#EXT-X-VERSION:6\n"), std::string::npos) << text;
  size_t map = text.find("#EXT-X-MAP:URI=\"v-" + f.token + "-init.mp4\"\n");
  ASSERT_NE(map, std::string::npos) << text;
  EXPECT_LT(map, text.find("#EXTINF"));
  EXPECT_NE(text.find("v-" + f.token + "-0.m4s\n"), std::string::npos);
  std::string ts = media_playlist(rendition(""));
  EXPECT_NE(ts.find("#EXT-X-VERSION:3\n"), std::string::npos);
  EXPECT_EQ(ts.find("EXT-X-MAP"), std::string::npos);
}

TEST(Fmp4Names, CatalogParsesMediaAndInitSegments) {
  const std::string tok(32, 'a');
  auto m = Catalog::parse_segment_name("720p-" + tok + "-12.m4s");
  ASSERT_TRUE(m);
  EXPECT_EQ(m->index, 12u);
  EXPECT_EQ(m->prefix, "720p");
  auto init = Catalog::parse_segment_name("720p-" + tok + "-init.mp4");
  ASSERT_TRUE(init);
  EXPECT_EQ(init->index, kInitSegment);
  EXPECT_EQ(init->token, tok);
  EXPECT_EQ(init->prefix, "720p");
  auto short_prefix = Catalog::parse_segment_name("v-" + tok + "-init.mp4");
  ASSERT_TRUE(short_prefix);
  EXPECT_EQ(short_prefix->prefix, "v");
  EXPECT_FALSE(Catalog::parse_segment_name("720p-" + tok + "init.mp4"));
  EXPECT_FALSE(Catalog::parse_segment_name("720p-" + tok + "-init.mp4x"));
  EXPECT_FALSE(Catalog::parse_segment_name("720p-" + tok + "-Init.mp4"));
  EXPECT_FALSE(Catalog::parse_segment_name(tok + "-init.mp4"));
  EXPECT_FALSE(Catalog::parse_segment_name("720p-" + tok + "-03.m4s"));
}

TEST(Fmp4Muxer, VideoTimescaleHoldsWholeFrames) {
  EXPECT_EQ(fmp4_video_timescale({30000, 1001}), 30000);
  EXPECT_EQ(fmp4_video_timescale({24000, 1001}), 24000);
  EXPECT_EQ(fmp4_video_timescale({25, 1}), 12800);
  EXPECT_EQ(fmp4_video_timescale({50, 2}), 12800);
  EXPECT_EQ(fmp4_video_timescale({60, 1}), 15360);
}

TEST(Fmp4Init, SameBytesEveryTimeAndHvc1ForHevc) {
  MediaInfo media = sample_media();
  for (const char* codec : {"h264", "h265"}) {
    RenditionSpec a = rendition(R"("Container":"fmp4",)", codec);
    RenditionSpec b = a;
    b.token = std::string(31, 'f') + codec[3];  // not the cached answer: made again
    std::string ia = fmp4_init_segment(a, media), ib = fmp4_init_segment(b, media);
    EXPECT_EQ(ia, ib) << codec;
    EXPECT_EQ(ia.substr(4, 4), "ftyp");
    EXPECT_NE(ia.find("moov"), std::string::npos);
    EXPECT_NE(ia.find("mvex"), std::string::npos);  // fragmented
    EXPECT_EQ(ia.find("moof"), std::string::npos);  // no samples
    EXPECT_EQ(ia.find("Lavf"), std::string::npos);  // bitexact: no library version
    EXPECT_NE(ia.find("mp4a"), std::string::npos);
    if (std::string(codec) == "h265") {
      EXPECT_NE(ia.find("hvc1"), std::string::npos);
      EXPECT_NE(ia.find("hvcC"), std::string::npos);
      EXPECT_EQ(ia.find("hev1"), std::string::npos);
      EXPECT_EQ(ia.find("x265 (build"), std::string::npos);  // no info SEI: it names this machine's CPU
    } else {
      EXPECT_NE(ia.find("avc1"), std::string::npos);
      EXPECT_NE(ia.find("avcC"), std::string::npos);
    }
  }
  EXPECT_THROW(fmp4_init_segment(rendition(""), media), MediaError);
}

// Two segments made apart join end to start: the second fragment's decode
// time is where the first one's frames end, on the MPEG-TS clock.
TEST(Fmp4Muxer, FragmentsMadeApartJoin) {
  MediaInfo media = sample_media();
  RenditionSpec r = rendition(R"("Container":"fmp4",)");
  r.audio.reset();  // video only: the init segment has the streams the muxer is given
  r.token = std::string(32, 'e');
  const VideoSpec& v = *r.video;
  std::string init = fmp4_init_segment(r, media);
  std::vector<std::string> segs;
  for (int seg = 0; seg < 2; ++seg) {
    CodecPtr enc = open_video_encoder(v, media.streams[0], fmp4_video_mode(v, media.streams[0]));
    Fmp4Muxer mux(seg + 1, init);
    int stream = mux.add_stream(enc.get());
    FramePtr f = make_frame();
    f->format = AV_PIX_FMT_YUV420P;
    f->width = v.geometry.width;
    f->height = v.geometry.height;
    ASSERT_GE(av_frame_get_buffer(f.get(), 0), 0);
    for (int j = 0; j < 6; ++j) {
      ASSERT_GE(av_frame_make_writable(f.get()), 0);
      for (int p = 0; p < 3; ++p)
        memset(f->data[p], 16 * (seg * 6 + j) + p, static_cast<size_t>(f->linesize[p]) * (p ? f->height / 2 : f->height));
      f->pts = seg * 6 + j;
      f->pict_type = j == 0 ? AV_PICTURE_TYPE_I : AV_PICTURE_TYPE_NONE;
      encode_frame(enc.get(), f.get(), [&](AVPacket* p) { mux.add_packet(stream, p, enc->time_base); });
    }
    encode_frame(enc.get(), nullptr, [&](AVPacket* p) { mux.add_packet(stream, p, enc->time_base); });
    mux.set_offset(av_rescale_q(enc->has_b_frames, enc->time_base, AVRational{1, 90000}));
    segs.push_back(mux.finish());
  }
  auto t0 = tfdts(segs[0]), t1 = tfdts(segs[1]);
  ASSERT_EQ(t0.size(), 1u);
  ASSERT_EQ(t1.size(), 1u);
  const int timescale = fmp4_video_timescale(AVRational{static_cast<int>(v.frame_rate.num), static_cast<int>(v.frame_rate.den)});
  const int64_t frame = timescale * v.frame_rate.den / v.frame_rate.num;
  EXPECT_EQ(t1[0] - t0[0], static_cast<uint64_t>(6 * frame));
  // On the MPEG-TS muxer's clock: from its start, whole frames later.
  const uint64_t start = static_cast<uint64_t>(TsMuxer::kStartTicks * timescale / 90000);
  EXPECT_GE(t0[0], start);
  EXPECT_EQ((t0[0] - start) % frame, 0u);
  EXPECT_EQ(segs[0].substr(4, 4), "moof");
  EXPECT_EQ(segs[0].find("moov"), std::string::npos);
}

// A segment whose encoder wrote other parameter sets than the init
// segment's would not decode with it: refused, never written.
TEST(Fmp4Muxer, RefusesStreamsThatDoNotMakeTheInitSegment) {
  MediaInfo media = sample_media();
  RenditionSpec r = rendition(R"("Container":"fmp4",)");
  r.audio.reset();
  r.token = std::string(32, 'd');
  const std::string init = fmp4_init_segment(r, media);
  VideoSpec other = *r.video;
  other.crf = 40;  // x264 writes CRF's initial QP into the PPS unless stitchable
  VideoEncoderMode plain;
  plain.global_header = true;
  CodecPtr enc = open_video_encoder(other, media.streams[0], plain);
  Fmp4Muxer mux(1, init);
  mux.add_stream(enc.get());
  EXPECT_THROW(mux.finish(), MediaError);
  // The same settings in the rendition's mode make exactly its init segment.
  CodecPtr same = open_video_encoder(other, media.streams[0], fmp4_video_mode(*r.video, media.streams[0]));
  Fmp4Muxer ok(1, init);
  ok.add_stream(same.get());
  EXPECT_NO_THROW(ok.finish());
}
