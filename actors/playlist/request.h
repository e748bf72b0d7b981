// The GenerateVideoPlaylist request of Alibaba Cloud IMM, field for field
// (see ../shared/IMM-API.md), parsed and validated into plain values.
// Parsing never looks at the source file; what depends on the source (never
// upscale, the source's frame rate, ...) is decided later, in rendition.h.
#pragma once
#include <map>
#include <optional>
#include <stdexcept>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "hlsfs/rational.h"

namespace hlsfs {

// A request that cannot be served. `field` is the JSON path ("Targets[0].Duration").
struct RequestError : std::runtime_error {
  std::string field;
  RequestError(std::string f, const std::string& msg)
      : std::runtime_error(f.empty() ? msg : f + ": " + msg), field(std::move(f)) {}
};

enum class ScaleType { stretch, crop, fill, fit };
// IMM's BitrateOption / FrameRateOption / ResolutionOption / SampleRateOption.
enum class ValueOption { adaptive, fixed, fall };

const char* to_string(ScaleType);
const char* to_string(ValueOption);

struct VideoRequest {
  std::vector<int> streams{0};  // indexes among the source's video streams
  std::string codec = "h264";
  std::optional<int> crf;           // CRF 23 when neither CRF nor Bitrate is given
  std::optional<int64_t> bitrate;   // bit/s
  std::optional<int64_t> max_bitrate;
  std::optional<int64_t> buffer_size;
  std::optional<Rational> frame_rate;  // absent: the source's
  std::optional<int> width, height;    // Resolution "WxH", "Wx", "xH"
  bool adaptive_resolution_direction = false;
  ScaleType scale_type = ScaleType::stretch;
  ValueOption bitrate_option = ValueOption::adaptive;
  ValueOption frame_rate_option = ValueOption::adaptive;
  ValueOption resolution_option = ValueOption::adaptive;
  std::string pixel_format = "yuv420p";
  std::optional<int> bframes, refs;
  int rotation = 0;  // extra clockwise rotation, after the source's own
  // hlsfs extension `Targets[].Video.Passthrough` (IMM has none): the
  // source's video packets copied, cut at its keyframes, not transcoded (an
  // original-quality rendition that costs a remux). Excludes TranscodeVideo;
  // what the source must be for it is decided in passthrough_rules.h.
  bool passthrough = false;

  int effective_crf() const { return crf.value_or(23); }
};

struct AudioRequest {
  int stream = 0;  // index among the source's audio streams
  std::string codec = "aac";
  std::optional<int64_t> bitrate;
  std::optional<int> quality;
  std::optional<int> sample_rate;
  std::optional<int> channels;
  ValueOption bitrate_option = ValueOption::adaptive;
  ValueOption sample_rate_option = ValueOption::adaptive;
};

struct SubtitleRequest {
  std::vector<int> streams;  // empty: all subtitle streams
};

// hlsfs extension `Targets[].Container` (IMM has no such field; its
// sibling API CreateMediaConvertTask names the output container so): the
// segments' container. fmp4: an init segment plus fragmented-MP4 (CMAF)
// media segments, as Apple devices need for HEVC.
enum class SegmentContainer { ts, fmp4 };
const char* to_string(SegmentContainer);

struct TargetRequest {
  std::string uri;  // output prefix, without extension
  double duration = 10;
  std::vector<double> initial_segments{2, 2, 2};
  double initial_transcode = 30;        // seconds; < 0 = whole file; 0 = none
  std::optional<int> transcode_ahead;   // segments
  std::optional<VideoRequest> video;    // absent or disabled: no video
  std::optional<AudioRequest> audio;    // absent or disabled: no audio
  std::optional<SubtitleRequest> subtitle;
  SegmentContainer container = SegmentContainer::ts;
};

struct SourceSubtitle {
  std::string uri;
  std::string language;
};

enum class OverwritePolicy { overwrite, skip_existing };

struct PlaylistRequest {
  std::string source_uri;
  std::optional<std::string> master_uri;
  std::vector<SourceSubtitle> source_subtitles;
  double source_start_time = 0;
  double source_duration = 0;  // 0: to the end
  OverwritePolicy overwrite_policy = OverwritePolicy::overwrite;
  std::map<std::string, std::string> tags;
  std::string user_data;
  // IMM's Notification ({MNS: {...}}, {RocketMQ: {...}}, {Kafka: {...}}),
  // checked and kept as given: hlsfs posts to its configured webhook instead
  // (notifications.url) and echoes this in each post. null: absent.
  nlohmann::json notification;
  std::vector<TargetRequest> targets;
  std::vector<std::string> warnings;  // accepted but ignored fields
};

// Throws RequestError naming the first bad field.
PlaylistRequest parse_request(const nlohmann::json& body);
PlaylistRequest parse_request_text(const std::string& text);

// Frame rate as a request gives it (25, 29.97, 23.976) -> exact rational
// (NTSC rates become n*1000/1001).
Rational frame_rate_from_double(double fps);

// The canonical form of everything in a target that changes its output bytes;
// feeds the token.
nlohmann::json canonical_target(const TargetRequest&);

}  // namespace hlsfs
