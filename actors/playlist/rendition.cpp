#include "actors/playlist/rendition.h"

#include <algorithm>
#include <cmath>

#include "actors/playlist/passthrough_rules.h"
#include "actors/playlist/token.h"

namespace hlsfs {

int64_t default_video_cap(const VideoSpec& v) {
  double pixels_per_second = static_cast<double>(v.geometry.width) * v.geometry.height * v.frame_rate.to_double();
  return static_cast<int64_t>(pixels_per_second * 0.15 * std::pow(2.0, (23.0 - v.crf) / 6.0));
}

int64_t rate_cap(const VideoSpec& v) { return v.crf >= 0 && v.max_bitrate == 0 ? default_video_cap(v) : 0; }

std::string EncoderConfig::fingerprint() const {
  return "x264/" + preset + "/t" + std::to_string(threads) + "/" + x264_params;
}

int prefetch_depth(const RenditionSpec& r, int configured) { return r.labels.transcode_ahead.value_or(configured); }

std::string RenditionSpec::prefix_name() const { return target_uri.substr(target_uri.rfind('/') + 1); }

std::string RenditionSpec::segment_name(size_t n) const {
  if (fmp4 && n == kInitSegment) return prefix_name() + "-" + token + "-init.mp4";
  return prefix_name() + "-" + token + "-" + std::to_string(n) + segment_extension();
}

std::string RenditionSpec::segment_uri(size_t n) const {
  return target_uri.substr(0, target_uri.rfind('/') + 1) + segment_name(n);
}

std::pair<int64_t, int64_t> RenditionSpec::audio_frames(size_t k) const {
  if (!audio) return {0, 0};
  const VideoSpec* grid = video ? &*video : grid_video ? &*grid_video : nullptr;
  if (!grid) return {plan.begin(k), plan.end(k)};  // the plan counts AAC frames
  // Units per second: the frame rate of a transcoded grid, the stream time
  // base's inverse for a passthrough's (its plan counts source ticks).
  const Rational per_second{plan.unit().den, plan.unit().num};
  return {aac_frame_at_or_after(plan.begin(k), per_second, audio->sample_rate),
          aac_frame_at_or_after(plan.end(k), per_second, audio->sample_rate)};
}

Rational source_frame_rate(Rational avg, Rational r) {
  auto sane = [](Rational x) { return x.valid() && x.to_double() >= 1.0 && x.to_double() <= 240.0; };
  Rational pick;
  if (sane(avg) && sane(r)) {
    // Variable frame rate: avg is below r. r (the finest regular rate) keeps
    // every source frame when it is a usual playback rate; above that, avg.
    double ratio = r.to_double() / avg.to_double();
    pick = (ratio > 1.01 && r.to_double() <= 60.0) ? r : avg;
  } else if (sane(avg)) {
    pick = avg;
  } else if (sane(r)) {
    pick = r;
  } else {
    return Rational{25, 1};
  }
  static const Rational standard[] = {{24000, 1001}, {24, 1},    {25, 1}, {30000, 1001}, {30, 1},   {48, 1},
                                      {50, 1},       {60000, 1001}, {60, 1}, {15, 1},     {12, 1},   {10, 1},
                                      {120, 1},      {100, 1},   {20, 1}, {5, 1}};
  double v = pick.to_double();
  for (const Rational& s : standard)
    if (std::fabs(v / s.to_double() - 1.0) < 0.001) return s;
  return Rational{static_cast<int64_t>(std::llround(v * 1000)), 1000}.reduced();
}

Rational choose_frame_rate(Rational source, const std::optional<Rational>& requested, ValueOption option,
                           const std::string& field) {
  if (!requested) return source;
  if (source < *requested) {
    if (option == ValueOption::fall)
      throw RequestError(field + ".FrameRateOption", "source frame rate " + format_frame_rate(source) +
                                                         " is lower than the requested " +
                                                         format_frame_rate(*requested) + " (FrameRateOption fall)");
    if (option == ValueOption::adaptive) return source;
  }
  return *requested;
}

int aac_sample_rate(int wanted) {
  static const int rates[] = {8000, 11025, 12000, 16000, 22050, 24000, 32000, 44100, 48000, 64000, 88200, 96000};
  for (int r : rates)
    if (r >= wanted) return r;
  return 96000;
}

namespace {

const StreamInfo* pick_stream(const MediaInfo& media, StreamKind kind, int n, const std::string& field,
                              std::vector<std::string>& notes) {
  if (const StreamInfo* s = media.nth(kind, n)) return s;
  int have = media.count(kind);
  if (have == 0) {
    notes.push_back(std::string("source has no ") + to_string(kind) + " stream; the target is made without " +
                    to_string(kind));
    return nullptr;
  }
  throw RequestError(field, "source has " + std::to_string(have) + " " + to_string(kind) + " stream" +
                                (have > 1 ? "s" : "") + "; index " + std::to_string(n) + " does not exist");
}

VideoSpec make_video(const StreamInfo& s, const VideoRequest& v, const EncoderConfig& enc, const std::string& field,
                     std::vector<std::string>& notes) {
  VideoSpec out;
  out.stream = s.index;
  out.codec = v.codec;
  out.frame_rate = choose_frame_rate(source_frame_rate(s.avg_frame_rate, s.r_frame_rate), v.frame_rate,
                                     v.frame_rate_option, field);
  out.geometry = compute_geometry(SourcePicture{s.width, s.height, s.sar, s.rotation}, v, field);
  if (v.bitrate) {
    out.crf = -1;
    out.bitrate = *v.bitrate;
    if (s.bit_rate > 0 && s.bit_rate < out.bitrate * 0.95) {
      if (v.bitrate_option == ValueOption::fall)
        throw RequestError(field + ".BitrateOption", "source video bitrate " + std::to_string(s.bit_rate) +
                                                         " is lower than the requested " + std::to_string(out.bitrate));
      if (v.bitrate_option == ValueOption::adaptive) {
        notes.push_back("video bitrate lowered to the source's " + std::to_string(s.bit_rate));
        out.bitrate = s.bit_rate;
      }
    }
  } else {
    out.crf = v.effective_crf();
  }
  out.max_bitrate = v.max_bitrate.value_or(0);
  out.buffer_size = v.buffer_size.value_or(out.max_bitrate ? out.max_bitrate * 2 : 0);
  out.bframes = v.bframes.value_or(-1);
  out.refs = v.refs.value_or(-1);
  // Players show progressive 8-bit SDR: interlaced fields are merged (combing
  // otherwise), PQ and HLG pictures tone-mapped (washed-out grey otherwise).
  out.deinterlace = s.field_order == "tt" || s.field_order == "bb" || s.field_order == "tb" || s.field_order == "bt";
  if (out.deinterlace) notes.push_back("interlaced source (" + s.field_order + "): deinterlaced");
  out.hdr_to_sdr = s.color_trc == "smpte2084" || s.color_trc == "arib-std-b67";
  if (out.hdr_to_sdr) notes.push_back("HDR source (" + s.color_trc + "): tone-mapped to SDR BT.709");
  out.preset = enc.preset;
  out.threads = enc.threads;
  out.x264_params = enc.x264_params;
  return out;
}

// The source's own video, copied: its size, rate and codec; cut by `cut`.
VideoSpec passthrough_video(const StreamInfo& s, const PassthroughCut& cut) {
  VideoSpec out;
  out.stream = s.index;
  out.codec = s.codec == "hevc" ? "h265" : "h264";
  out.frame_rate = source_frame_rate(s.avg_frame_rate, s.r_frame_rate);
  out.geometry.width = out.geometry.scale_w = s.width;
  out.geometry.height = out.geometry.scale_h = s.height;
  out.crf = -1;
  out.passthrough = true;
  out.keyframe_origin = cut.origin_ts;
  out.peak_bitrate = cut.peak_bitrate;
  return out;
}

AudioSpec make_audio(const StreamInfo& s, const AudioRequest& a, const std::string& field,
                     std::vector<std::string>& notes) {
  AudioSpec out;
  out.stream = s.index;
  int src_rate = s.sample_rate > 0 ? s.sample_rate : 48000;
  int rate = src_rate;
  if (a.sample_rate) {
    rate = *a.sample_rate;
    if (src_rate < rate) {
      if (a.sample_rate_option == ValueOption::fall)
        throw RequestError(field + ".SampleRateOption", "source sample rate " + std::to_string(src_rate) +
                                                            " is lower than the requested " + std::to_string(rate));
      if (a.sample_rate_option == ValueOption::adaptive) rate = src_rate;
    }
  }
  out.sample_rate = aac_sample_rate(rate);
  out.channels = a.channels.value_or(std::clamp(s.channels, 1, 8));
  int64_t default_bitrate = out.channels <= 2 ? 64000 * out.channels : std::min<int64_t>(64000LL * out.channels, 512000);
  out.bitrate = a.bitrate.value_or(default_bitrate);
  if (!a.bitrate && a.quality) {
    // Quality 0-100 maps onto 32-192 kbit/s per stereo pair.
    out.bitrate = (32000 + *a.quality * 1600) * std::max(1, out.channels) / 2;
  }
  // "Lower" means clearly lower: a 128k source measured at 127.6k is not.
  if (a.bitrate && s.bit_rate > 0 && s.bit_rate < out.bitrate * 0.95 && a.bitrate_option != ValueOption::fixed) {
    if (a.bitrate_option == ValueOption::fall)
      throw RequestError(field + ".BitrateOption", "source audio bitrate " + std::to_string(s.bit_rate) +
                                                       " is lower than the requested " + std::to_string(out.bitrate));
    notes.push_back("audio bitrate lowered to the source's " + std::to_string(s.bit_rate));
    out.bitrate = s.bit_rate;
  }
  out.bitrate = std::max<int64_t>(out.bitrate, 8000);
  return out;
}

}  // namespace

RenditionSpec make_rendition(const MediaInfo& media, const PlaylistRequest& req, size_t ti, const EncoderConfig& enc) {
  const TargetRequest& t = req.targets.at(ti);
  const std::string field = "Targets[" + std::to_string(ti) + "]";
  RenditionSpec r;
  r.source_uri = req.source_uri;
  r.target_uri = t.uri;
  r.fmp4 = t.container == SegmentContainer::fmp4;  // in the token through canonical_target
  r.labels = RenditionLabels{t.transcode_ahead, req.tags, req.user_data, req.notification};

  const StreamInfo* vs = nullptr;
  const StreamInfo* as = nullptr;
  if (t.video) {
    if (t.video->streams.size() > 1)
      throw RequestError(field + ".Video.Stream", "one video stream per target is supported");
    vs = pick_stream(media, StreamKind::video, t.video->streams.empty() ? 0 : t.video->streams[0],
                     field + ".Video.Stream", r.notes);
  }
  if (t.audio) as = pick_stream(media, StreamKind::audio, t.audio->stream, field + ".Audio.Stream", r.notes);
  if (!vs && !as) {
    if (t.subtitle) throw RequestError(field + ".Subtitle", "a Subtitle target is made of subtitle tracks, not one rendition");
    throw RequestError(field, "the source has no video or audio stream this target can use");
  }

  const StreamInfo& main = vs ? *vs : *as;
  if (main.start_pts == kNoTimestamp || main.end_pts == kNoTimestamp || main.end_pts <= main.start_pts)
    throw RequestError("SourceURI", "the source's " + std::string(to_string(main.kind)) + " stream holds no timed data");
  Rational tb = main.time_base;
  r.origin = Rational{main.start_pts * tb.num, tb.den} + seconds_from_double(req.source_start_time);
  Rational end{main.end_pts * tb.num, tb.den};
  if (!(r.origin < end)) {
    char buf[128];
    snprintf(buf, sizeof buf, "%.3f s is past the end of the source (%.3f s)", req.source_start_time,
             (end - Rational{main.start_pts * tb.num, tb.den}).to_double());
    throw RequestError("SourceStartTime", buf);
  }
  double duration = (end - r.origin).to_double();
  if (req.source_duration > 0) duration = std::min(duration, req.source_duration);

  std::vector<double> initial = t.initial_segments;
  if (vs && t.video->passthrough) {
    const std::string pfield = field + ".Video.Passthrough";
    if (std::string why = passthrough_refusal(media, *vs, t.container); !why.empty()) throw RequestError(pfield, why);
    PassthroughCut cut = cut_passthrough(media, *vs, t, req.source_start_time, req.source_duration, pfield);
    r.video = passthrough_video(*vs, cut);
    r.origin = Rational{cut.origin_ts * vs->time_base.num, vs->time_base.den};
    r.plan = std::move(cut.plan);
    r.notes.insert(r.notes.end(), cut.notes.begin(), cut.notes.end());
  } else if (vs) {
    r.video = make_video(*vs, *t.video, enc, field + ".Video.TranscodeVideo", r.notes);
    Rational unit{r.video->frame_rate.den, r.video->frame_rate.num};
    r.plan = make_plan(units_for(duration, unit), unit, initial, t.duration);
    int64_t longest = 1;
    for (size_t k = 0; k < r.plan.size(); ++k) longest = std::max(longest, r.plan.end(k) - r.plan.begin(k));
    r.video->keyint = static_cast<int>(std::min<int64_t>(longest, 1000));
  }
  if (as) r.audio = make_audio(*as, *t.audio, field + ".Audio.TranscodeAudio", r.notes);
  if (!vs) {
    Rational unit{1024, r.audio->sample_rate};
    r.plan = make_plan(mul_div_ceil(static_cast<int64_t>(std::llround(duration * 1e6)), r.audio->sample_rate,
                                    1024LL * 1000000),
                       unit, initial, t.duration);
  }

  nlohmann::json params = canonical_target(t);
  // The output location is part of the identity: two targets with the same
  // parameters in two directories are two renditions (state and mount key
  // segments by token).
  params["URI"] = t.uri;
  params["SourceStartTime"] = req.source_start_time;
  params["SourceDuration"] = req.source_duration;
  params["Encoder"] = enc.fingerprint();
  params["Layout"] = "hlsfs-segment-v3";  // bump when segment bytes change for the same inputs
  // Corrections added later than that layout: only their sources change.
  if (r.video && r.video->deinterlace) params["Deinterlace"] = "kerndeint";
  if (r.video && r.video->hdr_to_sdr) params["ToneMap"] = "hable-bt709";
  if (r.video && rate_cap(*r.video)) params["RateCap"] = "v1";  // default_video_cap
  if (r.video && r.video->passthrough) params["Remux"] = "hlsfs-passthrough-v1";  // video_copy.h: bump when its bytes change
  r.token = make_token(media.source, params);
  params.erase("URI");
  r.settings_token = make_token(media.source, params);
  return r;
}

RenditionSpec make_alternate_audio(const MediaInfo& media, const PlaylistRequest& req, size_t base_target, int n,
                                   const EncoderConfig& enc) {
  if (!req.master_uri) throw RequestError("MasterURI", "alternate audio tracks need a master playlist");
  RenditionSpec base = make_rendition(media, req, base_target, enc);
  const std::string field = "Targets[" + std::to_string(base_target) + "].Audio";
  if (!base.video || !base.audio) throw RequestError(field, "alternate audio tracks follow a target with video and audio");
  const StreamInfo* s = media.nth(StreamKind::audio, n);
  if (!s) throw RequestError(field, "the source has no audio stream " + std::to_string(n));
  RenditionSpec r = base;
  r.notes.clear();
  r.settings_token.clear();  // not the target's encoder: its CODECS differ
  r.grid_video = std::move(r.video);
  r.video.reset();
  // The base target's audio settings, but this stream's own channel count
  // unless the request fixes one (a 5.1 commentary stays 5.1 if asked to).
  AudioRequest a = *req.targets[base_target].audio;
  a.stream = n;
  r.audio = make_audio(*s, a, field + ".TranscodeAudio", r.notes);
  const std::string& m = *req.master_uri;
  r.target_uri = m.substr(0, m.size() - 5) + "_audio" + std::to_string(n);
  nlohmann::json params = {{"Base", base.token}, {"AudioStream", n}, {"URI", r.target_uri},
                           {"Audio", {{"SampleRate", r.audio->sample_rate}, {"Channels", r.audio->channels},
                                      {"Bitrate", r.audio->bitrate}}}};
  r.token = make_token(media.source, params);
  return r;
}

bool is_text_subtitle_codec_name(const std::string& codec) {
  // FFmpeg 5.1's codecs with AV_CODEC_PROP_TEXT_SUB (a unit test keeps this
  // list equal to libavcodec's descriptors).
  static const char* const text[] = {
      "arib_caption", "ass",      "eia_608",  "hdmv_text_subtitle", "jacosub", "microdvd", "mov_text",
      "mpl2",         "pjs",      "realtext", "sami",               "ssa",     "stl",      "subrip",
      "subviewer",    "subviewer1", "text",   "ttml",               "vplayer", "webvtt",   "srt"};
  for (const char* t : text)
    if (codec == t) return true;
  return false;
}

RenditionSpec make_subtitle_track(const MediaInfo& media, const PlaylistRequest& req, size_t base_target, int n,
                                  int named_by, int file, const SourceIdentity& file_identity,
                                  const EncoderConfig& enc) {
  if (!req.master_uri) throw RequestError("MasterURI", "subtitle tracks need a master playlist");
  RenditionSpec base = make_rendition(media, req, base_target, enc);
  if (!base.video) throw RequestError("Targets", "subtitle tracks follow a target with video; there is none");
  RenditionSpec r = base;
  r.notes.clear();
  r.settings_token.clear();  // not the target's encoder: its CODECS differ
  r.grid_video = std::move(r.video);
  r.video.reset();
  r.audio.reset();
  r.fmp4 = false;  // WebVTT segments, on the same clock whatever the video's container
  SubtitleSpec sub;
  const std::string master_base = req.master_uri->substr(0, req.master_uri->size() - 5);
  nlohmann::json params = {{"Base", base.token}};
  if (file >= 0) {
    const SourceSubtitle& f = req.source_subtitles.at(file);
    sub.file_uri = f.uri;
    sub.language = f.language;
    sub.index = media.count(StreamKind::subtitle) + file;
    sub.cue_origin = req.source_start_time;
    r.target_uri = master_base + "_subfile" + std::to_string(file);
    params["SubtitleFile"] = {{"URI", f.uri}, {"Size", file_identity.size}, {"Version", file_identity.version}};
  } else {
    const std::string field = named_by >= 0 ? "Targets[" + std::to_string(named_by) + "].Subtitle.Stream" : "Subtitle";
    const StreamInfo* s = media.nth(StreamKind::subtitle, n);
    if (!s) throw RequestError(field, "the source has no subtitle stream " + std::to_string(n));
    if (!is_text_subtitle_codec_name(s->codec))
      throw RequestError(field, "subtitle stream " + std::to_string(n) + " is " + s->codec + ", a bitmap format (text only)");
    sub.stream = s->index;
    sub.language = s->language == "und" ? "" : s->language;
    sub.title = s->title;
    sub.index = n;
    sub.cue_origin = r.origin.to_double();
    r.target_uri = named_by >= 0 ? req.targets.at(named_by).uri + "_" + std::to_string(n)
                                 : master_base + "_sub" + std::to_string(n);
    params["SubtitleStream"] = n;
  }
  r.subtitle = sub;
  params["URI"] = r.target_uri;
  params["Layout"] = "hlsfs-webvtt-v1";
  r.token = make_token(media.source, params);
  return r;
}

}  // namespace hlsfs
