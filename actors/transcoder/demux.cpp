#include "actors/transcoder/demux.h"

#include "actors/transcoder/guarded_input.h"

namespace hlsfs {

Demuxer::Demuxer(SourceOpener& opener, const std::string& uri, int stream_index)
    : opener_(opener), uri_(uri), index_(stream_index) {
  open();
}

void Demuxer::open() {
  fmt_.reset();  // before the deadline it may point to is replaced
  fmt_ = opener_.open(uri_);
  deadline_ = arm_interrupt(fmt_.get());
  // Reading stream information decodes the first frames of every stream, a
  // cost paid per segment. Containers with a real header (MP4, Matroska, ...)
  // already say what the decoder needs; headerless ones (MPEG-TS/PS) do not.
  bool need_info = (fmt_->ctx_flags & AVFMTCTX_NOHEADER) || index_ >= static_cast<int>(fmt_->nb_streams);
  if (!need_info) {
    const AVCodecParameters* p = fmt_->streams[index_]->codecpar;
    need_info = p->codec_id == AV_CODEC_ID_NONE ||
                (p->codec_type == AVMEDIA_TYPE_VIDEO && (p->width <= 0 || p->height <= 0)) ||
                (p->codec_type == AVMEDIA_TYPE_AUDIO && (p->sample_rate <= 0 || p->ch_layout.nb_channels <= 0));
  }
  if (need_info) {
    int err = avformat_find_stream_info(fmt_.get(), nullptr);
    check_deadline();  // interrupted (it may not say so): say why
    av_check(err, uri_ + ": cannot read stream information");
  }
  if (index_ < 0 || index_ >= static_cast<int>(fmt_->nb_streams))
    throw MediaError(uri_ + ": stream " + std::to_string(index_) + " is gone (the source changed?)");
  for (unsigned i = 0; i < fmt_->nb_streams; ++i)
    fmt_->streams[i]->discard = static_cast<int>(i) == index_ ? AVDISCARD_DEFAULT : AVDISCARD_ALL;
  const AVCodecParameters* par = stream()->codecpar;
  const AVCodec* codec = avcodec_find_decoder(par->codec_id);
  if (!codec) throw MediaError(uri_ + ": no decoder for " + avcodec_get_name(par->codec_id));
  dec_.reset(avcodec_alloc_context3(codec));
  if (!dec_) throw std::bad_alloc();
  av_check(avcodec_parameters_to_context(dec_.get(), par), uri_ + ": decoder parameters");
  dec_->pkt_timebase = stream()->time_base;
  dec_->max_pixels = kMaxPicturePixels;
  if (par->codec_type == AVMEDIA_TYPE_VIDEO) {
    dec_->thread_count = 0;  // decoders are exact whatever the thread count
    dec_->thread_type = FF_THREAD_FRAME | FF_THREAD_SLICE;
  } else {
    dec_->thread_count = 1;
  }
  av_check(avcodec_open2(dec_.get(), codec, nullptr), uri_ + ": cannot open the " + std::string(codec->name) + " decoder");
  moved_ = false;
}

bool Demuxer::read(AVPacket* pkt) {
  int errors = 0;
  while (true) {
    int err = av_read_frame(fmt_.get(), pkt);
    if (err < 0) {
      // An interrupted read ends like the stream or a damaged packet does:
      // it must not make a segment short or hold its last picture.
      check_deadline();
      if (err == AVERROR_EOF) return false;
      // Damaged data mid-file: skip it like a player would, but not forever.
      if (err == AVERROR(EAGAIN) || ++errors < 50) continue;
      return false;
    }
    note_progress();
    moved_ = true;
    if (pkt->stream_index == index_) return true;
    av_packet_unref(pkt);
  }
}

DecodeStart Demuxer::start_at_beginning() {
  if (moved_) open();
  DecodeStart s;
  PacketPtr pkt = make_packet();
  // Skip anything before the first keyframe: it cannot decode.
  while (read(pkt.get())) {
    if (pkt->flags & AV_PKT_FLAG_KEY) {
      s.keyframe_pts = ts_of(pkt.get());
      s.pending.push_back(std::move(pkt));
      return s;
    }
    av_packet_unref(pkt.get());
  }
  return s;
}

DecodeStart Demuxer::start_at_keyframe(const std::vector<Keyframe>& keys, size_t key_index) {
  for (int attempt = 0; attempt < 4 && key_index > 0 && key_index < keys.size(); ++attempt) {
    const Keyframe& target = keys[key_index];
    int64_t seek_ts = target.dts != kNoTimestamp ? std::min(target.dts, target.pts) : target.pts;
    if (av_seek_frame(fmt_.get(), index_, seek_ts, AVSEEK_FLAG_BACKWARD) < 0) break;
    moved_ = true;
    // Read on to the wanted keyframe. If the seek landed earlier, keep the
    // packets from the last keyframe before it: decoding from there is right,
    // only slower. If it landed later, try again from an earlier keyframe.
    DecodeStart s;
    PacketPtr pkt = make_packet();
    while (read(pkt.get())) {
      int64_t ts = ts_of(pkt.get());
      bool key = pkt->flags & AV_PKT_FLAG_KEY;
      if (key && ts == target.pts) {
        s.pending.clear();
        s.keyframe_pts = ts;
        s.pending.push_back(std::move(pkt));
        return s;
      }
      if (key && ts != AV_NOPTS_VALUE && ts < target.pts) {
        s.pending.clear();
        s.keyframe_pts = ts;
      } else if (key && ts > target.pts) {
        if (!s.pending.empty()) {
          s.pending.push_back(std::move(pkt));
          return s;
        }
        break;  // overshot
      }
      if (!s.pending.empty() || s.keyframe_pts != kNoTimestamp) {
        s.pending.push_back(std::move(pkt));
        pkt = make_packet();
      } else {
        av_packet_unref(pkt.get());
      }
    }
    if (!s.pending.empty()) return s;
    key_index = key_index > 2 ? key_index - 2 : 0;
  }
  return start_at_beginning();
}

DecodeStart Demuxer::start_at_time(int64_t ts) {
  DecodeStart s;
  if (av_seek_frame(fmt_.get(), index_, ts, AVSEEK_FLAG_BACKWARD) < 0) return start_at_beginning();
  moved_ = true;
  s.keyframe_pts = ts;
  return s;
}

void Demuxer::decode(DecodeStart& start, AVFrame* frame, const std::function<bool(AVFrame*)>& on_frame) {
  auto drain = [&]() -> bool {
    while (true) {
      int err = avcodec_receive_frame(dec_.get(), frame);
      if (err == AVERROR(EAGAIN) || err == AVERROR_EOF) return true;
      if (err < 0) return true;  // a broken frame: skip it
      note_progress();
      bool more = on_frame(frame);
      av_frame_unref(frame);
      if (!more) return false;
    }
  };
  auto send = [&](AVPacket* p) -> bool {
    // Damaged packets are skipped like a player would (errors other than
    // EAGAIN are ignored); timing comes from the packets that do decode.
    while (avcodec_send_packet(dec_.get(), p) == AVERROR(EAGAIN))
      if (!drain()) return false;
    return drain();
  };
  for (auto& p : start.pending)
    if (!send(p.get())) return;
  start.pending.clear();
  PacketPtr pkt = make_packet();
  while (read(pkt.get())) {
    bool more = send(pkt.get());
    av_packet_unref(pkt.get());
    if (!more) return;
  }
  avcodec_send_packet(dec_.get(), nullptr);
  drain();
}

}  // namespace hlsfs
