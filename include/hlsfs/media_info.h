// What a probe learns about a source, as a plain value that can be stored
// (RocksDB "sources" family) and sent between actors: streams, timing and
// the keyframes of each video stream, from the container's index or packets.
#pragma once
#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include <nlohmann/json_fwd.hpp>

#include "hlsfs/rational.h"

namespace hlsfs {

constexpr int64_t kNoTimestamp = INT64_MIN;

struct Keyframe {
  int64_t pts = kNoTimestamp;  // stream time base
  int64_t dts = kNoTimestamp;
  int64_t pos = -1;            // byte offset, -1 unknown
};

enum class StreamKind { video, audio, subtitle, other };

struct StreamInfo {
  int index = -1;  // container stream index
  StreamKind kind = StreamKind::other;
  std::string codec;
  Rational time_base{1, 90000};
  int64_t start_pts = kNoTimestamp;  // first presentation time seen (stream time base)
  int64_t end_pts = kNoTimestamp;    // last presentation time + its duration
  int64_t packets = 0;  // exact when probed by "packets" or from an MP4 index; else estimated from the bytes
  int64_t bit_rate = 0;
  std::string language, title;
  bool is_default = false;
  // video
  int width = 0, height = 0;
  Rational sar{0, 1};
  int rotation = 0;  // clockwise degrees to display upright
  Rational avg_frame_rate{0, 1}, r_frame_rate{0, 1};
  std::string pix_fmt, field_order, color_primaries, color_trc, color_space, color_range;
  // RFC 6381 name of its profile and level ("avc1.64001F", "hvc1.1.6.L93.90")
  // from its parameter sets; "" for other codecs (CODECS of a passthrough).
  std::string codec_string;
  // Where decoding can start. From "packets": every keyframe, exact times.
  // From "index": the container's keyframe entries, their index times (for
  // MP4 a decode time, for Matroska the cue time) in both pts and dts. From
  // "head+tail": the keyframes of the head only. Segments find their own
  // start keyframe in the source (Demuxer::start_at_keyframe_before).
  std::vector<Keyframe> keyframes;
  // Whether its keyframes after the first include one a decoder cannot
  // start at alone (an open GOP: H.264 I slices that are not IDR, HEVC CRA
  // or BLA followed by RASL pictures), from the keyframe packets the probe
  // read. Unset: not known (no keyframe after the first was seen, another
  // codec, or a record made before the probe looked).
  std::optional<bool> open_gop;
  // audio
  int sample_rate = 0, channels = 0, frame_size = 0;
  std::string channel_layout;

  double seconds(int64_t ts) const { return static_cast<double>(ts) * time_base.num / time_base.den; }
  double start_seconds() const { return start_pts == kNoTimestamp ? 0.0 : seconds(start_pts); }
  double end_seconds() const { return end_pts == kNoTimestamp ? 0.0 : seconds(end_pts); }
};

// Identity of a source version: a changed file is a new source (new tokens).
struct SourceIdentity {
  std::string uri;
  int64_t size = -1;
  std::string version;  // mtime in ns, or ETag
};

struct MediaInfo {
  SourceIdentity source;
  std::string format;          // demuxer name
  double container_duration = 0;
  std::vector<StreamInfo> streams;
  // How the probe learnt the timing: "packets" (it read every packet: small
  // files, and records made before indexes were read), "index" (the
  // container's index plus a head and a tail), "head+tail" (no index: start
  // from the head, end from the tail).
  std::string probe_method = "packets";
  int64_t probe_bytes_read = 0;  // bytes the probe read from the source

  // The n-th stream of a kind (n counts only streams of that kind), or null.
  const StreamInfo* nth(StreamKind kind, int n) const;
  int count(StreamKind kind) const;
};

void to_json(nlohmann::json&, const MediaInfo&);
void from_json(const nlohmann::json&, MediaInfo&);

const char* to_string(StreamKind);

}  // namespace hlsfs
