#include "actors/transcoder/fmp4_muxer.h"

#include <algorithm>

extern "C" {
#include <libavutil/mathematics.h>
}

#include "actors/transcoder/ts_muxer.h"

namespace hlsfs {

namespace {
constexpr AVRational kTs{1, 90000};
}

int fmp4_video_timescale(AVRational frame_rate) {
  AVRational r = frame_rate;
  av_reduce(&r.num, &r.den, r.num, r.den, INT32_MAX);
  int64_t t = r.num > 0 ? r.num : 90000;
  while (t < 10000) t *= 2;
  return static_cast<int>(t);
}

Fmp4Muxer::Fmp4Muxer(uint32_t fragment, std::string expected_init)
    : fragment_(fragment), expected_init_(std::move(expected_init)) {}

Fmp4Muxer::~Fmp4Muxer() {
  for (auto& d : declared_) avcodec_parameters_free(&d.par);
  close();
}

void Fmp4Muxer::close() {
  if (!oc_) return;
  if (oc_->pb) {
    uint8_t* buf = nullptr;
    avio_close_dyn_buf(oc_->pb, &buf);
    av_free(buf);
  }
  avformat_free_context(oc_);
  oc_ = nullptr;
}

int Fmp4Muxer::add_stream(const AVCodecContext* enc) {
  AVCodecParameters* par = avcodec_parameters_alloc();
  if (!par) throw std::bad_alloc();
  const bool video = enc->codec_type == AVMEDIA_TYPE_VIDEO;
  declared_.push_back({par, video, 0, enc->time_base});
  av_check(avcodec_parameters_from_context(par, enc), "fMP4 stream");
  if (video) {
    // The init segment is made from the rendition's settings, a segment from
    // its own encoder (a capped one runs at another bitrate): the bitrate
    // must not reach the header.
    par->bit_rate = 0;
    // Apple's players take HEVC as hvc1 only (parameter sets in the sample
    // entry, none in band).
    if (par->codec_id == AV_CODEC_ID_HEVC) par->codec_tag = MKTAG('h', 'v', 'c', '1');
    AVRational frame = av_inv_q(enc->framerate);
    declared_.back().frame_duration = std::max<int64_t>(1, av_rescale_q(1, frame, enc->time_base));
  }
  return static_cast<int>(declared_.size() - 1);
}

void Fmp4Muxer::add_packet(int stream, AVPacket* pkt, AVRational tb) {
  PacketPtr p = make_packet();
  av_check(av_packet_ref(p.get(), pkt), "packet");
  p->pos = -1;
  // The last sample of a fragment lasts what its packet says: an encoder's
  // video packets say nothing, and the join would have a hole.
  if (p->duration <= 0 && declared_.at(stream).video)
    p->duration = av_rescale_q(declared_[stream].frame_duration, declared_[stream].time_base, tb);
  int64_t dts = p->dts != AV_NOPTS_VALUE ? p->dts : p->pts;
  queued_.push_back(Queued{av_rescale_q(dts, tb, AVRational{1, 1000000}), stream, tb, std::move(p)});
}

std::string Fmp4Muxer::write_header() {
  close();
  av_check(avformat_alloc_output_context2(&oc_, nullptr, "mp4", nullptr), "fMP4 muxer");
  // Timestamps are the rendition's own: never shifted per file.
  oc_->avoid_negative_ts = AVFMT_AVOID_NEG_TS_DISABLED;
  oc_->flags |= AVFMT_FLAG_BITEXACT;  // no creation time, no library version
  index_of_.assign(declared_.size(), -1);
  for (int pass = 0; pass < 2; ++pass)
    for (size_t i = 0; i < declared_.size(); ++i) {
      if (declared_[i].video != (pass == 0)) continue;
      AVStream* st = avformat_new_stream(oc_, nullptr);
      if (!st) throw std::bad_alloc();
      av_check(avcodec_parameters_copy(st->codecpar, declared_[i].par), "fMP4 stream");
      st->time_base = declared_[i].video ? AVRational{1, fmp4_video_timescale(av_inv_q(declared_[i].time_base))}
                                         : AVRational{1, declared_[i].par->sample_rate};
      index_of_[i] = st->index;
    }
  AVDictionary* opts = nullptr;
  // One fragment per segment, cut by finish(); the moov carries no samples;
  // tfdt is each fragment's absolute decode time (frag_discont, no edit list).
  // Not +cmaf: it writes signed composition offsets (trun version 1) that
  // FFmpeg's own demuxer (ffmpeg, mpv, hls-check) reads shifted by the
  // fragment's B-frame delay; ours are never negative (the rendition's
  // offset keeps DTS <= PTS from the first frame on), version 0 says them
  // exactly to every reader.
  av_dict_set(&opts, "movflags", "+frag_custom+empty_moov+default_base_moof+frag_discont+skip_trailer", 0);
  av_dict_set(&opts, "use_editlist", "0", 0);
  av_dict_set_int(&opts, "fragment_index", fragment_, 0);
  av_check(avio_open_dyn_buf(&oc_->pb), "fMP4 buffer");
  int err = avformat_write_header(oc_, &opts);
  av_dict_free(&opts);
  av_check(err, "fMP4 header");
  avio_flush(oc_->pb);
  uint8_t* buf = nullptr;
  int size = avio_close_dyn_buf(oc_->pb, &buf);
  oc_->pb = nullptr;
  std::string out(reinterpret_cast<char*>(buf), static_cast<size_t>(size));
  av_free(buf);
  return out;
}

std::string Fmp4Muxer::init_segment() {
  std::string header = write_header();
  close();
  return header;
}

std::string Fmp4Muxer::finish() {
  std::string header = write_header();
  if (!expected_init_.empty() && header != expected_init_)
    throw MediaError("this segment's streams do not match the rendition's init segment (encoder parameter sets "
                     "differ); it would not decode with it");
  av_check(avio_open_dyn_buf(&oc_->pb), "fMP4 buffer");
  std::stable_sort(queued_.begin(), queued_.end(), [&](const Queued& a, const Queued& b) {
    return a.dts_us != b.dts_us ? a.dts_us < b.dts_us : index_of_[a.stream] < index_of_[b.stream];
  });
  for (auto& q : queued_) {
    AVStream* st = oc_->streams[index_of_[q.stream]];
    // The MPEG-TS muxer's clock (its start, then the rendition's offset),
    // in this track's timescale.
    const int64_t offset = av_rescale_q(offset_ + TsMuxer::kStartTicks, kTs, st->time_base);
    av_packet_rescale_ts(q.pkt.get(), q.tb, st->time_base);
    if (q.pkt->pts != AV_NOPTS_VALUE) q.pkt->pts += offset;
    if (q.pkt->dts != AV_NOPTS_VALUE) q.pkt->dts += offset;
    q.pkt->stream_index = st->index;
    av_check(av_write_frame(oc_, q.pkt.get()), "fMP4 write");
  }
  queued_.clear();
  av_check(av_write_frame(oc_, nullptr), "fMP4 fragment");  // frag_custom: the fragment is cut here
  avio_flush(oc_->pb);
  uint8_t* buf = nullptr;
  int size = avio_close_dyn_buf(oc_->pb, &buf);
  std::string out(reinterpret_cast<char*>(buf), static_cast<size_t>(size));
  av_free(buf);
  // skip_trailer: nothing more is written; the trailer frees the muxer's state.
  av_check(avio_open_dyn_buf(&oc_->pb), "fMP4 buffer");
  av_check(av_write_trailer(oc_), "fMP4 trailer");
  close();
  return out;
}

}  // namespace hlsfs
