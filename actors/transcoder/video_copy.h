// The video of a passthrough rendition (Targets[].Video.Passthrough): the
// source's own packets, copied from one keyframe of the plan to the next.
//
// Segment k is every packet of the stream, in decode order, from the
// keyframe at the plan's begin(k) up to (not including) the keyframe at
// end(k), or to the stream's end. Each job seeks to its own keyframe (1, 2,
// 4, ... s further back when a seek lands after it, at last from the start)
// and reads forward: its bytes never depend on what was read before.
//
// Timing: output time 0 is the presentation time of the rendition's first
// keyframe, read from the source itself (an MP4 index names keyframes by
// decode time). Every packet keeps its own timestamps relative to it, and
// the whole rendition is shifted by that keyframe's reorder delay (PTS -
// DTS) as a transcoded one is by its encoder's: decoding starts at the
// timeline's start.
#pragma once
#include <cstdint>
#include <vector>

#include "actors/playlist/rendition.h"
#include "actors/transcoder/av_util.h"
#include "actors/transcoder/source.h"

namespace hlsfs {

struct CopiedVideo {
  // The stream's parameters in an (unopened) codec context, as the segment
  // muxers take a stream: Annex B for MPEG-TS, the source's avcC/hvcC (or
  // what libavformat's MP4 muxer makes of Annex B) for fMP4.
  CodecPtr params;
  std::vector<PacketPtr> packets;  // params->time_base; 0 = the first keyframe's presentation
  int64_t clock_offset = 0;        // 90 kHz: the first keyframe's PTS - DTS
  Rational origin;                 // source time (s) of output time 0
};

// Segment k of passthrough rendition r (no packets for kInitSegment: the
// parameters only). Throws MediaError when a keyframe of the plan is not in
// the source, or when the source's GOPs are open (frames after a keyframe
// shown before it: a cut there would drop or misplace them).
CopiedVideo copy_video(SourceOpener& opener, const RenditionSpec& r, size_t k, bool annexb);

// The clock offset of the passthrough video `v` of `source_uri` alone, for
// the tracks on its grid (alternate audio, subtitles).
int64_t passthrough_clock_offset(SourceOpener& opener, const std::string& source_uri, const VideoSpec& v);

}  // namespace hlsfs
