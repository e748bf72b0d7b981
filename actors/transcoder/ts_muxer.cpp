#include "actors/transcoder/ts_muxer.h"

#include <algorithm>

namespace hlsfs {

namespace {
constexpr AVRational kTs{1, 90000};
}

TsMuxer::TsMuxer() {
  av_check(avformat_alloc_output_context2(&oc_, nullptr, "mpegts", nullptr), "MPEG-TS muxer");
  // The muxer adds max_delay to every timestamp (as the ffmpeg CLI does); our
  // B-frame DTS start below the first PTS, so they must not be shifted per file.
  oc_->max_delay = 700000;
  oc_->avoid_negative_ts = AVFMT_AVOID_NEG_TS_DISABLED;
  oc_->flags |= AVFMT_FLAG_BITEXACT;
}

TsMuxer::~TsMuxer() {
  if (oc_) {
    if (oc_->pb) {
      uint8_t* buf = nullptr;
      avio_close_dyn_buf(oc_->pb, &buf);
      av_free(buf);
    }
    avformat_free_context(oc_);
  }
}

int TsMuxer::add_stream(const AVCodecContext* enc) {
  AVStream* st = avformat_new_stream(oc_, nullptr);
  if (!st) throw std::bad_alloc();
  av_check(avcodec_parameters_from_context(st->codecpar, enc), "MPEG-TS stream");
  st->time_base = kTs;
  return st->index;
}

void TsMuxer::add_packet(int stream, AVPacket* pkt, AVRational tb) {
  PacketPtr p = make_packet();
  av_check(av_packet_ref(p.get(), pkt), "packet");
  av_packet_rescale_ts(p.get(), tb, kTs);
  p->stream_index = stream;
  p->pos = -1;
  int64_t dts = p->dts != AV_NOPTS_VALUE ? p->dts : p->pts;
  queued_.push_back(Queued{dts, stream, std::move(p)});
}

std::string TsMuxer::finish() {
  std::stable_sort(queued_.begin(), queued_.end(), [](const Queued& a, const Queued& b) {
    return a.dts != b.dts ? a.dts < b.dts : a.stream < b.stream;
  });
  av_check(avio_open_dyn_buf(&oc_->pb), "MPEG-TS buffer");
  AVDictionary* opts = nullptr;
  av_dict_set(&opts, "mpegts_service_type", "digital_tv", 0);
  int err = avformat_write_header(oc_, &opts);
  av_dict_free(&opts);
  av_check(err, "MPEG-TS header");
  for (auto& q : queued_) av_check(av_write_frame(oc_, q.pkt.get()), "MPEG-TS write");
  queued_.clear();
  av_check(av_write_trailer(oc_), "MPEG-TS trailer");
  uint8_t* buf = nullptr;
  int size = avio_close_dyn_buf(oc_->pb, &buf);
  oc_->pb = nullptr;
  std::string out(reinterpret_cast<char*>(buf), static_cast<size_t>(size));
  av_free(buf);
  return out;
}

}  // namespace hlsfs
