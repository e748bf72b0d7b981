#include "actors/transcoder/demux.h"

#include <algorithm>
#include <cstdint>
#include <string>

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

DecodeStart Demuxer::start_at_keyframe_before(int64_t need) {
  // Seek at or before `need`, then read forward keeping the packets from the
  // latest keyframe at or before it; the first keyframe after it ends the
  // search. Seeks land by decode time (or anywhere, in a file with no index),
  // so when no keyframe at or before `need` follows the landing point, seek
  // further back: 1 s, 2 s, 4 s, ... Whatever the landing point, the keyframe
  // found is the same one: segments do not depend on how they were reached.
  const int64_t second = std::max<int64_t>(1, av_rescale_q(1, AVRational{1, 1}, stream()->time_base));
  const int64_t first_ts = stream()->start_time;
  int64_t back = 0;
  for (int attempt = 0; attempt < 20; ++attempt) {
    const int64_t target = need - back;
    if (first_ts != AV_NOPTS_VALUE && target < first_ts) break;
    if (av_seek_frame(fmt_.get(), index_, target, AVSEEK_FLAG_BACKWARD) < 0) break;
    moved_ = true;
    DecodeStart s;
    PacketPtr pkt = make_packet();
    while (read(pkt.get())) {
      const int64_t ts = ts_of(pkt.get());
      const bool key = (pkt->flags & AV_PKT_FLAG_KEY) && ts != AV_NOPTS_VALUE;
      if (key && ts <= need) {
        s.pending.clear();
        s.keyframe_pts = ts;
      } else if (key) {
        if (!s.pending.empty()) s.pending.push_back(std::move(pkt));
        break;
      }
      if (s.keyframe_pts != kNoTimestamp) {
        s.pending.push_back(std::move(pkt));
        pkt = make_packet();
      } else {
        av_packet_unref(pkt.get());
      }
    }
    if (!s.pending.empty()) return s;
    back = back == 0 ? second : back * 2;
  }
  return start_at_beginning();
}

DecodeStart Demuxer::start_at_time(int64_t ts) {
  if (video_index_to_seek_by() >= 0) {
    if (auto s = start_at_time_by_video_index(ts)) return std::move(*s);
    open();  // the attempt left index entries behind: the plain seek starts fresh
  }
  DecodeStart s;
  if (av_seek_frame(fmt_.get(), index_, ts, AVSEEK_FLAG_BACKWARD) < 0) return start_at_beginning();
  moved_ = true;
  s.keyframe_pts = ts;
  return s;
}

int Demuxer::video_index_to_seek_by() const {
  // Matroska's Cues usually index only the video track (FFmpeg and mkvmerge
  // write them so), and a seek of a track without cues falls back to reading
  // every packet from the start of the file to build an index: the whole of
  // a two-hour source for one late segment. Other containers index every
  // stream (MP4, AVI) or search the file (MPEG-TS): they keep their seek.
  if (std::string(fmt_->iformat->name) != "matroska,webm") return -1;
  if (stream()->codecpar->codec_type == AVMEDIA_TYPE_VIDEO) return -1;
  for (unsigned i = 0; i < fmt_->nb_streams; ++i) {
    const AVStream* st = fmt_->streams[i];
    if (st->codecpar->codec_type == AVMEDIA_TYPE_VIDEO && !(st->disposition & AV_DISPOSITION_ATTACHED_PIC))
      return static_cast<int>(i);
  }
  return -1;
}

bool Demuxer::seek_by_index(int stream_index, int64_t ts) {
  // The container's own seek, never FFmpeg's fallback that reads the file
  // from the start (av_seek_frame's, when the container has no index entry).
  avformat_flush(fmt_.get());
  moved_ = true;
  return fmt_->iformat->read_seek(fmt_.get(), stream_index, ts, AVSEEK_FLAG_BACKWARD) >= 0;
}

std::optional<DecodeStart> Demuxer::start_at_time_by_video_index(int64_t ts) {
  // The packet the plain seek starts from, found without its scan: the
  // generic seek indexes every keyframe packet of our stream from the start
  // of the file and Matroska starts at the one with the greatest timestamp at
  // or before `ts` (the first packet of a laced block: only that one is a
  // keyframe, and the block's timestamp is its own). Here: seek the video
  // track's cues to at or before `ts`, read our packets forward and keep
  // from that packet on; when the landing is already past it, seek further
  // back (1 s, 2 s, 4 s, ...). The decoder gets the same packets either way.
  const int video = video_index_to_seek_by();
  if (video < 0) return std::nullopt;
  // Reads the cues (deferred to the first seek); our stream has entries
  // right after it only if the cues index it too: then its own seek is cheap.
  if (!seek_by_index(video, INT64_MIN) || avformat_index_get_entries_count(stream()) > 0 ||
      avformat_index_get_entries_count(fmt_->streams[video]) < 2)
    return std::nullopt;
  const AVRational our_tb = stream()->time_base, video_tb = fmt_->streams[video]->time_base;
  const int64_t first_cue = avformat_index_get_entry(fmt_->streams[video], 0)->timestamp;
  const int64_t second = std::max<int64_t>(1, av_rescale_q(1, AVRational{1, 1}, our_tb));
  int64_t back = 0;
  for (int attempt = 0; attempt < 20; ++attempt, back = back == 0 ? second : back * 2) {
    const int64_t target = av_rescale_q_rnd(ts - back, our_tb, video_tb, AV_ROUND_DOWN);
    if (!seek_by_index(video, target)) return std::nullopt;
    DecodeStart s;
    s.keyframe_pts = ts;  // as the plain seek says
    bool found = false, first = true, landed_late = false;
    PacketPtr pkt = make_packet();
    while (read(pkt.get())) {
      const int64_t t = ts_of(pkt.get());
      const bool key = (pkt->flags & AV_PKT_FLAG_KEY) && t != AV_NOPTS_VALUE;
      if (first && !(key && t <= ts)) {
        landed_late = true;
        break;
      }
      first = false;
      if (key && t <= ts) {
        s.pending.clear();
      } else if (key) {  // where the plain seek's scan stops
        found = true;
        s.pending.push_back(std::move(pkt));
        break;
      }
      s.pending.push_back(std::move(pkt));
      pkt = make_packet();
    }
    if (found) return s;
    // At the end of our stream, or landed late at the first cue already: the
    // plain seek decides (both rare: the last seconds, the first ones).
    if (!landed_late || target <= first_cue) return std::nullopt;
  }
  return std::nullopt;
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
