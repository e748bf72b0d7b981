// A probe result as a 60 s H.264 + AAC upload gives it (a keyframe at 0,
// 30 fps, 48 kHz stereo), for unit tests that plan, name or record titles
// without a real file.
#pragma once
#include <string>

#include "hlsfs/media_info.h"

namespace hlsfs::test {

inline MediaInfo sample_media(int width = 1920, int height = 1080, const std::string& uri = "file:///m/a.mp4",
                              const std::string& version = "1700000000") {
  MediaInfo m;
  m.source = {uri, 1000, version};
  StreamInfo v;
  v.index = 0;
  v.kind = StreamKind::video;
  v.time_base = {1, 15360};
  v.start_pts = 0;
  v.end_pts = 15360 * 60;
  v.width = width;
  v.height = height;
  v.sar = {1, 1};
  v.avg_frame_rate = v.r_frame_rate = {30, 1};
  v.keyframes = {{0, 0, 0}};
  StreamInfo a;
  a.index = 1;
  a.kind = StreamKind::audio;
  a.time_base = {1, 48000};
  a.start_pts = 0;
  a.end_pts = 48000 * 60;
  a.sample_rate = 48000;
  a.channels = 2;
  m.streams = {v, a};
  return m;
}

}  // namespace hlsfs::test
