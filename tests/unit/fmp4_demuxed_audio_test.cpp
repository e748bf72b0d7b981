// An fMP4 master with alternate audio is demuxed (video_only.h): its
// variants are video-only twins of the targets and every audio stream, the
// default one too, is an EXT-X-MEDIA rendition with a URI. MPEG-TS masters
// and fMP4 masters with one audio stream stay muxed.
#include <gtest/gtest.h>

#include "actors/playlist/generate.h"
#include "actors/playlist/rendition_record.h"
#include "actors/playlist/video_only.h"
#include "tests/unit/sample_media.h"

using namespace hlsfs;

namespace {

MediaInfo two_audio_media() {
  MediaInfo m = test::sample_media(1280, 720, "file:///m/a.mkv");
  m.streams[1].language = "eng";
  StreamInfo fr = m.streams[1];
  fr.index = 2;
  fr.language = "fra";
  m.streams.push_back(fr);
  return m;
}

std::string request(const std::string& container) {
  return R"({"SourceURI":"file:///m/a.mkv","MasterURI":"file:///o/master.m3u8","Targets":[
    {"URI":"file:///o/hi",)" + container + R"("Video":{"TranscodeVideo":{"CRF":26,"Resolution":"1280x"}},
     "Audio":{"TranscodeAudio":{"Bitrate":128000}}},
    {"URI":"file:///o/lo",)" + container + R"("Video":{"TranscodeVideo":{"CRF":26,"Resolution":"640x"}},
     "Audio":{"TranscodeAudio":{"Bitrate":64000}}}]})";
}

const char* kFmp4 = R"("Container":"fmp4",)";

std::string codecs(const RenditionSpec& r) {
  std::string out = r.video ? "avc1.64001F" : "";
  if (r.audio) out += std::string(out.empty() ? "" : ",") + "mp4a.40.2";
  return out;
}

GeneratedPlaylists generate(const std::string& body, const MediaInfo& m = two_audio_media()) {
  return generate_playlists(parse_request_text(body), m, EncoderConfig{}, codecs);
}

}  // namespace

TEST(DemuxedAudio, Fmp4MasterWithAlternateAudioPlaysVideoOnlyVariants) {
  GeneratedPlaylists g = generate(request(kFmp4));
  // hi, lo, audio 0 (the default), audio 1, hi_video, lo_video.
  ASSERT_EQ(g.renditions.size(), 6u);
  const RenditionSpec& a0 = g.renditions[2];
  const RenditionSpec& a1 = g.renditions[3];
  const RenditionSpec& hi_video = g.renditions[4];
  EXPECT_EQ(a0.target_uri, "file:///o/master_audio0");
  EXPECT_EQ(a0.audio->stream, 1);
  EXPECT_TRUE(a0.fmp4);
  EXPECT_EQ(a1.target_uri, "file:///o/master_audio1");
  EXPECT_EQ(hi_video.target_uri, "file:///o/hi_video");
  EXPECT_TRUE(g.origins[4].video_only);
  EXPECT_FALSE(g.origins[4].is_target());
  EXPECT_EQ(g.origins[4].target, 0u);
  ASSERT_TRUE(hi_video.video);
  EXPECT_FALSE(hi_video.audio);
  EXPECT_TRUE(hi_video.fmp4);
  EXPECT_NE(hi_video.token, g.renditions[0].token);
  EXPECT_EQ(hi_video.plan.size(), g.renditions[0].plan.size());  // the target's grid and clock
  EXPECT_EQ(hi_video.segment_name(kInitSegment), "hi_video-" + hi_video.token + "-init.mp4");
  // The targets' own playlists keep their sound (played alone).
  EXPECT_TRUE(g.renditions[0].audio);
  EXPECT_TRUE(g.renditions[1].audio);

  const std::string& master = g.files.at("file:///o/master.m3u8");
  EXPECT_NE(master.find("#EXT-X-MEDIA:TYPE=AUDIO,GROUP-ID=\"audio\",NAME=\"English\",LANGUAGE=\"eng\",DEFAULT=YES,"
                        "AUTOSELECT=YES,URI=\"master_audio0.m3u8\"\n"),
            std::string::npos)
      << master;
  EXPECT_NE(master.find("#EXT-X-MEDIA:TYPE=AUDIO,GROUP-ID=\"audio\",NAME=\"French\",LANGUAGE=\"fra\",DEFAULT=NO,"
                        "AUTOSELECT=YES,URI=\"master_audio1.m3u8\"\n"),
            std::string::npos)
      << master;
  // Every EXT-X-MEDIA audio line has a URI: nothing is muxed.
  for (size_t at = master.find("TYPE=AUDIO"); at != std::string::npos; at = master.find("TYPE=AUDIO", at + 1))
    EXPECT_NE(master.substr(at, master.find('\n', at) - at).find("URI="), std::string::npos) << master;
  EXPECT_NE(master.find(",CODECS=\"avc1.64001F,mp4a.40.2\",AUDIO=\"audio\"\nhi_video.m3u8\n"), std::string::npos)
      << master;
  EXPECT_NE(master.find("\nlo_video.m3u8\n"), std::string::npos) << master;
  EXPECT_EQ(master.find("\nhi.m3u8\n"), std::string::npos) << master;

  // BANDWIDTH: the video's peak plus the largest audio rendition's.
  const int64_t audio_peak = std::max(estimated_peak_bandwidth(a0), estimated_peak_bandwidth(a1));
  ASSERT_EQ(g.variants.size(), 2u);
  EXPECT_EQ(g.variants[0].rendition, 4u);
  EXPECT_EQ(g.variants[0].relative_uri, "hi_video.m3u8");
  EXPECT_EQ(g.variants[0].extra, audio_peak);
  EXPECT_NE(master.find("#EXT-X-STREAM-INF:BANDWIDTH=" +
                        std::to_string(estimated_peak_bandwidth(hi_video) + audio_peak) + ","),
            std::string::npos)
      << master;

  // The response lists the targets as VideoPlaylist (IMM's), every audio rendition.
  ASSERT_EQ(g.response.at("VideoPlaylist").size(), 2u);
  EXPECT_EQ(g.response["VideoPlaylist"][0]["URI"], "file:///o/hi.m3u8");
  ASSERT_EQ(g.response.at("AudioPlaylist").size(), 2u);
  EXPECT_EQ(g.response["AudioPlaylist"][0]["URI"], "file:///o/master_audio0.m3u8");
  EXPECT_TRUE(g.files.count("file:///o/hi_video.m3u8"));
  EXPECT_TRUE(g.files.count("file:///o/hi.m3u8"));
}

TEST(DemuxedAudio, TsMastersAndSingleAudioFmp4MastersStayMuxed) {
  GeneratedPlaylists ts = generate(request(""));
  ASSERT_EQ(ts.renditions.size(), 3u);  // hi, lo, the one alternate track
  const std::string& tm = ts.files.at("file:///o/master.m3u8");
  EXPECT_NE(tm.find("NAME=\"English\",LANGUAGE=\"eng\",DEFAULT=YES,AUTOSELECT=YES\n"), std::string::npos) << tm;
  EXPECT_NE(tm.find("\nhi.m3u8\n"), std::string::npos) << tm;
  EXPECT_EQ(tm.find("_video"), std::string::npos) << tm;

  MediaInfo one = two_audio_media();
  one.streams.pop_back();
  GeneratedPlaylists f = generate(request(kFmp4), one);
  ASSERT_EQ(f.renditions.size(), 2u);
  const std::string& fm = f.files.at("file:///o/master.m3u8");
  EXPECT_EQ(fm.find("EXT-X-MEDIA"), std::string::npos) << fm;
  EXPECT_NE(fm.find(",CODECS=\"avc1.64001F,mp4a.40.2\"\nhi.m3u8\n"), std::string::npos) << fm;
  EXPECT_EQ(f.variants[0].rendition, 0u);
}

TEST(DemuxedAudio, VideoOnlyOriginRoundTripsThroughTheRecord) {
  const std::string body = request(kFmp4);
  GeneratedPlaylists g = generate(body);
  const RenditionOrigin& o = g.origins[5];
  ASSERT_TRUE(o.video_only);
  nlohmann::json stored = o;
  EXPECT_EQ(stored.at("video_only"), true);
  RenditionOrigin back = stored.get<RenditionOrigin>();
  EXPECT_TRUE(back.video_only);
  EXPECT_EQ(back.target, 1u);
  // Other origins do not grow the field (their records stay as they were).
  EXPECT_FALSE(nlohmann::json(g.origins[0]).contains("video_only"));
  EXPECT_FALSE(nlohmann::json(g.origins[2]).contains("video_only"));

  nlohmann::json record{{"version", 1},
                        {"request", nlohmann::json::parse(body)},
                        {"origin", o},
                        {"encoder", {{"preset", "veryfast"}, {"threads", 2}, {"x264_params", ""}}}};
  RenditionSpec rebuilt = rendition_of_record(two_audio_media(), record);
  EXPECT_EQ(rebuilt.token, g.renditions[5].token);
  EXPECT_EQ(rebuilt.target_uri, "file:///o/lo_video");
  EXPECT_FALSE(rebuilt.audio);
  // The default audio track is an ordinary alternate-audio origin.
  EXPECT_EQ(rebuild_rendition(two_audio_media(), parse_request_text(body), g.origins[2], EncoderConfig{}).token,
            g.renditions[2].token);
}

TEST(DemuxedAudio, VideoOnlyNeedsAnFmp4TargetWithVideoAndAudioInAMaster) {
  PlaylistRequest ts = parse_request_text(request(""));
  EXPECT_THROW(make_video_only(two_audio_media(), ts, 0, EncoderConfig{}), RequestError);
  PlaylistRequest f = parse_request_text(request(kFmp4));
  f.master_uri.reset();
  EXPECT_THROW(make_video_only(two_audio_media(), f, 0, EncoderConfig{}), RequestError);
}

// settings_token keys CODECS across titles: two titles of one source with
// one ladder share it (the URI is left out); a different setting does not;
// renditions made from a target (alternate audio, video-only twin) have none,
// since their CODECS are not the target's.
TEST(DemuxedAudio, SettingsTokenNamesATargetsEncoderAloneAndOnlyATargets) {
  GeneratedPlaylists g = generate(request(kFmp4));
  std::string other = request(kFmp4);
  for (size_t at; (at = other.find("file:///o/")) != std::string::npos;) other.replace(at, 10, "file:///p/");
  GeneratedPlaylists h = generate(other);
  ASSERT_EQ(g.renditions.size(), 6u);
  ASSERT_EQ(h.renditions.size(), 6u);
  EXPECT_NE(g.renditions[0].token, h.renditions[0].token);
  EXPECT_FALSE(g.renditions[0].settings_token.empty());
  EXPECT_EQ(g.renditions[0].settings_token, h.renditions[0].settings_token);
  EXPECT_NE(g.renditions[0].settings_token, g.renditions[1].settings_token);  // 1280x against 640x
  for (size_t i = 2; i < 6; ++i) EXPECT_EQ(g.renditions[i].settings_token, "") << g.renditions[i].target_uri;
}
