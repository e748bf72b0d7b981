// WebVTT subtitles: the segment text and ASS cleanup (pure), and cue
// extraction with FFmpeg from the fixtures and from files written here.
#include <gtest/gtest.h>
#include <unistd.h>

#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <string>
#include <vector>

#include "actors/playlist/webvtt.h"
#include "actors/transcoder/source.h"
#include "actors/transcoder/subtitle_cues.h"

using namespace hlsfs;
namespace fs = std::filesystem;

namespace hlsfs {
// Readable failures: EXPECT_EQ on cue vectors prints each cue.
bool operator==(const SubtitleCue& a, const SubtitleCue& b) {
  return a.start_ms == b.start_ms && a.end_ms == b.end_ms && a.text == b.text;
}
void PrintTo(const SubtitleCue& c, std::ostream* os) {
  *os << "{" << c.start_ms << ", " << c.end_ms << ", \"" << c.text << "\"}";
}
}  // namespace hlsfs

namespace {

const std::string kHeader = "WEBVTT\nX-TIMESTAMP-MAP=MPEGTS:126000,LOCAL:00:00:00.000\n\n";

// ---------------------------------------------------------------- pure text

TEST(WebvttSegment, HeaderOnlyWhenNoCueOverlaps) {
  EXPECT_EQ(webvtt_segment({}, 0, 6, 0, 126000), kHeader);
  EXPECT_EQ(webvtt_segment({{1000, 3000, "Hello"}}, 6, 12, 0, 900000),
            "WEBVTT\nX-TIMESTAMP-MAP=MPEGTS:900000,LOCAL:00:00:00.000\n\n");
}

TEST(WebvttSegment, CuesOverlappingTheSegmentInOutputTime) {
  std::vector<SubtitleCue> cues = {{1000, 3000, "Hello"}, {7500, 9000, "World"}, {5000, 13000, "Long\nline two"}};
  EXPECT_EQ(webvtt_segment(cues, 0, 6, 0, 126000), kHeader +
                                                       "00:00:01.000 --> 00:00:03.000\nHello\n\n"
                                                       "00:00:05.000 --> 00:00:13.000\nLong\nline two\n\n");
  // The long cue is repeated, with its full times, in every segment it spans.
  EXPECT_EQ(webvtt_segment(cues, 6, 12, 0, 126000), kHeader +
                                                        "00:00:05.000 --> 00:00:13.000\nLong\nline two\n\n"
                                                        "00:00:07.500 --> 00:00:09.000\nWorld\n\n");
  EXPECT_EQ(webvtt_segment(cues, 12, 18, 0, 126000), kHeader + "00:00:05.000 --> 00:00:13.000\nLong\nline two\n\n");
}

TEST(WebvttSegment, SegmentIsHalfOpen) {
  std::vector<SubtitleCue> cues = {{1000, 3000, "ends at t0"}, {6000, 7000, "starts at t1"}, {2999, 3001, "in"}};
  EXPECT_EQ(webvtt_segment(cues, 3, 6, 0, 126000), kHeader + "00:00:02.999 --> 00:00:03.001\nin\n\n");
}

TEST(WebvttSegment, OriginShiftsClampsAndDrops) {
  std::vector<SubtitleCue> cues = {
      {500, 2000, "before origin"}, {1000, 3000, "Hello"}, {7500, 9000, "World"}, {2000, 2500, "ends at origin"}};
  // Output time 0 is source 2.5 s: "Hello" keeps its last half second.
  EXPECT_EQ(webvtt_segment(cues, 0, 6, 2.5, 126000), kHeader +
                                                         "00:00:00.000 --> 00:00:00.500\nHello\n\n"
                                                         "00:00:05.000 --> 00:00:06.500\nWorld\n\n");
  EXPECT_EQ(webvtt_segment(cues, 6, 12, 2.5, 126000), kHeader + "00:00:05.000 --> 00:00:06.500\nWorld\n\n");
}

TEST(WebvttSegment, CuesInStartOrderAndWithoutBlankLines) {
  // Clamping ties two starts; a blank line inside a payload would end the cue early.
  std::vector<SubtitleCue> cues = {{4000, 5000, "later"}, {1000, 4500, "a\n\n  \nb"}, {500, 4200, "c"}};
  EXPECT_EQ(webvtt_segment(cues, 0, 6, 1.0, 126000), kHeader +
                                                         "00:00:00.000 --> 00:00:03.500\na\nb\n\n"
                                                         "00:00:00.000 --> 00:00:03.200\nc\n\n"
                                                         "00:00:03.000 --> 00:00:04.000\nlater\n\n");
}

TEST(WebvttSegment, LongTimesAndFractionalBounds) {
  std::vector<SubtitleCue> cues = {{3723004, 3725000, "hour"}, {360000000, 360001000, "100 h"}};
  EXPECT_EQ(webvtt_segment(cues, 3722.002, 3724.0, 0, 1), "WEBVTT\nX-TIMESTAMP-MAP=MPEGTS:1,LOCAL:00:00:00.000\n\n"
                                                          "01:02:03.004 --> 01:02:05.000\nhour\n\n");
  EXPECT_EQ(webvtt_time(360000000), "100:00:00.000");
  EXPECT_EQ(webvtt_time(59999), "00:00:59.999");
}

TEST(CueTextFromAss, FfmpegEventFields) {
  EXPECT_EQ(cue_text_from_ass("0,0,Default,,0,0,0,,Hello"), "Hello");
  // Text may hold commas; Name and Effect may be set.
  EXPECT_EQ(cue_text_from_ass("3,1,Top,Narrator,10,10,10,Banner;5,Yes, no, maybe"), "Yes, no, maybe");
  EXPECT_EQ(cue_text_from_ass("Dialogue: 0,0:00:01.00,0:00:02.00,Default,,0,0,0,,full line"), "full line");
  EXPECT_EQ(cue_text_from_ass("not an event"), "");
}

TEST(CueTextFromAss, MarkupBecomesEscapedPlainText) {
  EXPECT_EQ(cue_text_from_ass("0,0,Default,,0,0,0,,{\\an8\\i1}Hello{\\i0}\\Nbrave\\hnew\\nworld"),
            "Hello\nbrave new\nworld");
  EXPECT_EQ(cue_text_from_ass("0,0,Default,,0,0,0,,Tom & Jerry <3 -> fun"), "Tom &amp; Jerry &lt;3 -&gt; fun");
  EXPECT_EQ(cue_text_from_ass("0,0,Default,,0,0,0,,{a comment}kept\\Tliteral backslash"),
            "kept\\Tliteral backslash");
  EXPECT_EQ(cue_text_from_ass("0,0,Default,,0,0,0,,unclosed { brace"), "unclosed { brace");
}

TEST(CueTextFromAss, TrimsAndCollapsesEmptyLines) {
  EXPECT_EQ(cue_text_from_ass("0,0,Default,,0,0,0,,  one \\N\\N \\N{\\b1}\\h two\\h\\N"), "one\ntwo");
  EXPECT_EQ(cue_text_from_ass("0,0,Default,,0,0,0,,{\\pos(1,2)}  \\N "), "");
}

TEST(CueTextFromAss, DrawingsAreNotText) {
  EXPECT_EQ(cue_text_from_ass("0,0,Default,,0,0,0,,{\\p1}m 0 0 l 100 0 100 100{\\p0}"), "");
  EXPECT_EQ(cue_text_from_ass("0,0,Default,,0,0,0,,{\\pos(5,5)\\p2}m 0 0 l 1 1{\\p0\\i1}Sign"), "Sign");
  EXPECT_EQ(cue_text_from_ass("0,0,Default,,0,0,0,,{\\pos(5,5)}{\\pbo0}Words"), "Words");
}

TEST(CueTextFromPlain, EscapesAndTrims) {
  EXPECT_EQ(cue_text_from_plain(" a<b \r\n\n {c}&\\N "), "a&lt;b\n{c}&amp;\\N");
}

// ------------------------------------------------------------------ FFmpeg

struct TempDir {
  fs::path path;
  TempDir() {
    std::string tmpl = (fs::temp_directory_path() / "hlsfs-subtitles-XXXXXX").string();
    path = mkdtemp(tmpl.data());
  }
  ~TempDir() {
    std::error_code ec;
    fs::remove_all(path, ec);
  }
};

std::string fixture(const std::string& name) {
  const char* dir = getenv("HLSFS_FIXTURES");
  return dir && *dir ? (fs::path(dir) / name).string() : std::string();
}
#define REQUIRE_FIXTURES() \
  if (fixture("x").empty()) GTEST_SKIP() << "HLSFS_FIXTURES not set"

std::vector<SubtitleCue> cues_of_file(const std::string& path, int stream_index) {
  LocalFileOpener opener;
  InputPtr in = opener.open("file://" + fs::absolute(path).string());
  return read_subtitle_cues(in.get(), stream_index);
}

// The MediaError message of cues_of_file, or a failure.
std::string error_of_file(const std::string& path, int stream_index) {
  try {
    cues_of_file(path, stream_index);
  } catch (const MediaError& e) {
    return e.what();
  }
  ADD_FAILURE() << "no MediaError for stream " << stream_index << " of " << path;
  return "";
}

struct TestPacket {
  int64_t pts_ms, duration_ms;
  std::string data;
};

// A Matroska file with a single subtitle stream in 1/1000 time base.
void write_subtitle_mkv(const fs::path& path, AVCodecID codec, const std::vector<TestPacket>& packets) {
  AVFormatContext* out = nullptr;
  ASSERT_GE(avformat_alloc_output_context2(&out, nullptr, "matroska", path.c_str()), 0);
  AVStream* st = avformat_new_stream(out, nullptr);
  st->codecpar->codec_type = AVMEDIA_TYPE_SUBTITLE;
  st->codecpar->codec_id = codec;
  st->time_base = {1, 1000};
  ASSERT_GE(avio_open(&out->pb, path.c_str(), AVIO_FLAG_WRITE), 0);
  ASSERT_GE(avformat_write_header(out, nullptr), 0);
  PacketPtr pkt = make_packet();
  for (const TestPacket& p : packets) {
    ASSERT_GE(av_new_packet(pkt.get(), static_cast<int>(p.data.size())), 0);
    std::copy(p.data.begin(), p.data.end(), pkt->data);
    pkt->pts = pkt->dts = av_rescale_q(p.pts_ms, {1, 1000}, st->time_base);
    pkt->duration = av_rescale_q(p.duration_ms, {1, 1000}, st->time_base);
    pkt->stream_index = 0;
    ASSERT_GE(av_write_frame(out, pkt.get()), 0);
    av_packet_unref(pkt.get());
  }
  ASSERT_GE(av_write_trailer(out), 0);
  avio_closep(&out->pb);
  avformat_free_context(out);
}

TEST(ReadSubtitleCues, SrtInMatroska) {
  REQUIRE_FIXTURES();
  // The SRT said 1.000-3.000 and 7.500-9.000, but ffmpeg made the file with
  // every stream 21 ms later (the video starts at 0.021): source time is
  // what the packets say.
  std::vector<SubtitleCue> want = {{1021, 3021, "Hello"}, {7521, 9021, "World"}};
  EXPECT_EQ(cues_of_file(fixture("h264_openGOP_2audio_subs.mkv"), 3), want);
}

TEST(ReadSubtitleCues, ExternalSrtAndVtt) {
  REQUIRE_FIXTURES();
  EXPECT_EQ(cues_of_file(fixture("external.srt"), 0), (std::vector<SubtitleCue>{{2000, 5000, "external srt cue"}}));
  EXPECT_EQ(cues_of_file(fixture("external.vtt"), 0), (std::vector<SubtitleCue>{{1000, 4000, "external cue"}}));
}

TEST(ReadSubtitleCues, OtherStreamsDiscardedOnlyWhileReading) {
  REQUIRE_FIXTURES();
  LocalFileOpener opener;
  InputPtr in = opener.open("file://" + fs::absolute(fixture("h264_openGOP_2audio_subs.mkv")).string());
  ASSERT_EQ(read_subtitle_cues(in.get(), 3).size(), 2u);
  for (unsigned i = 0; i < in->nb_streams; ++i) EXPECT_EQ(in->streams[i]->discard, AVDISCARD_DEFAULT) << i;
}

TEST(ReadSubtitleCues, AssFileEndToEnd) {
  TempDir dir;
  fs::path ass = dir.path / "styled.ass";
  std::ofstream(ass) << "[Script Info]\nScriptType: v4.00+\nPlayResX: 384\nPlayResY: 288\n\n"
                        "[V4+ Styles]\n"
                        "Format: Name, Fontname, Fontsize, PrimaryColour, SecondaryColour, OutlineColour, BackColour, "
                        "Bold, Italic, Underline, StrikeOut, ScaleX, ScaleY, Spacing, Angle, BorderStyle, Outline, "
                        "Shadow, Alignment, MarginL, MarginR, MarginV, Encoding\n"
                        "Style: Default,Arial,20,&H00FFFFFF,&H000000FF,&H00000000,&H00000000,0,0,0,0,100,100,0,0,1,2,"
                        "0,2,10,10,10,1\n\n"
                        "[Events]\n"
                        "Format: Layer, Start, End, Style, Name, MarginL, MarginR, MarginV, Effect, Text\n"
                        // Out of order on purpose: cues come back sorted.
                        "Dialogue: 0,0:00:04.00,0:00:06.50,Default,,0,0,0,,Second, with a comma & <angle>\n"
                        "Dialogue: 0,0:00:01.00,0:00:03.25,Default,Narrator,0,0,0,,"
                        "{\\an8\\i1}Hello{\\i0}\\N{\\c&H00FF00&}brave new\\hworld\n"
                        "Dialogue: 1,0:00:05.00,0:00:07.00,Default,,0,0,0,,{\\p1}m 0 0 l 100 0 100 100{\\p0}\n"
                        "Comment: 0,0:00:08.00,0:00:09.00,Default,,0,0,0,,not shown\n"
                        "Dialogue: 0,0:00:08.00,0:00:09.00,Default,,0,0,0,,{\\pos(10,20)\\b1}Signpost\n";
  std::vector<SubtitleCue> want = {{1000, 3250, "Hello\nbrave new world"},
                                   {4000, 6500, "Second, with a comma &amp; &lt;angle&gt;"},
                                   {8000, 9000, "Signpost"}};
  std::vector<SubtitleCue> got = cues_of_file(ass.string(), 0);
  EXPECT_EQ(got, want);
  EXPECT_EQ(webvtt_segment(got, 6, 12, 0, 126000), kHeader +
                                                       "00:00:04.000 --> 00:00:06.500\n"
                                                       "Second, with a comma &amp; &lt;angle&gt;\n\n"
                                                       "00:00:08.000 --> 00:00:09.000\nSignpost\n\n");
}

TEST(ReadSubtitleCues, CueWithoutEndLastsUntilTheNextOrFiveSeconds) {
  TempDir dir;
  fs::path mkv = dir.path / "no_durations.mkv";
  write_subtitle_mkv(mkv, AV_CODEC_ID_SUBRIP, {{1000, 0, "first"}, {2500, 0, "second"}, {20000, 0, "last"}});
  std::vector<SubtitleCue> want = {{1000, 2500, "first"}, {2500, 7500, "second"}, {20000, 25000, "last"}};
  EXPECT_EQ(cues_of_file(mkv.string(), 0), want);
}

TEST(ReadSubtitleCues, SegmentsFromTheFixture) {
  REQUIRE_FIXTURES();
  LocalFileOpener opener;
  InputPtr in = opener.open("file://" + fs::absolute(fixture("h264_openGOP_2audio_subs.mkv")).string());
  // As the daemon's probe does; the packets it reads ahead must still count.
  ASSERT_GE(avformat_find_stream_info(in.get(), nullptr), 0);
  std::vector<SubtitleCue> cues = read_subtitle_cues(in.get(), 3);
  // Output time 0 is the video's first frame, as a rendition's origin: the
  // cues land where the SRT put them relative to the picture.
  const AVStream* video = in->streams[0];
  double origin = static_cast<double>(video->start_time) * av_q2d(video->time_base);
  ASSERT_DOUBLE_EQ(origin, 0.021);
  EXPECT_EQ(webvtt_segment(cues, 0, 6, origin, 126000), kHeader + "00:00:01.000 --> 00:00:03.000\nHello\n\n");
  EXPECT_EQ(webvtt_segment(cues, 6, 12, origin, 126000), kHeader + "00:00:07.500 --> 00:00:09.000\nWorld\n\n");
  EXPECT_EQ(webvtt_segment(cues, 12, 18, origin, 126000), kHeader);
}

TEST(ReadSubtitleCues, ClearErrors) {
  REQUIRE_FIXTURES();
  std::string mkv = fixture("h264_openGOP_2audio_subs.mkv");
  EXPECT_NE(error_of_file(mkv, 9).find("stream 9 does not exist (the input has 4 streams)"), std::string::npos);
  EXPECT_NE(error_of_file(mkv, 0).find("stream 0 is not a subtitle stream (video)"), std::string::npos);
}

TEST(ReadSubtitleCues, BitmapCodecRefused) {
  TempDir dir;
  fs::path mkv = dir.path / "bitmap.mkv";
  // One (bogus) packet: FFmpeg cannot read back a Matroska file with none.
  write_subtitle_mkv(mkv, AV_CODEC_ID_DVD_SUBTITLE, {{1000, 1000, "not a bitmap"}});
  std::string err = error_of_file(mkv.string(), 0);
  EXPECT_NE(err.find("dvd_subtitle, a bitmap subtitle codec"), std::string::npos) << err;
}

TEST(IsTextSubtitleCodec, TextYesBitmapNo) {
  for (const char* name : {"subrip", "srt", "ass", "ssa", "mov_text", "webvtt", "text"})
    EXPECT_TRUE(is_text_subtitle_codec_name(name)) << name;
  for (const char* name : {"dvd_subtitle", "hdmv_pgs_subtitle", "dvb_subtitle", "xsub", "h264", "aac", "nonsense", ""})
    EXPECT_FALSE(is_text_subtitle_codec_name(name)) << name;
}

}  // namespace

// The playlist side decides which streams become tracks without libav; its
// list of text codecs must be libavcodec's.
TEST(TextSubtitleCodecs, ThePlaylistListIsLibavcodecs) {
  int subtitle_codecs = 0;
  for (const AVCodecDescriptor* d = avcodec_descriptor_next(nullptr); d; d = avcodec_descriptor_next(d)) {
    if (d->type != AVMEDIA_TYPE_SUBTITLE) continue;
    ++subtitle_codecs;
    EXPECT_EQ(hlsfs::is_text_subtitle_codec_name(d->name), (d->props & AV_CODEC_PROP_TEXT_SUB) != 0) << d->name;
  }
  EXPECT_GT(subtitle_codecs, 20);
}
