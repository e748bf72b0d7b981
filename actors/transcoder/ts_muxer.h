// MPEG-TS in memory. Packets are written in decode-time order, whatever order
// they were made in, so a segment's bytes depend only on its packets.
#pragma once
#include <string>
#include <vector>

#include "actors/transcoder/av_util.h"

namespace hlsfs {

class TsMuxer {
 public:
  TsMuxer();
  ~TsMuxer();
  // Adds a stream for an opened encoder; returns its index.
  int add_stream(const AVCodecContext* enc);
  // Takes a packet whose timestamps are in `tb`; keeps it until finish().
  void add_packet(int stream, AVPacket* pkt, AVRational tb);
  size_t packets() const { return queued_.size(); }
  // Muxes everything and returns the file's bytes.
  std::string finish();

 private:
  AVFormatContext* oc_ = nullptr;
  struct Queued {
    int64_t dts;  // 90 kHz
    int stream;
    PacketPtr pkt;
  };
  std::vector<Queued> queued_;
};

}  // namespace hlsfs
