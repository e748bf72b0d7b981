// One segment of one rendition, made on its own: a pure function of the
// source, the rendition and the segment index. Same inputs, same bytes.
#pragma once
#include <atomic>
#include <cstdint>
#include <string>
#include <vector>

#include "actors/playlist/rendition.h"
#include "actors/transcoder/source.h"
#include "hlsfs/media_info.h"

namespace hlsfs {

struct SegmentResult {
  std::string bytes;  // a complete MPEG-TS file
  int64_t video_frames = 0;
  int64_t audio_frames = 0;
  int64_t decoded_frames = 0;  // source pictures decoded (seek cost)
  bool capped = false;  // CRF ran above the rate cap: encoded again at it
};

// AAC frames fed before/after a segment's own frames, then discarded: the
// encoder's state at the join matches a continuous encode (no click).
constexpr int kAudioPreroll = 3;
constexpr int kAudioPostroll = 2;

// How far a running encode is, read by other threads (hlsfsctl status):
// video frames through the encoder so far, of `total` (both passes of a
// two-pass encode; 0 while unknown and for audio-only renditions).
struct EncodeProgress {
  std::atomic<int64_t> frames{0};
  std::atomic<int64_t> total{0};
};

// Throws MediaError with one clear line.
SegmentResult encode_segment(SourceOpener& opener, const MediaInfo& media, const RenditionSpec& spec, size_t index,
                             EncodeProgress* progress = nullptr);

// Renditions whose segment k comes from the same source pictures: the same
// video stream, frame rate, origin and frame range (the targets of one
// request, cut alike, at one FrameRate).
bool can_share_decode(const RenditionSpec& a, const RenditionSpec& b, size_t k);

// Segment k of several such renditions from one decode of the source (the
// ffmpeg CLI's split): each keeps its own filter and encoder, and its bytes
// are those encode_segment makes alone. MediaError when they cannot share.
std::vector<SegmentResult> encode_segments(SourceOpener& opener, const MediaInfo& media,
                                           const std::vector<const RenditionSpec*>& specs, size_t index,
                                           EncodeProgress* progress = nullptr);

}  // namespace hlsfs
