// MPEG-TS in memory. Packets are written in decode-time order, whatever order
// they were made in, so a segment's bytes depend only on its packets.
#pragma once
#include <string>
#include <vector>

#include "actors/transcoder/av_util.h"
#include "actors/transcoder/segment_muxer.h"

namespace hlsfs {

class TsMuxer : public SegmentMuxer {
 public:
  // The muxer's max_delay; FFmpeg's MPEG-TS muxer starts the clock at twice
  // that, so output time 0 (before set_offset) is kStartTicks on the wire:
  // WebVTT's X-TIMESTAMP-MAP names it.
  static constexpr int64_t kMaxDelayUs = 700000;
  static constexpr int64_t kStartTicks = 2 * kMaxDelayUs * 90000 / 1000000;

  TsMuxer();
  ~TsMuxer() override;
  // Declares a stream for an opened encoder; returns its id. Streams are
  // written video first, whatever order they are declared in (players and
  // the ffmpeg CLI expect that).
  int add_stream(const AVCodecContext* enc) override;
  // Takes a packet whose timestamps are in `tb`; keeps it until finish().
  void add_packet(int stream, AVPacket* pkt, AVRational tb) override;
  // A constant added to every timestamp (90 kHz ticks): it must be the same
  // in every segment of a rendition.
  void set_offset(int64_t ticks) override { offset_ = ticks; }
  size_t packets() const override { return queued_.size(); }
  // Muxes everything and returns the file's bytes.
  std::string finish() override;

 private:
  AVFormatContext* oc_ = nullptr;
  struct Declared {
    AVCodecParameters* par;
    bool video;
  };
  std::vector<Declared> declared_;
  struct Queued {
    int64_t dts;  // 90 kHz
    int stream;   // declared id
    PacketPtr pkt;
  };
  std::vector<Queued> queued_;
  int64_t offset_ = 0;
};

}  // namespace hlsfs
