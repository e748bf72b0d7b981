// The formats of the brief (AVI, MOV, FLV, MKV, WebM, MPEG, WMV, RM, VOB, TS;
// MP3, WAV, AAC, FLAC, WMA) are readable by this build, and "300+" is true.
#include <gtest/gtest.h>

#include <algorithm>

#include "actors/transcoder/formats.h"

using namespace hlsfs;

namespace {
bool has(const std::vector<std::string>& v, const std::string& name) {
  return std::find(v.begin(), v.end(), name) != v.end();
}
}  // namespace

TEST(Formats, TheBriefsContainersAndCodecsAreReadable) {
  FormatCounts f = readable_formats();
  for (const char* d : {"avi", "mov,mp4,m4a,3gp,3g2,mj2", "flv", "matroska,webm", "mpeg", "asf", "rm", "mpegts",
                        "mp3", "wav", "aac", "flac"})
    EXPECT_TRUE(has(f.demuxers, d)) << d;
  for (const char* v : {"h264", "hevc", "mpeg4", "mpeg2video", "vp9", "wmv2", "rv20", "flv"})
    EXPECT_TRUE(has(f.video, v)) << v;
  for (const char* a : {"aac", "mp3", "flac", "wmav2", "ac3", "pcm_s16le", "opus"}) EXPECT_TRUE(has(f.audio, a)) << a;
  for (const char* s : {"subrip", "ass", "mov_text", "webvtt"}) EXPECT_TRUE(has(f.subtitle, s)) << s;
  EXPECT_GE(f.demuxers.size(), 300u);
}
