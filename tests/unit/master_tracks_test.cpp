// Extra audio streams and text subtitles of a source (and subtitle files)
// become EXT-X-MEDIA tracks of the master, on the grid and clock of the
// video they play beside.
#include <gtest/gtest.h>

#include <set>

#include "actors/playlist/generate.h"

using namespace hlsfs;

namespace {

MediaInfo two_language_media() {
  MediaInfo m;
  m.source = {"file:///m/a.mkv", 1000, "1700000000"};
  StreamInfo v;
  v.index = 0;
  v.kind = StreamKind::video;
  v.time_base = {1, 1000};
  v.start_pts = 0;
  v.end_pts = 60000;
  v.width = 1920;
  v.height = 1080;
  v.sar = {1, 1};
  v.avg_frame_rate = v.r_frame_rate = {24000, 1001};
  StreamInfo a;
  a.index = 1;
  a.kind = StreamKind::audio;
  a.time_base = {1, 1000};
  a.start_pts = 0;
  a.end_pts = 60000;
  a.sample_rate = 48000;
  a.channels = 2;
  a.language = "eng";
  StreamInfo b = a;
  b.index = 2;
  b.sample_rate = 44100;
  b.channels = 6;
  b.language = "fra";
  StreamInfo c = a;
  c.index = 3;
  c.language = "eng";
  c.title = "Director's \"commentary\"";
  m.streams = {v, a, b, c};
  return m;
}

const char* kMasterRequest = R"({"SourceURI":"file:///m/a.mkv","MasterURI":"file:///o/master.m3u8","Targets":[
  {"URI":"file:///o/hi","Video":{"TranscodeVideo":{"CRF":26,"Resolution":"1280x"}},
   "Audio":{"TranscodeAudio":{"Bitrate":128000,"SampleRate":48000}}},
  {"URI":"file:///o/lo","Video":{"TranscodeVideo":{"CRF":26,"Resolution":"640x"}},
   "Audio":{"TranscodeAudio":{"Bitrate":64000}}}]})";

GeneratedPlaylists generate(const std::string& body, const MediaInfo& m = two_language_media()) {
  return generate_playlists(parse_request_text(body), m, EncoderConfig{},
                            [](const RenditionSpec& r) { return r.video ? "avc1.64001F,mp4a.40.2" : "mp4a.40.2"; });
}

}  // namespace

TEST(AlternateAudio, EveryOtherStreamIsATrackOfTheMaster) {
  GeneratedPlaylists g = generate(kMasterRequest);
  ASSERT_EQ(g.renditions.size(), 4u);  // two targets, two alternates
  ASSERT_EQ(g.origins.size(), 4u);
  EXPECT_EQ(g.origins[2].target, 0u);
  EXPECT_EQ(g.origins[2].alternate_audio, 1);
  EXPECT_EQ(g.origins[3].alternate_audio, 2);
  const RenditionSpec& fr = g.renditions[2];
  EXPECT_FALSE(fr.video);
  ASSERT_TRUE(fr.audio);
  EXPECT_EQ(fr.audio->stream, 2);
  EXPECT_EQ(fr.target_uri, "file:///o/master_audio1");
  EXPECT_EQ(fr.segment_name(3), "master_audio1-" + fr.token + "-3.ts");
  // The first target's audio settings; the stream's own channels.
  EXPECT_EQ(fr.audio->bitrate, 128000);
  EXPECT_EQ(fr.audio->sample_rate, 44100);  // 48000 asked, adaptive: never above the source
  EXPECT_EQ(fr.audio->channels, 6);

  const std::string& master = g.files.at("file:///o/master.m3u8");
  EXPECT_NE(master.find("#EXT-X-MEDIA:TYPE=AUDIO,GROUP-ID=\"audio\",NAME=\"English\",LANGUAGE=\"eng\","
                        "DEFAULT=YES,AUTOSELECT=YES\n"),
            std::string::npos)
      << master;
  EXPECT_NE(master.find("NAME=\"French\",LANGUAGE=\"fra\",DEFAULT=NO,AUTOSELECT=YES,URI=\"master_audio1.m3u8\"\n"),
            std::string::npos)
      << master;
  // A quoted-string cannot hold '"': the title keeps its words.
  EXPECT_NE(master.find("NAME=\"Director's 'commentary'\",LANGUAGE=\"eng\",DEFAULT=NO,AUTOSELECT=YES,"
                        "URI=\"master_audio2.m3u8\"\n"),
            std::string::npos)
      << master;
  EXPECT_NE(master.find("CODECS=\"avc1.64001F,mp4a.40.2\",AUDIO=\"audio\"\nhi.m3u8\n"), std::string::npos) << master;
  EXPECT_NE(master.find("AUDIO=\"audio\"\nlo.m3u8\n"), std::string::npos) << master;
  EXPECT_TRUE(g.files.count("file:///o/master_audio1.m3u8"));
  ASSERT_EQ(g.response["AudioPlaylist"].size(), 2u);
  EXPECT_EQ(g.response["AudioPlaylist"][0]["URI"], "file:///o/master_audio1.m3u8");
  EXPECT_EQ(g.response["AudioPlaylist"][0]["Channels"], 6);
  EXPECT_EQ(g.response["VideoPlaylist"].size(), 2u);
}

TEST(AlternateAudio, SameCutsAndSameAacFramesAsTheVideoItFollows) {
  GeneratedPlaylists g = generate(kMasterRequest);
  const RenditionSpec& hi = g.renditions[0];
  const RenditionSpec& track = g.renditions[3];  // same sample rate as hi's audio
  ASSERT_TRUE(track.grid_video);
  EXPECT_EQ(track.plan.bounds(), hi.plan.bounds());
  EXPECT_EQ(track.plan.unit(), hi.plan.unit());
  EXPECT_EQ(track.origin, hi.origin);
  for (size_t k = 0; k < hi.plan.size(); ++k) EXPECT_EQ(track.audio_frames(k), hi.audio_frames(k)) << k;
  EXPECT_EQ(g.files.at("file:///o/master_audio2.m3u8").substr(0, 60),
            g.files.at("file:///o/hi.m3u8").substr(0, 60));  // same header and first EXTINF
}

TEST(AlternateAudio, RebuiltFromItsOriginWithTheSameToken) {
  GeneratedPlaylists g = generate(kMasterRequest);
  PlaylistRequest req = parse_request_text(kMasterRequest);
  for (size_t i = 0; i < g.renditions.size(); ++i)
    EXPECT_EQ(rebuild_rendition(two_language_media(), req, g.origins[i], EncoderConfig{}).token, g.renditions[i].token);
  std::set<std::string> tokens;
  for (const auto& r : g.renditions) tokens.insert(r.token);
  EXPECT_EQ(tokens.size(), g.renditions.size());
}

TEST(AlternateAudio, NoneWithoutAMasterOrWithOneAudioStream) {
  GeneratedPlaylists single = generate(R"({"SourceURI":"file:///m/a.mkv","Targets":[{"URI":"file:///o/hi",
      "Video":{"TranscodeVideo":{"Resolution":"1280x"}},"Audio":{}}]})");
  EXPECT_EQ(single.renditions.size(), 1u);
  MediaInfo one = two_language_media();
  one.streams.resize(2);
  GeneratedPlaylists g = generate(kMasterRequest, one);
  EXPECT_EQ(g.renditions.size(), 2u);
  EXPECT_EQ(g.files.at("file:///o/master.m3u8").find("EXT-X-MEDIA"), std::string::npos);
  EXPECT_EQ(g.files.at("file:///o/master.m3u8").find("AUDIO="), std::string::npos);
}

TEST(AlternateAudio, ATargetNamedLikeATrackIsRefused) {
  std::string body = kMasterRequest;
  body.replace(body.find("file:///o/lo"), 12, "file:///o/master_audio1");
  try {
    generate(body);
    FAIL();
  } catch (const RequestError& e) {
    EXPECT_NE(std::string(e.what()).find("master_audio1.m3u8"), std::string::npos) << e.what();
  }
}

TEST(AlternateAudio, TheMuxedStreamIsTheTargetsChoice) {
  std::string body = kMasterRequest;
  body.replace(body.find("\"Audio\":{\"TranscodeAudio\":{\"Bitrate\":128000"), 9, "\"Audio\":{\"Stream\":1,");
  GeneratedPlaylists g = generate(body);
  EXPECT_EQ(g.renditions[0].audio->stream, 2);
  ASSERT_EQ(g.renditions.size(), 4u);
  EXPECT_EQ(g.renditions[2].audio->stream, 1);  // English becomes the alternate
  const std::string& master = g.files.at("file:///o/master.m3u8");
  EXPECT_NE(master.find("NAME=\"French\",LANGUAGE=\"fra\",DEFAULT=YES"), std::string::npos) << master;
}

namespace {

MediaInfo with_subtitles() {
  MediaInfo m = two_language_media();
  StreamInfo srt;
  srt.index = 4;
  srt.kind = StreamKind::subtitle;
  srt.codec = "subrip";
  srt.language = "eng";
  StreamInfo pgs = srt;
  pgs.index = 5;
  pgs.codec = "hdmv_pgs_subtitle";
  StreamInfo ass = srt;
  ass.index = 6;
  ass.codec = "ass";
  ass.language = "jpn";
  ass.title = "Signs";
  m.streams.push_back(srt);
  m.streams.push_back(pgs);
  m.streams.push_back(ass);
  return m;
}

std::string with_fields(std::string body, const std::string& fields) {
  return body.insert(1, fields);
}

}  // namespace

TEST(SubtitleTracks, TextStreamsBecomeWebVttTracksBitmapOnesAreLeftOutWithAReason) {
  GeneratedPlaylists g = generate(kMasterRequest, with_subtitles());
  ASSERT_EQ(g.renditions.size(), 6u);  // 2 targets, 2 audio tracks, 2 text subtitle streams
  const RenditionSpec& srt = g.renditions[4];
  ASSERT_TRUE(srt.subtitle);
  EXPECT_FALSE(srt.video);
  EXPECT_FALSE(srt.audio);
  EXPECT_EQ(srt.subtitle->stream, 4);
  EXPECT_EQ(srt.subtitle->index, 0);
  EXPECT_EQ(srt.target_uri, "file:///o/master_sub0");
  EXPECT_EQ(srt.segment_name(2), "master_sub0-" + srt.token + "-2.vtt");
  EXPECT_EQ(srt.plan.bounds(), g.renditions[0].plan.bounds());  // the video's cuts
  EXPECT_EQ(g.renditions[5].target_uri, "file:///o/master_sub2");
  ASSERT_EQ(g.notes.size(), 1u);
  EXPECT_NE(g.notes[0].find("hdmv_pgs_subtitle"), std::string::npos) << g.notes[0];

  const std::string& master = g.files.at("file:///o/master.m3u8");
  EXPECT_NE(master.find("#EXT-X-MEDIA:TYPE=SUBTITLES,GROUP-ID=\"subs\",NAME=\"English\",LANGUAGE=\"eng\","
                        "DEFAULT=NO,AUTOSELECT=YES,URI=\"master_sub0.m3u8\"\n"),
            std::string::npos)
      << master;
  EXPECT_NE(master.find("NAME=\"Signs\",LANGUAGE=\"jpn\""), std::string::npos) << master;
  EXPECT_NE(master.find("AUDIO=\"audio\",SUBTITLES=\"subs\"\nhi.m3u8\n"), std::string::npos) << master;
  const std::string& playlist = g.files.at("file:///o/master_sub0.m3u8");
  EXPECT_NE(playlist.find("master_sub0-" + srt.token + "-0.vtt\n"), std::string::npos) << playlist;

  ASSERT_EQ(g.response["SubtitlePlaylist"].size(), 2u);
  EXPECT_EQ(g.response["SubtitlePlaylist"][1]["Index"], 2);
  EXPECT_EQ(g.response["SubtitlePlaylist"][1]["Language"], "jpn");
  EXPECT_EQ(g.response["SubtitlePlaylist"][1]["URI"], "file:///o/master_sub2.m3u8");
}

TEST(SubtitleTracks, ASubtitleTargetNamesItsStreams) {
  std::string body = kMasterRequest;
  body.insert(body.rfind(']'), R"(,{"URI":"file:///o/subs","Subtitle":{"Stream":[2]}})");
  GeneratedPlaylists g = generate(body, with_subtitles());
  ASSERT_EQ(g.renditions.size(), 5u);  // only the stream it names
  EXPECT_EQ(g.renditions[4].target_uri, "file:///o/subs_2");
  EXPECT_EQ(g.origins[4].subtitle_named_by, 2);
  // A bitmap stream named explicitly is an error, not a silent omission.
  std::string bitmap = kMasterRequest;
  bitmap.insert(bitmap.rfind(']'), R"(,{"URI":"file:///o/subs","Subtitle":{"Stream":[1]}})");
  try {
    generate(bitmap, with_subtitles());
    FAIL();
  } catch (const RequestError& e) {
    EXPECT_EQ(e.field, "Targets[2].Subtitle.Stream");
    EXPECT_NE(std::string(e.what()).find("bitmap"), std::string::npos) << e.what();
  }
  std::string missing = kMasterRequest;
  missing.insert(missing.rfind(']'), R"(,{"URI":"file:///o/subs","Subtitle":{"Stream":[7]}})");
  EXPECT_THROW(generate(missing, with_subtitles()), RequestError);
}

TEST(SubtitleTracks, SourceSubtitlesFilesAreTracksWhoseTokenFollowsTheFile) {
  const std::string body = with_fields(
      kMasterRequest, R"("SourceSubtitles":[{"URI":"file:///o/fr.srt","Language":"fra"}],)");
  PlaylistRequest req = parse_request_text(body);
  auto make = [&](const std::string& version) {
    return generate_playlists(req, two_language_media(), EncoderConfig{},
                              [](const RenditionSpec&) { return "x"; }, {SourceIdentity{"file:///o/fr.srt", 120, version}});
  };
  GeneratedPlaylists g = make("1");
  const RenditionSpec& file = g.renditions.back();
  ASSERT_TRUE(file.subtitle);
  EXPECT_EQ(file.subtitle->file_uri, "file:///o/fr.srt");
  EXPECT_EQ(file.subtitle->language, "fra");
  EXPECT_EQ(file.subtitle->index, 0);  // after the source's own (none here)
  EXPECT_EQ(file.subtitle->cue_origin, 0.0);
  EXPECT_EQ(file.target_uri, "file:///o/master_subfile0");
  EXPECT_NE(make("2").renditions.back().token, file.token);  // an edited file is a new track
  EXPECT_EQ(rebuild_rendition(two_language_media(), req, g.origins.back(), EncoderConfig{}).token, file.token);
  nlohmann::json stored = g.origins.back();
  EXPECT_EQ(rebuild_rendition(two_language_media(), req, stored.get<RenditionOrigin>(), EncoderConfig{}).token,
            file.token);
}

TEST(SubtitleTracks, TheyNeedATargetWithVideo) {
  const std::string audio_only = R"({"SourceURI":"file:///m/a.mkv","MasterURI":"file:///o/master.m3u8",
      "SourceSubtitles":[{"URI":"file:///o/fr.srt","Language":"fra"}],
      "Targets":[{"URI":"file:///o/a","Audio":{}}]})";
  try {
    generate(audio_only, with_subtitles());
    FAIL();
  } catch (const RequestError& e) {
    EXPECT_NE(std::string(e.what()).find("video"), std::string::npos) << e.what();
  }
}
