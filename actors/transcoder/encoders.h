// Encoder contexts configured from a rendition, with the settings that make
// one-segment encoding deterministic (fixed threads, no wall-clock input).
#pragma once
#include "actors/playlist/rendition.h"
#include <functional>

#include "actors/transcoder/av_util.h"

namespace hlsfs {

struct VideoEncoderMode {
  bool global_header = false;  // SPS/PPS in extradata only (to read the profile/level back)
  int pass = 0;                // 0: one pass; 1 or 2: two-pass bitrate encoding
  std::string stats_path;      // x264's pass statistics file (passes 1 and 2)
  // fMP4: the parameter sets live once, in the init segment, so they must
  // not depend on the rate control (x264 "stitchable"; fmp4_init.h).
  bool fixed_parameter_sets = false;
  int level = 0;  // level_idc to write (x264), 0: the encoder's choice
};
// EncoderRefused when the encoder will not open with these settings (x264
// refuses a rate below what its highest quantizer reaches, for one).
struct EncoderRefused : MediaError {
  using MediaError::MediaError;
};
CodecPtr open_video_encoder(const VideoSpec& v, const StreamInfo& source, const VideoEncoderMode& mode = {});
CodecPtr open_audio_encoder(const AudioSpec& a);

// Sends frame (nullptr: flush) and hands every packet that comes out to on_packet.
void encode_frame(AVCodecContext* enc, AVFrame* frame, const std::function<void(AVPacket*)>& on_packet);

}  // namespace hlsfs
