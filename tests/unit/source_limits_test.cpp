// One file's timestamps cannot make a playlist of 200,000 segments.
#include <gtest/gtest.h>

#include "actors/playlist/generate.h"
#include "actors/playlist/request.h"
#include "actors/playlist/source_limits.h"

using namespace hlsfs;

namespace {
StreamInfo stream(StreamKind kind, int64_t packets, double seconds) {
  StreamInfo s;
  s.kind = kind;
  s.index = kind == StreamKind::video ? 0 : 1;
  s.time_base = {1, 1000};
  s.start_pts = 0;
  s.end_pts = static_cast<int64_t>(seconds * 1000);
  s.packets = packets;
  return s;
}
}  // namespace

TEST(SourceLimits, ATimestampJumpIsNamed) {
  MediaInfo m;
  m.streams = {stream(StreamKind::video, 2, 1000000)};
  EXPECT_EQ(timeline_problem(m),
            "video stream 0 has 2 packets over 1000000 s: its timestamps jump (at most one packet per 60 s is believable)");
}

TEST(SourceLimits, RealMediaPasses) {
  MediaInfo m;
  m.streams = {stream(StreamKind::video, 7200 * 25, 7200), stream(StreamKind::audio, 7200 * 47, 7200)};
  EXPECT_EQ(timeline_problem(m), "");
  m.streams = {stream(StreamKind::video, 60, 600)};  // a slideshow: one picture every 10 s
  EXPECT_EQ(timeline_problem(m), "");
  StreamInfo subs = stream(StreamKind::subtitle, 2, 7200);  // sparse by nature
  m.streams = {stream(StreamKind::video, 7200 * 25, 7200), subs};
  EXPECT_EQ(timeline_problem(m), "");
}

TEST(SourceLimits, AJumpInAnyUsedStreamIsRefused) {
  MediaInfo m;
  m.streams = {stream(StreamKind::video, 7200 * 25, 7200), stream(StreamKind::audio, 3, 900000)};
  EXPECT_NE(timeline_problem(m).find("audio stream 1 has 3 packets"), std::string::npos);
}

// The daemon and `hlsfsctl render` both plan through generate_playlists, so
// the refusal lives there: render must not plan 200,000 segments either.
TEST(SourceLimits, GenerateRefusesAJumpBeforePlanning) {
  MediaInfo m;
  m.streams = {stream(StreamKind::audio, 2, 1000000)};
  m.container_duration = 1000000;
  PlaylistRequest req = parse_request_text(
      R"({"SourceURI":"file:///m/jump.mkv","Targets":[{"URI":"file:///o/a","Audio":{"TranscodeAudio":{"Bitrate":64000}}}]})");
  try {
    generate_playlists(req, m, EncoderConfig{}, [](const RenditionSpec&) { return "mp4a.40.2"; });
    FAIL() << "a source whose timestamps jump was planned";
  } catch (const SourceRejected& e) {
    EXPECT_NE(std::string(e.what()).find("SourceURI: file:///m/jump.mkv: audio stream 1 has 2 packets"), std::string::npos)
        << e.what();
  }
}
