// When a target's `Video.Passthrough` can be met, and how it is cut.
//
// A passthrough rendition copies the source's video packets: no decode, no
// encode. It is allowed only when every player of the container can decode
// the copy as it is: H.264 (8-bit 4:2:0) in MPEG-TS or fMP4, HEVC (Main or
// Main 10, 4:2:0) in fMP4 only (Apple plays HEVC in HLS only there, as
// hvc1), progressive, upright (neither container carries a display
// rotation HLS players honour), with closed GOPs (every keyframe IDR, as
// the probe saw them: an open GOP's keyframe needs the pictures before it),
// and only when the source's keyframes are all
// known: from its container index (MP4/MOV, Matroska, AVI, FLV) or from a
// probe that read every packet (a small file). A large index-less source
// (MPEG-TS) is refused rather than read whole to find its keyframes.
#pragma once
#include <cstdint>
#include <string>
#include <vector>

#include "actors/playlist/plan.h"
#include "actors/playlist/request.h"
#include "hlsfs/media_info.h"

namespace hlsfs {

// "" when `video` of `media` can be copied into `container`; else the
// reason, one sentence that says what to do instead.
std::string passthrough_refusal(const MediaInfo& media, const StreamInfo& video, SegmentContainer container);

struct PassthroughCut {
  int64_t origin_ts = 0;     // the first keyframe, as the probe names it (stream ticks)
  SegmentPlan plan;          // unit: the stream's time base; bounds are keyframes - origin_ts
  int64_t peak_bitrate = 0;  // bit/s of the source bytes between two cuts, the highest
  std::vector<std::string> notes;
};

// The cut of a passthrough rendition of `video`: it starts at the last
// keyframe at or before SourceStartTime (the first keyframe without one)
// and ends at the first keyframe at or after SourceStartTime +
// SourceDuration, or at the stream's end. Throws RequestError(field) when
// the keyframes are too far apart for segments near Duration (more than
// three times Duration).
PassthroughCut cut_passthrough(const MediaInfo& media, const StreamInfo& video, const TargetRequest& target,
                               double source_start, double source_duration, const std::string& field);

}  // namespace hlsfs
