// A library store's policy (stores.<name>.library in hlsfs.yaml): which
// renditions every video file under it gets, its audio and subtitles, and
// its segment durations. A plain value: config.cpp fills it, the ladder
// (ladder.h) turns it into a GenerateVideoPlaylist request per file.
#pragma once
#include <cstdint>
#include <optional>
#include <string>
#include <vector>

namespace hlsfs {

struct LibrarySettings {
  // Rendition heights, tallest first. A rung is used only when the source
  // is at least that tall; a source shorter than every rung gets the
  // shortest one at its own size (never upscaled).
  std::vector<int> renditions{1080, 720, 480, 360};
  std::string video_codec = "h264";   // h264 or h265
  int crf = 23;
  std::optional<double> frame_rate;   // absent: the source's
  // The segments' container, "ts" or "fmp4" (Targets[].Container); empty:
  // by codec, fmp4 for h265 (HEVC in MPEG-TS plays almost nowhere: not on
  // Apple devices, not in hls.js), ts for h264 (every player). config.cpp
  // refuses ts with h265.
  std::string container;
  std::string effective_container() const {
    return !container.empty() ? container : video_codec == "h265" ? "fmp4" : "ts";
  }
  // The first audio stream, to AAC, in every rendition (any other audio
  // stream becomes an alternate track of the master). false: no audio.
  bool audio = true;
  int64_t audio_bitrate = 128000;     // bit/s
  int audio_channels = 2;             // at most; a mono source stays mono
  // "text": every text subtitle stream becomes a WebVTT track (bitmap
  // streams, PGS or DVD, are left out: WebVTT carries text).
  std::string subtitles = "text";
  double duration = 6;                         // seconds per segment
  std::vector<double> initial_segments{2, 2, 2};  // the first segments' lengths
  double initial_transcode = 0;  // seconds made ahead when a title first appears
  // Which files are videos: by extension (lower-case, no dot), never by
  // opening them (a directory listing opens nothing).
  std::vector<std::string> extensions = default_extensions();
  // A directory's listing is read from the store this many entries at a
  // time (readdir resumes after the last name read): the memory one listing
  // takes, whatever the directory's size.
  int list_page = 1000;

  bool operator==(const LibrarySettings& o) const {
    return renditions == o.renditions && video_codec == o.video_codec && crf == o.crf && frame_rate == o.frame_rate &&
           effective_container() == o.effective_container() &&
           audio == o.audio && audio_bitrate == o.audio_bitrate && audio_channels == o.audio_channels &&
           subtitles == o.subtitles && duration == o.duration && initial_segments == o.initial_segments &&
           initial_transcode == o.initial_transcode && extensions == o.extensions && list_page == o.list_page;
  }
  bool operator!=(const LibrarySettings& o) const { return !(*this == o); }

  static std::vector<std::string> default_extensions() {
    return {"mp4", "m4v", "mov", "mkv", "webm", "avi", "ts", "m2ts", "mts", "mpg",
            "mpeg", "vob", "flv", "wmv", "asf", "3gp", "ogv"};
  }
};

}  // namespace hlsfs
