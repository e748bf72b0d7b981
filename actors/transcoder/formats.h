// What this build's FFmpeg libraries can read: the measured basis of the
// "300+ formats" claim (`hlsfsctl formats`).
#pragma once
#include <string>
#include <vector>

namespace hlsfs {

struct FormatCounts {
  std::vector<std::string> demuxers;                       // container formats a source may be in
  std::vector<std::string> video, audio, subtitle;         // decoders by kind
};

FormatCounts readable_formats();

}  // namespace hlsfs
