// The init segment of a fragmented-MP4 rendition, and the encoder settings
// that make every media segment's parameter sets the ones it carries.
//
// The init segment is derived from the rendition alone, never from a made
// segment: it opens the rendition's encoders (no source is decoded) and
// writes the header of their streams. x264 and x265 write their SPS/PPS (and
// VPS) when opened, from the settings, so the init segment is the same bytes
// whichever segment is read first, on any machine. Each media segment's
// muxer checks that its own encoders give that very header (fmp4_muxer.h).
// For that, H.264 runs "stitchable" (x264 otherwise writes the rate
// control's initial QP into the PPS: CRF and a capped segment's two-pass
// differ) with the level of the rendition's settings pinned (x264 picks a
// higher level for a high two-pass bitrate).
#pragma once
#include <string>

#include "actors/playlist/rendition.h"
#include "actors/transcoder/encoders.h"
#include "hlsfs/media_info.h"

namespace hlsfs {

// How every encoder of an fMP4 rendition's video is opened (passes 1 and 2,
// a capped segment's too): parameter sets in extradata, fixed.
VideoEncoderMode fmp4_video_mode(const VideoSpec& v, const StreamInfo& source);

// The init segment's bytes (kept for the last renditions asked: opening
// x265 costs tens of milliseconds, and every segment checks against it).
std::string fmp4_init_segment(const RenditionSpec& r, const MediaInfo& media);

}  // namespace hlsfs
