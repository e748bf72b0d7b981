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
  oc_->max_delay = kMaxDelayUs;
  oc_->avoid_negative_ts = AVFMT_AVOID_NEG_TS_DISABLED;
  oc_->flags |= AVFMT_FLAG_BITEXACT;
}

TsMuxer::~TsMuxer() {
  for (auto& d : declared_) avcodec_parameters_free(&d.par);
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
  AVCodecParameters* par = avcodec_parameters_alloc();
  if (!par) throw std::bad_alloc();
  declared_.push_back({par, enc->codec_type == AVMEDIA_TYPE_VIDEO});
  av_check(avcodec_parameters_from_context(par, enc), "MPEG-TS stream");
  return static_cast<int>(declared_.size() - 1);
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
  // Streams in their written order: video first.
  std::vector<int> index_of(declared_.size());
  for (int pass = 0; pass < 2; ++pass)
    for (size_t i = 0; i < declared_.size(); ++i) {
      if (declared_[i].video != (pass == 0)) continue;
      AVStream* st = avformat_new_stream(oc_, nullptr);
      if (!st) throw std::bad_alloc();
      av_check(avcodec_parameters_copy(st->codecpar, declared_[i].par), "MPEG-TS stream");
      st->time_base = kTs;
      index_of[i] = st->index;
    }
  for (auto& q : queued_) {
    q.pkt->stream_index = index_of[q.stream];
    if (q.pkt->pts != AV_NOPTS_VALUE) q.pkt->pts += offset_;
    if (q.pkt->dts != AV_NOPTS_VALUE) q.pkt->dts += offset_;
  }
  std::stable_sort(queued_.begin(), queued_.end(), [](const Queued& a, const Queued& b) {
    return a.dts != b.dts ? a.dts < b.dts : a.pkt->stream_index < b.pkt->stream_index;
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
