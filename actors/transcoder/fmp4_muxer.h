// Fragmented MP4 for HLS in memory, with libavformat's mp4 muxer: an init
// segment (ftyp + moov, no samples) and media segments of one fragment each
// (moof + mdat), shaped as CMAF is but not branded cmfc (see write_header()'s
// flags). Packets are written in decode-time order, whatever order
// they were made in, so a segment's bytes depend only on its packets.
//
// Timing: every timestamp is the one the MPEG-TS muxer writes for the same
// packet (the same offset, and TsMuxer::kStartTicks added), in the track's
// own timescale: a rendition plays on the same clock in either container, so
// WebVTT's X-TIMESTAMP-MAP and alternate audio tracks need no change. Each
// fragment's tfdt is that absolute decode time (frag_discont without an edit
// list), so segments made on their own join end to start.
#pragma once
#include <cstdint>
#include <string>
#include <vector>

#include "actors/transcoder/av_util.h"
#include "actors/transcoder/segment_muxer.h"

namespace hlsfs {

class Fmp4Muxer : public SegmentMuxer {
 public:
  // fragment: the moof's sequence number (segment index + 1). expected_init:
  // the rendition's init segment; the header this segment's streams make
  // must be the same bytes (else MediaError: the segment would not decode
  // with it). Empty: no check (when making the init segment itself).
  explicit Fmp4Muxer(uint32_t fragment = 1, std::string expected_init = {});
  ~Fmp4Muxer() override;
  int add_stream(const AVCodecContext* enc) override;
  void add_packet(int stream, AVPacket* pkt, AVRational tb) override;
  void set_offset(int64_t ticks) override { offset_ = ticks; }
  size_t packets() const override { return queued_.size(); }
  // The media segment: one moof + mdat.
  std::string finish() override;
  // The init segment of the declared streams: ftyp + moov, no samples.
  std::string init_segment();

 private:
  std::string write_header();  // opens the muxer with the declared streams
  void close();
  AVFormatContext* oc_ = nullptr;
  uint32_t fragment_;
  std::string expected_init_;
  struct Declared {
    AVCodecParameters* par;
    bool video;
    int64_t frame_duration;  // in the encoder's time base: video packets carry none
    AVRational time_base;
  };
  std::vector<Declared> declared_;
  std::vector<int> index_of_;  // declared id -> muxer stream
  struct Queued {
    int64_t dts_us;  // for ordering across streams
    int stream;      // declared id
    AVRational tb;
    PacketPtr pkt;
  };
  std::vector<Queued> queued_;
  int64_t offset_ = 0;
};

// The timescale of a video track at this frame rate: the rate's numerator,
// doubled up to 10000 as libavformat does, so every frame lasts a whole
// number of ticks (30000/1001 -> 30000; 25 -> 12800).
int fmp4_video_timescale(AVRational frame_rate);

}  // namespace hlsfs
