#include "actors/transcoder/subtitle_cues.h"

#include "actors/transcoder/job_deadline.h"

#include <algorithm>
#include <list>
#include <mutex>
#include <climits>
#include <cstdint>
#include <optional>

namespace hlsfs {

namespace {

constexpr AVRational kMs{1, 1000};
constexpr int64_t kOpenCueMs = 5000;  // a cue with no end: long enough to read, not forever
constexpr int kMaxReadErrors = 50;

bool is_text_descriptor(const AVCodecDescriptor* d) {
  return d && d->type == AVMEDIA_TYPE_SUBTITLE && (d->props & AV_CODEC_PROP_TEXT_SUB);
}

// One decoded subtitle in source ms. An event with no text still counts: it
// is how some sources clear the screen, so it ends an open cue before it.
struct Event {
  int64_t start_ms = 0;
  std::optional<int64_t> end_ms;
  std::string text;
};

// Owns the AVSubtitle that avcodec_decode_subtitle2 fills (zeroed is fine to free).
struct DecodedSubtitle {
  AVSubtitle sub{};
  DecodedSubtitle() = default;
  DecodedSubtitle(const DecodedSubtitle&) = delete;
  DecodedSubtitle& operator=(const DecodedSubtitle&) = delete;
  ~DecodedSubtitle() { avsubtitle_free(&sub); }
};

// Demux only the subtitle stream (the others would be read and thrown away
// anyway; discarding them skips their parsing), and give the caller's input
// back as it was.
class OnlyStream {
 public:
  OnlyStream(AVFormatContext* in, int index) : in_(in) {
    for (unsigned i = 0; i < in->nb_streams; ++i) {
      saved_.push_back(in->streams[i]->discard);
      in->streams[i]->discard = static_cast<int>(i) == index ? AVDISCARD_DEFAULT : AVDISCARD_ALL;
    }
  }
  ~OnlyStream() {
    for (unsigned i = 0; i < saved_.size() && i < in_->nb_streams; ++i) in_->streams[i]->discard = saved_[i];
  }
  OnlyStream(const OnlyStream&) = delete;
  OnlyStream& operator=(const OnlyStream&) = delete;

 private:
  AVFormatContext* in_;
  std::vector<AVDiscard> saved_;
};

std::string where_of(const AVFormatContext* in, int index) {
  return std::string(in->url ? in->url : "input") + ": stream " + std::to_string(index);
}

// Headerless containers (MPEG-TS/PS) may not know the codec until packets are read.
void ensure_stream_info(AVFormatContext* in, int index) {
  bool need = (in->ctx_flags & AVFMTCTX_NOHEADER) || index >= static_cast<int>(in->nb_streams) ||
              (index >= 0 && in->streams[index]->codecpar->codec_id == AV_CODEC_ID_NONE);
  if (!need) return;
  int err = avformat_find_stream_info(in, nullptr);
  check_deadline();  // interrupted (it may not say so): say why
  av_check(err, where_of(in, index) + ": cannot read stream information");
}

const AVStream* text_subtitle_stream(const AVFormatContext* in, int index) {
  const std::string where = where_of(in, index);
  if (index < 0 || index >= static_cast<int>(in->nb_streams))
    throw MediaError(where + " does not exist (the input has " + std::to_string(in->nb_streams) + " streams)");
  const AVStream* st = in->streams[index];
  const AVCodecParameters* par = st->codecpar;
  if (par->codec_type != AVMEDIA_TYPE_SUBTITLE) {
    const char* type = av_get_media_type_string(par->codec_type);
    throw MediaError(where + " is not a subtitle stream (" + (type ? type : "unknown") + ")");
  }
  if (!is_text_descriptor(avcodec_descriptor_get(par->codec_id)))
    throw MediaError(where + " is " + avcodec_get_name(par->codec_id) +
                     ", a bitmap subtitle codec: only text subtitles can become WebVTT");
  return st;
}

CodecPtr open_decoder(const AVStream* st, const std::string& where) {
  const AVCodec* codec = avcodec_find_decoder(st->codecpar->codec_id);
  if (!codec) throw MediaError(where + ": no decoder for " + avcodec_get_name(st->codecpar->codec_id));
  CodecPtr dec(avcodec_alloc_context3(codec));
  if (!dec) throw std::bad_alloc();
  av_check(avcodec_parameters_to_context(dec.get(), st->codecpar), where + ": decoder parameters");
  // Packet timestamps and durations are in the stream's time base; the
  // decoder needs it to turn a packet duration into end_display_time.
  dec->pkt_timebase = st->time_base;
  av_check(avcodec_open2(dec.get(), codec, nullptr), where + ": cannot open the " + codec->name + " decoder");
  return dec;
}

// The cue payload of all text rects of one subtitle (bitmap rects have none).
std::string text_of(const AVSubtitle& sub) {
  std::string text;
  for (unsigned i = 0; i < sub.num_rects; ++i) {
    const AVSubtitleRect* r = sub.rects[i];
    std::string part = r->type == SUBTITLE_ASS && r->ass    ? cue_text_from_ass(r->ass)
                       : r->type == SUBTITLE_TEXT && r->text ? cue_text_from_plain(r->text)
                                                             : std::string();
    if (part.empty()) continue;
    if (!text.empty()) text += '\n';
    text += part;
  }
  return text;
}

// The end in ms, when the source tells it: the packet duration is exact in
// the stream time base; end_display_time is what the decoder knew (0 or
// UINT32_MAX mean "until replaced").
std::optional<int64_t> end_of(const AVPacket* pkt, int64_t ts, const AVSubtitle& sub, AVRational tb) {
  if (pkt->duration > 0) return av_rescale_q(ts + pkt->duration, tb, kMs);
  if (sub.end_display_time > sub.start_display_time && sub.end_display_time != UINT32_MAX)
    return av_rescale_q(ts, tb, kMs) + sub.end_display_time;
  return std::nullopt;
}

// Decodes one packet of the subtitle stream; returns the libav error, if any.
int decode_packet(AVCodecContext* dec, AVPacket* pkt, AVRational tb, std::vector<Event>& events) {
  DecodedSubtitle decoded;
  int got = 0;
  int err = avcodec_decode_subtitle2(dec, &decoded.sub, &got, pkt);
  if (err < 0) return err;
  int64_t ts = pkt->pts != AV_NOPTS_VALUE ? pkt->pts : pkt->dts;
  if (!got || ts == AV_NOPTS_VALUE) return 0;  // nothing shown, or nowhere to place it
  const AVSubtitle& sub = decoded.sub;
  events.push_back({av_rescale_q(ts, tb, kMs) + sub.start_display_time, end_of(pkt, ts, sub, tb), text_of(sub)});
  return 0;
}

// Sorted cues from events: open ends closed by the next later event (at
// most kOpenCueMs), events with no text or no duration left out.
std::vector<SubtitleCue> cues_of(std::vector<Event> events) {
  std::stable_sort(events.begin(), events.end(),
                   [](const Event& a, const Event& b) { return a.start_ms < b.start_ms; });
  std::vector<SubtitleCue> cues;
  for (size_t k = 0; k < events.size(); ++k) {
    Event& e = events[k];
    if (e.text.empty()) continue;
    int64_t end = e.start_ms + kOpenCueMs;
    if (e.end_ms) {
      end = *e.end_ms;
    } else {
      // Several events may share a start (ASS layers): the next one is the next later start.
      for (size_t n = k + 1; n < events.size(); ++n)
        if (events[n].start_ms > e.start_ms) {
          end = std::min(end, events[n].start_ms);
          break;
        }
    }
    if (end > e.start_ms) cues.push_back({e.start_ms, end, std::move(e.text)});
  }
  return cues;
}

}  // namespace

std::vector<SubtitleCue> read_subtitle_cues(AVFormatContext* input, int stream_index) {
  // Under the thread's deadline (job_deadline.h): libav's loops end once it
  // is over, and an interrupted read must not pass for the end.
  struct Restore {  // the input is the caller's: its callback comes back after
    AVFormatContext* in;
    AVIOInterruptCB saved;
    ~Restore() { in->interrupt_callback = saved; }
  } restore{input, input->interrupt_callback};
  const auto deadline = arm_interrupt(input);
  ensure_stream_info(input, stream_index);
  const AVStream* st = text_subtitle_stream(input, stream_index);
  const std::string where = where_of(input, stream_index);
  CodecPtr dec = open_decoder(st, where);
  OnlyStream only(input, stream_index);

  std::vector<Event> events;
  PacketPtr pkt = make_packet();
  int read_errors = 0, decode_errors = 0, last_decode_error = 0;
  while (true) {
    int err = av_read_frame(input, pkt.get());
    if (err < 0) check_deadline();
    if (err == AVERROR_EOF) break;
    if (err < 0) {
      // Damaged data: skip it like a player would. An error that persists
      // (I/O) must not pass for the end: cues would be missing for good.
      if (++read_errors > kMaxReadErrors) av_check(err, where + ": cannot read the subtitles");
      continue;
    }
    note_progress();
    if (pkt->stream_index == stream_index) {
      if (int derr = decode_packet(dec.get(), pkt.get(), st->time_base, events); derr < 0) {
        ++decode_errors;
        last_decode_error = derr;
      }
    }
    av_packet_unref(pkt.get());
  }
  // A few bad packets cost a few cues; none decoded means the stream cannot
  // be read at all (typically text that is not UTF-8).
  if (events.empty() && decode_errors > 0)
    throw MediaError(where + ": cannot decode the " + dec->codec->name + " subtitles (" +
                     av_error_text(last_decode_error) +
                     (last_decode_error == AVERROR_INVALIDDATA ? "; not UTF-8 text?" : "") + ")");
  return cues_of(std::move(events));
}

std::vector<SourceIdentity> identify_subtitle_files(SourceOpener& opener, const PlaylistRequest& req) {
  std::vector<SourceIdentity> out;
  for (size_t k = 0; k < req.source_subtitles.size(); ++k) {
    try {
      out.push_back(opener.identify(req.source_subtitles[k].uri));
    } catch (const MediaError& e) {
      throw MediaError("SourceSubtitles[" + std::to_string(k) + "].URI: " + e.what());
    }
  }
  return out;
}

std::shared_ptr<const std::vector<SubtitleCue>> subtitle_track_cues(SourceOpener& opener, const RenditionSpec& spec) {
  // A handful of tracks: a viewer switching subtitles on asks for one track's
  // segments in a row; each entry is a few hundred KB at most.
  static std::mutex mu;
  static std::list<std::pair<std::string, std::shared_ptr<const std::vector<SubtitleCue>>>> recent;
  constexpr size_t kKept = 16;
  {
    std::lock_guard lock(mu);
    for (auto it = recent.begin(); it != recent.end(); ++it)
      if (it->first == spec.token) {
        recent.splice(recent.begin(), recent, it);
        return it->second;
      }
  }
  const SubtitleSpec& sub = *spec.subtitle;
  const std::string& uri = sub.file_uri.empty() ? spec.source_uri : sub.file_uri;
  Reading reading("reading the subtitles of " + uri);
  InputPtr input = opener.open(uri);
  int stream = sub.stream;
  if (stream < 0) {  // a file: its first subtitle stream
    for (unsigned i = 0; i < input->nb_streams && stream < 0; ++i)
      if (input->streams[i]->codecpar->codec_type == AVMEDIA_TYPE_SUBTITLE) stream = static_cast<int>(i);
    if (stream < 0) throw MediaError(uri + ": no subtitle stream in this file");
  }
  auto cues = std::make_shared<const std::vector<SubtitleCue>>(read_subtitle_cues(input.get(), stream));
  std::lock_guard lock(mu);
  recent.emplace_front(spec.token, cues);
  if (recent.size() > kKept) recent.pop_back();
  return cues;
}

}  // namespace hlsfs
