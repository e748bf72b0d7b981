#include "actors/transcoder/probe_reader.h"

#include <algorithm>
#include <cstdio>

#include "actors/transcoder/container_index.h"
#include "actors/transcoder/job_deadline.h"

namespace hlsfs {
namespace {

constexpr int64_t kTailBytes = 1 << 20;  // a file with no index: its last MiB, doubled up to 8 MiB
constexpr int64_t kTailBytesMax = 8 << 20;
constexpr double kTailSeconds = 2.0;     // an index of every sample: its last 2 s

bool timed(const StreamInfo& s) { return s.kind == StreamKind::video || s.kind == StreamKind::audio; }

// The stream a rendition is timed by: the first video stream, else audio.
const StreamInfo& main_stream(const MediaInfo& info) {
  const StreamInfo* v = info.nth(StreamKind::video, 0);
  return v ? *v : *info.nth(StreamKind::audio, 0);
}

void read_to_end(PacketReader& reader) {
  while (reader.next(false)) {
  }
}

// The end from the index's last entries on: an index of every sample seeks
// to its last seconds; one of keyframes (Matroska Cues, FLV, ASF) to its last
// keyframe.
bool read_tail_by_index(AVFormatContext* fmt, PacketReader& reader, int main_index, const StreamIndex& main_ix,
                        int64_t head_end) {
  const bool any_sample = index_seeks_any_sample(fmt->iformat);
  AVStream* st = fmt->streams[main_index];
  int64_t target = main_ix.last_ts;
  if (any_sample) target -= av_rescale_q(static_cast<int64_t>(kTailSeconds * 1000), AVRational{1, 1000}, st->time_base);
  if (av_seek_frame(fmt, main_index, target, AVSEEK_FLAG_BACKWARD | (any_sample ? AVSEEK_FLAG_ANY : 0)) < 0) return false;
  read_to_end(reader);
  return reader.tail_end(main_index) > head_end;
}

// The end from the last bytes, more of them until every timed stream shows.
bool read_tail_by_bytes(AVFormatContext* fmt, PacketReader& reader, const MediaInfo& info, int main_index,
                        int64_t head_end) {
  const int64_t size = info.source.size;
  for (int64_t tail = kTailBytes; tail <= kTailBytesMax; tail *= 2) {
    const int64_t from = std::max<int64_t>(reader.last_pos + 1, size - tail);
    if (av_seek_frame(fmt, -1, from, AVSEEK_FLAG_BYTE) < 0) return false;
    read_to_end(reader);
    bool all = reader.tail_end(main_index) > head_end;
    for (const StreamInfo& s : info.streams)
      if (timed(s) && reader.seen(s.index) == 0) all = false;
    if (all) return true;
    if (from <= reader.last_pos + 1) return false;  // the tail reached the head
  }
  return false;
}

}  // namespace

PacketReader::PacketReader(AVFormatContext* fmt, MediaInfo& info, const std::map<int, size_t>& slot)
    : fmt_(fmt), info_(info), slot_(slot), pkt_(make_packet()) {}

const AVPacket* PacketReader::next(bool head) {
  av_packet_unref(pkt_.get());
  while (true) {
    int err = av_read_frame(fmt_, pkt_.get());
    if (err < 0) check_deadline();  // an interrupted read is not the end of the file
    if (err == AVERROR_EOF) return nullptr;
    if (err < 0) {
      last_error = av_error_text(err);
      if (err == AVERROR(EAGAIN) || ++consecutive_errors_ < 50) continue;
      return nullptr;
    }
    consecutive_errors_ = 0;
    note_progress();
    auto it = slot_.find(pkt_->stream_index);
    if (it == slot_.end()) {
      av_packet_unref(pkt_.get());
      continue;
    }
    note(info_.streams[it->second], fmt_->streams[pkt_->stream_index], head);
    return pkt_.get();
  }
}

int64_t PacketReader::seen(int index) const {
  auto it = seen_.find(index);
  return it == seen_.end() ? 0 : it->second;
}

int64_t PacketReader::tail_end(int index) const {
  auto it = tail_end_.find(index);
  return it == tail_end_.end() ? kNoTimestamp : it->second;
}

void PacketReader::note(StreamInfo& s, const AVStream* st, bool head) {
  const AVPacket* pkt = pkt_.get();
  if (head && pkt->pos >= 0) {
    if (first_pos < 0 || pkt->pos < first_pos) first_pos = pkt->pos;
    last_pos = std::max(last_pos, pkt->pos);
  }
  int64_t ts = pkt->pts != AV_NOPTS_VALUE ? pkt->pts : pkt->dts;
  bool discard = pkt->flags & AV_PKT_FLAG_DISCARD;
  if (ts == AV_NOPTS_VALUE || discard) return;
  if (head) ++s.packets;
  ++seen_[pkt->stream_index];
  if (!head) {
    auto [it, fresh] = tail_end_.try_emplace(pkt->stream_index, ts);
    if (!fresh) it->second = std::max(it->second, ts);
  }
  int64_t dur = pkt->duration;
  if (dur <= 0) {
    if (s.kind == StreamKind::video && st->avg_frame_rate.num > 0)
      dur = av_rescale_q(1, av_inv_q(st->avg_frame_rate), st->time_base);
    else if (s.kind == StreamKind::audio && s.frame_size > 0 && s.sample_rate > 0)
      dur = av_rescale_q(s.frame_size, AVRational{1, s.sample_rate}, st->time_base);
  }
  if (s.start_pts == kNoTimestamp || ts < s.start_pts) s.start_pts = ts;
  if (s.end_pts == kNoTimestamp || ts + dur > s.end_pts) s.end_pts = ts + dur;
  if (head && s.kind == StreamKind::video && (pkt->flags & AV_PKT_FLAG_KEY))
    s.keyframes.push_back(Keyframe{ts, pkt->dts != AV_NOPTS_VALUE ? pkt->dts : ts, pkt->pos});
  if (s.kind == StreamKind::video && (s.codec == "h264" || s.codec == "hevc")) note_gop(s, st, head);
}

// A keyframe a copied segment can start at decodes alone: an IDR. x264's
// open GOPs mark I pictures with a recovery point as keyframes (NAL 1, not
// 5); x265's mark CRA pictures whose RASL pictures need the GOP before. A
// CRA (or BLA) followed by no RASL picture decodes alone, so its next
// picture decides.
void PacketReader::note_gop(StreamInfo& s, const AVStream* st, bool head) {
  const AVPacket* pkt = pkt_.get();
  const bool hevc = s.codec == "hevc";
  const int type = first_slice_nal_type(
      pkt->data, pkt->size, nal_length_size(st->codecpar->extradata, st->codecpar->extradata_size, hevc), hevc);
  if (type < 0) return;
  auto settle = [&s](bool open) {
    if (open) s.open_gop = true;
    else if (!s.open_gop) s.open_gop = false;
  };
  bool& cra = cra_pending_[pkt->stream_index];
  if (cra && !(pkt->flags & AV_PKT_FLAG_KEY)) settle(type == 8 || type == 9);  // RASL_N, RASL_R
  cra = false;
  if (!(pkt->flags & AV_PKT_FLAG_KEY)) return;
  if (head && head_keyframes_[pkt->stream_index]++ == 0) return;  // the stream's start: decodes from there whatever it is
  if (!hevc) {
    settle(type != 5);  // IDR slice
  } else if (type == 19 || type == 20) {  // IDR_W_RADL, IDR_N_LP
    settle(false);
  } else if (type >= 16 && type <= 21) {  // BLA_*, CRA
    cra = type != 18;                     // BLA_N_LP has no leading pictures
    if (!cra) settle(false);
  } else {
    settle(true);  // a keyframe that is no IRAP picture
  }
}

int nal_length_size(const uint8_t* extra, int size, bool hevc) {
  if (!extra || size < 1 || extra[0] != 1) return 0;  // Annex B parameter sets, or none
  if (!hevc) return size >= 7 ? (extra[4] & 3) + 1 : 0;
  return size >= 23 ? (extra[21] & 3) + 1 : 0;
}

int first_slice_nal_type(const uint8_t* data, int size, int length_size, bool hevc) {
  auto slice_type = [hevc](uint8_t header) {
    const int t = hevc ? (header >> 1) & 0x3f : header & 0x1f;
    return (hevc ? t <= 31 : t >= 1 && t <= 5) ? t : -1;
  };
  if (!data || size <= 0) return -1;
  if (length_size > 0) {
    for (int64_t at = 0; at + length_size < size;) {
      int64_t len = 0;
      for (int i = 0; i < length_size; ++i) len = (len << 8) | data[at + i];
      at += length_size;
      if (len <= 0 || at + len > size) return -1;
      if (int t = slice_type(data[at]); t >= 0) return t;
      at += len;
    }
    return -1;
  }
  for (int i = 0; i + 3 < size; ++i) {
    if (data[i] == 0 && data[i + 1] == 0 && data[i + 2] == 1) {
      if (int t = slice_type(data[i + 3]); t >= 0) return t;
      i += 2;
    }
  }
  return -1;
}

void sample_keyframes(AVFormatContext* fmt, PacketReader& reader, const StreamInfo& video,
                      const std::vector<Keyframe>& keys, int count) {
  constexpr int64_t kSampleBytes = 512 << 10;  // per keyframe: the picture and the one after it
  constexpr int kSamplePackets = 48;
  if (keys.size() < 2 || !fmt->pb) return;
  for (int n = 1; n <= count; ++n) {
    const size_t i = std::min(keys.size() - 1, keys.size() * n / (count + 1) + (n == 1 ? 1 : 0));
    if (av_seek_frame(fmt, video.index, keys[i].pts, AVSEEK_FLAG_BACKWARD) < 0) return;
    const int64_t from = fmt->pb->bytes_read;
    int video_packets = 0, packets = 0;
    bool key = false;
    while (const AVPacket* pkt = reader.next(false)) {
      if (pkt->stream_index == video.index) {
        key = key || (pkt->flags & AV_PKT_FLAG_KEY);
        if (key && ++video_packets >= 2) break;  // the keyframe and the picture after it
      }
      if (++packets > kSamplePackets || fmt->pb->bytes_read - from > kSampleBytes) break;
    }
  }
}

bool read_index_and_tail(AVFormatContext* fmt, PacketReader& reader, MediaInfo& info, const std::string& uri) {
  const int64_t size = info.source.size;
  // Packets per byte of the head, for the streams whose index does not count
  // them (a timestamp jump shows as many seconds per packet).
  const int64_t head_first = reader.first_pos, head_span = reader.last_pos - reader.first_pos;
  std::map<int, int64_t> head_packets;
  for (const StreamInfo& s : info.streams) head_packets[s.index] = s.packets;
  auto estimate = [&](const StreamInfo& s) {
    if (head_span <= 0 || size <= 0) return s.packets;
    double per_byte = static_cast<double>(head_packets[s.index]) / static_cast<double>(head_span);
    return std::max(s.packets, static_cast<int64_t>(per_byte * static_cast<double>(size - head_first)));
  };

  const StreamInfo& main = main_stream(info);
  const int main_index = main.index;
  const int64_t head_end = main.end_pts;
  AVStream* main_st = fmt->streams[main_index];
  const bool has_index = container_has_index(fmt->iformat);
  StreamIndex main_ix = read_stream_index(main_st, size);
  // Some demuxers read their index on the first seek (Matroska Cues after
  // the clusters): seek once to the start, and look again.
  if (has_index && (main_ix.last_ts == kNoTimestamp || main_ix.last_ts <= head_end) &&
      av_seek_frame(fmt, main_index, main.start_pts, AVSEEK_FLAG_BACKWARD) >= 0)
    main_ix = read_stream_index(main_st, size);
  // Keyframes after the head's first: do they decode alone (open GOPs)?
  if (has_index && main.kind == StreamKind::video && !main.open_gop && main_ix.last_ts != kNoTimestamp &&
      main_ix.last_ts > head_end)
    sample_keyframes(fmt, reader, main, main_ix.keyframes, 2);
  reader.forget_seen();

  // The index is the container's own when it reaches past the head (other
  // demuxers note entries only for what they read or searched).
  if (has_index && main_ix.entries > 0 && head_end != kNoTimestamp && main_ix.last_ts > head_end) {
    info.probe_method = "index";
    double media_end = 0;
    bool cut = false;
    for (StreamInfo& s : info.streams) {
      if (!timed(s)) continue;
      StreamIndex ix = read_stream_index(fmt->streams[s.index], size);
      if (s.kind == StreamKind::video && !ix.keyframes.empty()) s.keyframes = std::move(ix.keyframes);
      s.packets = ix.entries > 0 && index_counts_packets(fmt->iformat) ? ix.entries : estimate(s);
      cut = cut || ix.runs_past_end;
      if (ix.last_whole_ts != kNoTimestamp) media_end = std::max(media_end, s.seconds(ix.last_whole_ts) - s.start_seconds());
    }
    // An index naming data past the end of the file: cut short.
    const bool estimated = fmt->duration_estimation_method == AVFMT_DURATION_FROM_BITRATE;
    if (cut && !estimated && info.container_duration > 2.0 && media_end < info.container_duration * 0.9 - 1.0)
      throw MediaError(truncated_message(uri, info.container_duration, media_end, ""));
    return read_tail_by_index(fmt, reader, main_index, main_ix, head_end);
  }
  if (!tail_readable_alone(fmt->iformat)) return false;
  info.probe_method = "head+tail";
  for (StreamInfo& s : info.streams)
    if (timed(s)) s.packets = estimate(s);
  return read_tail_by_bytes(fmt, reader, info, main_index, head_end);
}

void read_every_packet(AVFormatContext* fmt, MediaInfo& info, const std::map<int, size_t>& slot,
                       std::string* last_error) {
  for (StreamInfo& s : info.streams) {
    s.start_pts = s.end_pts = kNoTimestamp;
    s.packets = 0;
    s.keyframes.clear();
    s.open_gop.reset();
  }
  PacketReader all(fmt, info, slot);
  while (all.next(true)) {
  }
  *last_error = all.last_error;
  info.probe_method = "packets";
}

std::string truncated_message(const std::string& uri, double header, double media_end, const std::string& error) {
  char buf[200];
  snprintf(buf, sizeof buf, ": truncated or damaged: the header says %.2f s but the media data ends at %.2f s", header,
           media_end);
  return uri + buf + (error.empty() ? "" : " (" + error + ")");
}

}  // namespace hlsfs
