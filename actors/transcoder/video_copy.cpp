#include "actors/transcoder/video_copy.h"

#include <algorithm>
#include <cstdlib>
#include <optional>

extern "C" {
#include <libavcodec/bsf.h>
#include <libavutil/mathematics.h>
}

#include "actors/transcoder/job_deadline.h"

namespace hlsfs {

namespace {

constexpr AVRational kTs{1, 90000};

struct BsfFree {
  void operator()(AVBSFContext* b) const { av_bsf_free(&b); }
};
using BsfPtr = std::unique_ptr<AVBSFContext, BsfFree>;

bool matches(const AVPacket* p, int64_t key) {
  return (p->pts != AV_NOPTS_VALUE && p->pts == key) || (p->dts != AV_NOPTS_VALUE && p->dts == key);
}

// One video stream of the source, every other stream discarded.
class CopySource {
 public:
  CopySource(SourceOpener& opener, const std::string& uri, int index) : opener_(opener), uri_(uri), index_(index) {
    open();
  }
  AVStream* stream() const { return fmt_->streams[index_]; }

  // The keyframe packet whose PTS or DTS is `key` (the probe's name for it):
  // the next read() continues after it.
  PacketPtr seek_keyframe(int64_t key) {
    const AVRational tb = stream()->time_base;
    for (int attempt = 0; attempt <= 9; ++attempt) {
      if (attempt == 9) {
        open();  // from the very start
      } else {
        const int64_t back = attempt == 0 ? 0 : av_rescale_q(int64_t{1} << (attempt - 1), AVRational{1, 1}, tb);
        if (av_seek_frame(fmt_.get(), index_, key - back, AVSEEK_FLAG_BACKWARD) < 0) continue;
      }
      PacketPtr pkt = make_packet();
      while (read(pkt.get())) {
        if ((pkt->flags & AV_PKT_FLAG_KEY) && matches(pkt.get(), key)) return pkt;
        const int64_t d = pkt->dts != AV_NOPTS_VALUE ? pkt->dts : pkt->pts;
        av_packet_unref(pkt.get());
        if (d != AV_NOPTS_VALUE && d > key) break;  // landed after it: further back
      }
    }
    throw MediaError(uri_ + ": no keyframe at " + std::to_string(key) + " (stream ticks) in the video stream; the "
                     "source changed since it was probed?");
  }

  // The next packet of the stream; false at its end.
  bool read(AVPacket* pkt) {
    int errors = 0;
    while (true) {
      int err = av_read_frame(fmt_.get(), pkt);
      if (err < 0) {
        check_deadline();  // an interrupted read is not the end of the stream
        if (err == AVERROR_EOF) return false;
        if (err == AVERROR(EAGAIN) || ++errors < 50) continue;
        throw MediaError(uri_ + ": cannot read the video stream: " + av_error_text(err));
      }
      note_progress();
      if (pkt->stream_index == index_) return true;
      av_packet_unref(pkt);
    }
  }

 private:
  void open() {
    fmt_.reset();
    fmt_ = opener_.open(uri_);
    deadline_ = arm_interrupt(fmt_.get());
    // Headerless containers (MPEG-TS) need their stream information read:
    // the parameter sets, and the timestamp wrap reference the probe used.
    bool need_info = (fmt_->ctx_flags & AVFMTCTX_NOHEADER) || index_ >= static_cast<int>(fmt_->nb_streams);
    if (!need_info) {
      const AVCodecParameters* p = fmt_->streams[index_]->codecpar;
      need_info = p->codec_id == AV_CODEC_ID_NONE || p->width <= 0 || p->height <= 0;
    }
    if (need_info) {
      int err = avformat_find_stream_info(fmt_.get(), nullptr);
      check_deadline();
      av_check(err, uri_ + ": cannot read stream information");
    }
    if (index_ < 0 || index_ >= static_cast<int>(fmt_->nb_streams) ||
        fmt_->streams[index_]->codecpar->codec_type != AVMEDIA_TYPE_VIDEO)
      throw MediaError(uri_ + ": video stream " + std::to_string(index_) + " is gone (the source changed?)");
    for (unsigned i = 0; i < fmt_->nb_streams; ++i)
      fmt_->streams[i]->discard = static_cast<int>(i) == index_ ? AVDISCARD_DEFAULT : AVDISCARD_ALL;
  }

  SourceOpener& opener_;
  std::string uri_;
  int index_;
  std::shared_ptr<ProgressDeadline> deadline_;  // fmt_'s interrupt callback: outlives it
  InputPtr fmt_;
};

// avcC/hvcC packets (MP4, Matroska) to Annex B with parameter sets before
// each keyframe, as MPEG-TS carries them; Annex B sources pass as they are.
class AnnexB {
 public:
  AnnexB(const AVCodecParameters* par, AVRational tb) {
    const bool length_prefixed = par->extradata_size > 0 && par->extradata[0] == 1;
    if (!length_prefixed) return;
    const char* name = par->codec_id == AV_CODEC_ID_HEVC ? "hevc_mp4toannexb" : "h264_mp4toannexb";
    const AVBitStreamFilter* f = av_bsf_get_by_name(name);
    if (!f) throw MediaError(std::string("libavcodec has no ") + name + " filter");
    AVBSFContext* raw = nullptr;
    av_check(av_bsf_alloc(f, &raw), name);
    bsf_.reset(raw);
    av_check(avcodec_parameters_copy(bsf_->par_in, par), name);
    bsf_->time_base_in = tb;
    av_check(av_bsf_init(bsf_.get()), name);
  }
  const AVCodecParameters* output(const AVCodecParameters* par) const { return bsf_ ? bsf_->par_out : par; }
  void filter(std::vector<PacketPtr>& packets) {
    if (!bsf_) return;
    std::vector<PacketPtr> out;
    auto drain = [&] {
      while (true) {
        PacketPtr p = make_packet();
        int err = av_bsf_receive_packet(bsf_.get(), p.get());
        if (err == AVERROR(EAGAIN) || err == AVERROR_EOF) return;
        av_check(err, "Annex B filter");
        out.push_back(std::move(p));
      }
    };
    for (auto& p : packets) {
      av_check(av_bsf_send_packet(bsf_.get(), p.get()), "Annex B filter");
      drain();
    }
    av_check(av_bsf_send_packet(bsf_.get(), nullptr), "Annex B filter");
    drain();
    packets = std::move(out);
  }

 private:
  BsfPtr bsf_;
};

// The rendition's first keyframe: its presentation is output time 0.
struct FirstKeyframe {
  PacketPtr packet;
  int64_t pts = 0;           // stream ticks
  int64_t clock_offset = 0;  // 90 kHz
};

// Decode times for demuxers that give none (Matroska has presentation times
// only): packet i of the segment, in decode order, decodes when the i-th
// earliest picture would be shown, kReorderFrames frames earlier (x264's
// B-pyramid delay), or more when the segment reorders deeper. Picture times
// are the source's; only the decode clock is made up, the same way in every
// segment.
constexpr int kReorderFrames = 2;

int64_t frame_ticks(const VideoSpec& v, AVRational tb) {
  return std::max<int64_t>(1, av_rescale_q(1, AVRational{static_cast<int>(v.frame_rate.den),
                                                         static_cast<int>(v.frame_rate.num)}, tb));
}

void make_decode_times(std::vector<PacketPtr>& packets, int64_t frame) {
  std::vector<int64_t> shown;
  for (const auto& p : packets) shown.push_back(p->pts);
  std::sort(shown.begin(), shown.end());
  size_t depth = kReorderFrames;  // frames the decode clock runs ahead
  for (size_t i = 0; i < packets.size(); ++i) {
    const size_t rank = static_cast<size_t>(std::lower_bound(shown.begin(), shown.end(), packets[i]->pts) - shown.begin());
    if (i > rank) depth = std::max(depth, i - rank);
  }
  for (size_t i = 0; i < packets.size(); ++i)
    packets[i]->dts = i >= depth ? shown[i - depth] : shown[0] - static_cast<int64_t>(depth - i) * frame;
}

FirstKeyframe first_keyframe_timing(CopySource& src, const VideoSpec& v) {
  FirstKeyframe f;
  f.packet = src.seek_keyframe(v.keyframe_origin);
  f.pts = f.packet->pts != AV_NOPTS_VALUE ? f.packet->pts : f.packet->dts;
  const int64_t dts = f.packet->dts != AV_NOPTS_VALUE
                          ? f.packet->dts
                          : f.pts - kReorderFrames * frame_ticks(v, src.stream()->time_base);
  f.clock_offset = av_rescale_q(std::max<int64_t>(0, f.pts - dts), src.stream()->time_base, kTs);
  return f;
}

// The copy's clock: 1/1000 of the frame rate's numerator, in which every
// frame of the rate lasts whole ticks. A time within one source tick of the
// frame grid (Matroska rounds to the millisecond: 33, 33, 34 ms at 30 fps)
// is put on the grid, as the source's encoder had it; any other (variable
// frame rate) keeps its own. The same rule for every packet of every
// segment: times do not depend on the segment.
struct OutputClock {
  OutputClock(Rational fps, AVRational source_tb)
      : time_base{1, static_cast<int>(fps.num * 1000)},
        per_frame(fps.den * 1000),
        source_tick(std::max<int64_t>(1, av_rescale_q(1, source_tb, time_base))),
        source_tb(source_tb) {}
  int64_t ticks(int64_t source_ticks) const {
    const int64_t exact = av_rescale_q(source_ticks, source_tb, time_base);
    const int64_t frame = (exact >= 0 ? exact + per_frame / 2 : exact - per_frame / 2) / per_frame;
    const int64_t grid = frame * per_frame;
    return std::abs(grid - exact) <= source_tick ? grid : exact;
  }
  AVRational time_base;
  int64_t per_frame;
  int64_t source_tick;
  AVRational source_tb;
};

CodecPtr params_context(const AVCodecParameters* par, AVRational tb, Rational frame_rate) {
  CodecPtr ctx(avcodec_alloc_context3(nullptr));
  if (!ctx) throw std::bad_alloc();
  av_check(avcodec_parameters_to_context(ctx.get(), par), "stream parameters");
  ctx->codec_tag = 0;  // the source container's tag means nothing to ours (the fMP4 muxer names hvc1)
  ctx->bit_rate = 0;
  ctx->time_base = tb;
  ctx->framerate = AVRational{static_cast<int>(frame_rate.num), static_cast<int>(frame_rate.den)};
  return ctx;
}

}  // namespace

CopiedVideo copy_video(SourceOpener& opener, const RenditionSpec& r, size_t k, bool annexb) {
  const VideoSpec& v = *r.video;
  CopySource src(opener, r.source_uri, v.stream);
  AVStream* st = src.stream();
  const AVRational tb = st->time_base;
  CopiedVideo out;

  FirstKeyframe head = first_keyframe_timing(src, v);
  PacketPtr first = std::move(head.packet);
  const int64_t p0 = head.pts;
  out.clock_offset = head.clock_offset;
  out.origin = Rational{p0 * tb.num, tb.den};

  std::optional<AnnexB> filter;
  if (annexb) filter.emplace(st->codecpar, tb);
  out.params = params_context(filter ? filter->output(st->codecpar) : st->codecpar,
                              OutputClock(v.frame_rate, tb).time_base, v.frame_rate);
  if (k == kInitSegment) return out;

  const int64_t from = v.keyframe_origin + r.plan.begin(k), to = v.keyframe_origin + r.plan.end(k);
  PacketPtr start = k == 0 ? std::move(first) : src.seek_keyframe(from);
  const int64_t start_pts = start->pts != AV_NOPTS_VALUE ? start->pts : start->dts;
  out.packets.push_back(std::move(start));
  while (true) {
    PacketPtr pkt = make_packet();
    if (!src.read(pkt.get())) break;
    if ((pkt->flags & AV_PKT_FLAG_KEY) && matches(pkt.get(), to)) break;
    if (pkt->pts != AV_NOPTS_VALUE && pkt->pts < start_pts)
      throw MediaError(r.source_uri + ": its video has open GOPs (frames after a keyframe are shown before it), "
                       "which a passthrough cannot cut at keyframes; transcode this target instead");
    out.packets.push_back(std::move(pkt));
  }
  bool no_decode_times = false;
  for (auto& p : out.packets) {
    if (p->pts == AV_NOPTS_VALUE) p->pts = p->dts;
    if (p->pts == AV_NOPTS_VALUE) throw MediaError(r.source_uri + ": a video packet without a timestamp");
    no_decode_times = no_decode_times || p->dts == AV_NOPTS_VALUE;
  }
  if (no_decode_times) make_decode_times(out.packets, frame_ticks(v, tb));
  const OutputClock clock(v.frame_rate, tb);
  for (auto& p : out.packets) {
    p->pts = clock.ticks(p->pts - p0);
    p->dts = clock.ticks(p->dts - p0);
    p->duration = av_rescale_q(p->duration, tb, clock.time_base);
    p->pos = -1;
    p->stream_index = 0;
  }
  if (filter) filter->filter(out.packets);
  return out;
}

int64_t passthrough_clock_offset(SourceOpener& opener, const std::string& source_uri, const VideoSpec& v) {
  CopySource src(opener, source_uri, v.stream);
  return first_keyframe_timing(src, v).clock_offset;
}

}  // namespace hlsfs
