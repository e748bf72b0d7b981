#include "actors/transcoder/probe.h"

#include <algorithm>
#include <cmath>
#include <map>
#include <optional>

#include "actors/transcoder/codec_string.h"
#include "actors/transcoder/guarded_input.h"
#include "actors/transcoder/probe_reader.h"

extern "C" {
#include <libavutil/display.h>
#include <libavutil/pixdesc.h>
}

namespace hlsfs {
namespace {

int clockwise_rotation(const AVStream* st) {
  const uint8_t* m = av_stream_get_side_data(st, AV_PKT_DATA_DISPLAYMATRIX, nullptr);
  if (!m) return 0;
  double theta = -av_display_rotation_get(reinterpret_cast<const int32_t*>(m));
  if (std::isnan(theta)) return 0;
  int deg = static_cast<int>(std::lround(theta / 90.0)) * 90;
  return ((deg % 360) + 360) % 360;
}

std::string tag(const AVStream* st, const char* key) {
  const AVDictionaryEntry* e = av_dict_get(st->metadata, key, nullptr, 0);
  return e ? e->value : "";
}

const char* field_order_name(AVFieldOrder f) {
  switch (f) {
    case AV_FIELD_PROGRESSIVE: return "progressive";
    case AV_FIELD_TT: return "tt";
    case AV_FIELD_BB: return "bb";
    case AV_FIELD_TB: return "tb";
    case AV_FIELD_BT: return "bt";
    default: return "";
  }
}

StreamInfo describe(const AVStream* st) {
  const AVCodecParameters* p = st->codecpar;
  StreamInfo s;
  s.index = st->index;
  s.codec = avcodec_get_name(p->codec_id);
  s.time_base = {st->time_base.num, st->time_base.den};
  s.bit_rate = p->bit_rate;
  s.language = tag(st, "language");
  s.title = tag(st, "title");
  s.is_default = st->disposition & AV_DISPOSITION_DEFAULT;
  switch (p->codec_type) {
    case AVMEDIA_TYPE_VIDEO:
      // Cover art in audio files is a "video" stream of one picture: not video.
      s.kind = (st->disposition & AV_DISPOSITION_ATTACHED_PIC) ? StreamKind::other : StreamKind::video;
      s.width = p->width;
      s.height = p->height;
      s.sar = {p->sample_aspect_ratio.num, p->sample_aspect_ratio.den};
      if (!s.sar.valid() && st->sample_aspect_ratio.num > 0)
        s.sar = {st->sample_aspect_ratio.num, st->sample_aspect_ratio.den};
      s.rotation = clockwise_rotation(st);
      s.avg_frame_rate = {st->avg_frame_rate.num, st->avg_frame_rate.den};
      s.r_frame_rate = {st->r_frame_rate.num, st->r_frame_rate.den};
      if (const char* n = av_get_pix_fmt_name(static_cast<AVPixelFormat>(p->format))) s.pix_fmt = n;
      s.field_order = field_order_name(p->field_order);
      if (const char* n = av_color_primaries_name(p->color_primaries)) s.color_primaries = n;
      if (const char* n = av_color_transfer_name(p->color_trc)) s.color_trc = n;
      if (const char* n = av_color_space_name(p->color_space)) s.color_space = n;
      if (const char* n = av_color_range_name(p->color_range)) s.color_range = n;
      s.codec_string = source_codec_string(p);
      break;
    case AVMEDIA_TYPE_AUDIO: {
      s.kind = StreamKind::audio;
      s.sample_rate = p->sample_rate;
      s.channels = p->ch_layout.nb_channels;
      s.frame_size = p->frame_size;
      char buf[128] = {0};
      if (av_channel_layout_describe(&p->ch_layout, buf, sizeof buf) > 0) s.channel_layout = buf;
      break;
    }
    case AVMEDIA_TYPE_SUBTITLE:
      s.kind = StreamKind::subtitle;
      break;
    default:
      s.kind = StreamKind::other;
  }
  return s;
}

// Decodes until one frame comes out: proves the stream is real media, not a
// lucky format guess on garbage.
class DecodeCheck {
 public:
  DecodeCheck(const AVStream* st, const std::string& path) : path_(path) {
    const AVCodec* dec = avcodec_find_decoder(st->codecpar->codec_id);
    if (!dec) {
      reason_ = std::string("no decoder for codec ") + avcodec_get_name(st->codecpar->codec_id);
      return;
    }
    const int64_t pixels = static_cast<int64_t>(st->codecpar->width) * st->codecpar->height;
    if (pixels > kMaxPicturePixels) {  // the decoder would refuse it with EINVAL: say why
      reason_ = "the " + std::to_string(st->codecpar->width) + "x" + std::to_string(st->codecpar->height) +
                " picture is larger than the " + std::to_string(kMaxPicturePixels) + " pixels decoders are allowed";
      return;
    }
    ctx_.reset(avcodec_alloc_context3(dec));
    if (!ctx_ || avcodec_parameters_to_context(ctx_.get(), st->codecpar) < 0) throw std::bad_alloc();
    ctx_->thread_count = 1;
    ctx_->max_pixels = kMaxPicturePixels;
    int err = avcodec_open2(ctx_.get(), dec, nullptr);
    if (err < 0) {
      reason_ = "cannot open the " + std::string(dec->name) + " decoder: " + av_error_text(err);
      ctx_.reset();
    }
  }
  bool done() const { return decoded_ || !ctx_ || tries_ > 300; }
  bool decoded() const { return decoded_; }
  const std::string& reason() const { return reason_; }
  void feed(const AVPacket* pkt) {
    if (done()) return;
    ++tries_;
    int err = avcodec_send_packet(ctx_.get(), pkt);
    if (err < 0 && err != AVERROR(EAGAIN) && err != AVERROR_EOF) reason_ = av_error_text(err);
    drain();
  }
  void finish() {
    if (done()) return;
    avcodec_send_packet(ctx_.get(), nullptr);
    drain();
  }

 private:
  void drain() {
    FramePtr f = make_frame();
    while (avcodec_receive_frame(ctx_.get(), f.get()) >= 0) decoded_ = true;
  }
  std::string path_, reason_;
  CodecPtr ctx_;
  int tries_ = 0;
  bool decoded_ = false;
};

// The head ends once every video and audio stream has this many packets
// (past any reordering, so its least pts is the stream's start), the decode
// checks are done and the main video stream showed a keyframe; or at
// kHeadBytes once the checks are done; or at kHeadBytesMax regardless.
constexpr int kHeadPackets = 32;
constexpr int64_t kHeadBytes = 4 << 20;
constexpr int64_t kHeadBytesMax = 12 << 20;

}  // namespace

MediaInfo probe_source(SourceOpener& opener, const std::string& uri) {
  // A deadline of its own when the caller set none (hlsfsctl render): the
  // probe's loops end all the same. A generate's runs while it reads.
  std::shared_ptr<ProgressDeadline> own;
  if (!current_deadline()) own = std::make_shared<ProgressDeadline>(probe_limit(0), "");
  std::optional<DeadlineScope> scope;
  if (own) scope.emplace(own);
  Reading reading("probing " + uri);

  MediaInfo info;
  info.source = opener.identify(uri);
  if (info.source.size == 0) throw MediaError(uri + ": the file is empty");
  InputPtr in = opener.open(uri);
  AVFormatContext* fmt = in.get();
  arm_interrupt(fmt);  // the deadline outlives `in` (the scope above, or the caller's)
  int err = avformat_find_stream_info(fmt, nullptr);
  check_deadline();  // interrupted (it may not say so): say why
  if (err < 0) throw MediaError(uri + ": cannot read stream information: " + av_error_text(err));
  info.format = fmt->iformat->name;
  info.container_duration = fmt->duration > 0 ? fmt->duration / static_cast<double>(AV_TIME_BASE) : 0;
  const bool duration_is_estimate = fmt->duration_estimation_method == AVFMT_DURATION_FROM_BITRATE;

  std::map<int, size_t> slot;  // container index -> info.streams position
  std::map<int, std::unique_ptr<DecodeCheck>> checks;
  bool have_main[2] = {false, false};
  for (unsigned i = 0; i < fmt->nb_streams; ++i) {
    slot[i] = info.streams.size();
    info.streams.push_back(describe(fmt->streams[i]));
    const StreamInfo& s = info.streams.back();
    // Check the first stream of each kind that a target would use by default.
    int k = s.kind == StreamKind::video ? 0 : s.kind == StreamKind::audio ? 1 : -1;
    if (k >= 0 && !have_main[k]) {
      have_main[k] = true;
      checks[i] = std::make_unique<DecodeCheck>(fmt->streams[i], uri);
    }
  }
  if (!have_main[0] && !have_main[1]) throw MediaError(uri + ": no video or audio stream (" + info.format + ")");

  // The head: start times, the decode checks, keyframes and a packet rate.
  // A small file is read to its end here, and then everything is exact.
  PacketReader reader(fmt, info, slot);
  const bool whole = info.source.size >= 0 && info.source.size <= kReadWholeBelow;
  const int64_t bytes_at_head = fmt->pb ? fmt->pb->bytes_read : 0;
  auto head_done = [&] {
    if (whole) return false;
    const int64_t head_bytes = (fmt->pb ? fmt->pb->bytes_read : 0) - bytes_at_head;
    if (head_bytes > kHeadBytesMax) return true;
    for (auto& [idx, check] : checks)
      if (!check->done()) return false;
    if (head_bytes > kHeadBytes) return true;
    const StreamInfo* video = nullptr;
    for (const StreamInfo& s : info.streams) {
      if ((s.kind == StreamKind::video || s.kind == StreamKind::audio) && s.packets < kHeadPackets) return false;
      if (!video && s.kind == StreamKind::video) video = &s;
    }
    return !video || !video->keyframes.empty();
  };
  bool read_all = false;
  while (true) {
    const AVPacket* pkt = reader.next(true);
    if (!pkt) {
      read_all = true;
      break;
    }
    if (auto c = checks.find(pkt->stream_index); c != checks.end()) c->second->feed(pkt);
    if (head_done()) break;
  }
  for (auto& [idx, check] : checks) check->finish();

  // A stream that does not decode is treated as absent; when nothing is left
  // the source is not media we can use.
  std::string why;
  for (auto& [idx, check] : checks) {
    StreamInfo& s = info.streams[slot[idx]];
    if (!check->decoded() || s.packets == 0) {
      why += std::string(why.empty() ? "" : "; ") + to_string(s.kind) + " stream " + std::to_string(idx) + " (" +
             s.codec + "): " + (check->reason().empty() ? "no frame could be decoded" : check->reason());
      s.kind = StreamKind::other;
    }
  }
  if (!info.nth(StreamKind::video, 0) && !info.nth(StreamKind::audio, 0))
    throw MediaError(uri + ": not playable media: " + (why.empty() ? "no packets" : why));

  // The end: from the index and a tail, else every packet of a fresh input
  // (a seek back to the start is not exact in every demuxer).
  std::string last_error = reader.last_error;
  int64_t bytes_read = 0;  // by inputs closed since
  if (!read_all && !read_index_and_tail(fmt, reader, info, uri)) {
    bytes_read = fmt->pb ? fmt->pb->bytes_read : 0;
    in = opener.open(uri);
    fmt = in.get();
    arm_interrupt(fmt);
    err = avformat_find_stream_info(fmt, nullptr);
    check_deadline();
    if (err < 0) throw MediaError(uri + ": cannot read stream information: " + av_error_text(err));
    if (fmt->nb_streams != info.streams.size()) throw MediaError(uri + ": changed while probing");
    read_every_packet(fmt, info, slot, &last_error);
  }
  info.probe_bytes_read = bytes_read + (fmt->pb ? fmt->pb->bytes_read : 0);

  // Sort keyframes by time (some demuxers hand packets out of order) and check
  // the data is all there: a file cut short still has its header's duration.
  double media_end = 0;
  for (StreamInfo& s : info.streams) {
    std::sort(s.keyframes.begin(), s.keyframes.end(),
              [](const Keyframe& a, const Keyframe& b) { return a.pts < b.pts; });
    if (s.kind == StreamKind::video || s.kind == StreamKind::audio)
      media_end = std::max(media_end, s.end_seconds() - s.start_seconds());
  }
  if (!duration_is_estimate && info.container_duration > 2.0 && media_end < info.container_duration * 0.9 - 1.0)
    throw MediaError(truncated_message(uri, info.container_duration, media_end, last_error));
  if (const StreamInfo* v = info.nth(StreamKind::video, 0); v && v->keyframes.empty())
    throw MediaError(uri + ": the video stream has no keyframe");
  return info;
}

}  // namespace hlsfs
