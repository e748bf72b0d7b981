// Where a segment encoder puts its packets: one container's muxer, in
// memory. MPEG-TS (ts_muxer.h) or fragmented MP4 (fmp4_muxer.h), as the
// rendition's Targets[].Container says.
#pragma once
#include <cstdint>
#include <memory>
#include <string>

#include "actors/playlist/rendition.h"
#include "actors/transcoder/av_util.h"
#include "hlsfs/media_info.h"

namespace hlsfs {

class SegmentMuxer {
 public:
  virtual ~SegmentMuxer() = default;
  // Declares a stream for an opened encoder; returns its id. Streams are
  // written video first, whatever order they are declared in.
  virtual int add_stream(const AVCodecContext* enc) = 0;
  // Takes a packet whose timestamps are in `tb`; keeps it until finish().
  virtual void add_packet(int stream, AVPacket* pkt, AVRational tb) = 0;
  // A constant added to every timestamp (90 kHz ticks): it must be the same
  // in every segment of a rendition.
  virtual void set_offset(int64_t ticks) = 0;
  virtual size_t packets() const = 0;
  // Muxes everything and returns the segment's bytes.
  virtual std::string finish() = 0;
};

// The muxer of media segment k of r. An fMP4 one checks that its streams
// make r's init segment (fmp4_init.h), so every segment decodes with it.
std::unique_ptr<SegmentMuxer> make_segment_muxer(const RenditionSpec& r, const MediaInfo& media, size_t k);

}  // namespace hlsfs
