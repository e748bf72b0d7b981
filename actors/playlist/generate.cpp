#include "actors/playlist/generate.h"

#include <algorithm>

#include "actors/playlist/token.h"
#include "actors/playlist/source_limits.h"
#include "actors/playlist/thumbnail_track.h"
#include "actors/playlist/video_only.h"

namespace hlsfs {

int64_t estimated_peak_bandwidth(const RenditionSpec& r) {
  int64_t bw = 0;
  if (r.video) {
    const auto& v = *r.video;
    if (v.passthrough) {
      bw += v.peak_bitrate;  // measured from the source between its cuts (passthrough_rules.h)
    } else if (v.max_bitrate > 0) {
      // The request's VBV, plus what its buffer lets a segment spend above
      // it: every segment is a fresh encoder whose buffer starts 90 % full
      // (x264's and x265's vbv-init), so a segment of d seconds holds at most
      // cap * d + 0.9 * buffer bits; d is the shortest segment but the last
      // (HLS measures a short last segment with its neighbour).
      double shortest = r.plan.size() ? r.plan.extinf(0) : 1.0;
      for (size_t k = 1; k + 1 < r.plan.size(); ++k) shortest = std::min(shortest, r.plan.extinf(k));
      const int64_t buffer = v.buffer_size > 0 ? v.buffer_size : v.max_bitrate * 2;
      bw += v.max_bitrate + static_cast<int64_t>(0.9 * static_cast<double>(buffer) / std::max(shortest, 0.5));
    } else if (v.bitrate > 0) {
      bw += v.bitrate * 2;  // two-pass ABR: a segment stays well within 2x its average
    } else {
      // CRF: the rate cap (a segment above it is made again at it, two-pass
      // ABR, within ~10 %).
      bw += rate_cap(v) * 11 / 10;
    }
    // Should a segment still need more, the measured peak raises BANDWIDTH
    // (master_bandwidth.h).
  }
  if (r.audio) bw += r.audio->bitrate + 16000;  // + ADTS/PES overhead
  return static_cast<int64_t>(bw * 1.1);        // + MPEG-TS overhead
}

void to_json(nlohmann::json& j, const RenditionOrigin& o) {
  j = {{"target", o.target}};
  if (o.alternate_audio >= 0) j["alternate_audio"] = o.alternate_audio;
  if (o.video_only) j["video_only"] = true;
  if (o.subtitle_stream >= 0) j["subtitle_stream"] = o.subtitle_stream;
  if (o.subtitle_named_by >= 0) j["subtitle_named_by"] = o.subtitle_named_by;
  if (o.subtitle_file >= 0)
    j["subtitle_file"] = {{"index", o.subtitle_file}, {"size", o.file.size}, {"version", o.file.version}};
  if (o.thumbnails)
    j["thumbnails"] = {{"interval_ms", o.thumbnails->interval_ms}, {"width", o.thumbnails->width},
                       {"columns", o.thumbnails->columns},         {"rows", o.thumbnails->rows},
                       {"quality", o.thumbnails->quality}};
}

void from_json(const nlohmann::json& j, RenditionOrigin& o) {
  o = RenditionOrigin{};
  o.target = j.at("target");
  o.alternate_audio = j.value("alternate_audio", -1);
  o.video_only = j.value("video_only", false);
  o.subtitle_stream = j.value("subtitle_stream", -1);
  o.subtitle_named_by = j.value("subtitle_named_by", -1);
  if (auto f = j.find("subtitle_file"); f != j.end()) {
    o.subtitle_file = f->at("index");
    o.file.size = f->at("size");
    o.file.version = f->at("version");
  }
  if (auto t = j.find("thumbnails"); t != j.end()) {
    ThumbnailSettings s;
    s.interval_ms = t->at("interval_ms");
    s.width = t->at("width");
    s.columns = t->at("columns");
    s.rows = t->at("rows");
    s.quality = t->at("quality");
    o.thumbnails = s;
  }
}

RenditionSpec rebuild_rendition(const MediaInfo& media, const PlaylistRequest& req, const RenditionOrigin& o,
                                const EncoderConfig& enc) {
  if (o.thumbnails) return make_thumbnails_track(media, req, o.target, *o.thumbnails, enc);
  if (o.alternate_audio >= 0) return make_alternate_audio(media, req, o.target, o.alternate_audio, enc);
  if (o.video_only) return make_video_only(media, req, o.target, enc);
  if (o.subtitle_stream >= 0 || o.subtitle_file >= 0)
    return make_subtitle_track(media, req, o.target, o.subtitle_stream, o.subtitle_named_by, o.subtitle_file, o.file,
                               enc);
  return make_rendition(media, req, o.target, enc);
}

namespace {

// The subtitle tracks a request gets, on the grid of target `base`: the
// streams Subtitle targets name (all text streams when they name none), else
// with a master every text stream of the source; then SourceSubtitles.
std::vector<RenditionOrigin> subtitle_origins(const MediaInfo& media, const PlaylistRequest& req, int base,
                                              const std::vector<SourceIdentity>& files,
                                              std::vector<std::string>& notes) {
  std::vector<RenditionOrigin> out;
  bool asked = !req.source_subtitles.empty();
  for (const auto& t : req.targets) asked = asked || t.subtitle.has_value();
  if (base < 0) {
    if (asked) throw RequestError("Targets", "subtitle tracks follow a target with video; there is none");
    return out;
  }
  // Taken all together, bitmap streams are left out with a note; named one
  // by one, make_subtitle_track refuses them.
  auto embedded = [&](int n, int named_by, bool named) {
    const StreamInfo* s = media.nth(StreamKind::subtitle, n);
    if (!named && s && !is_text_subtitle_codec_name(s->codec)) {
      notes.push_back("subtitle stream " + std::to_string(n) + " (" + s->codec +
                      ") is left out: a bitmap format, WebVTT carries text");
      return;
    }
    RenditionOrigin o;
    o.target = static_cast<size_t>(base);
    o.subtitle_stream = n;
    o.subtitle_named_by = named_by;
    out.push_back(o);
  };
  bool any_target = false;
  for (size_t i = 0; i < req.targets.size(); ++i) {
    const auto& t = req.targets[i];
    if (t.video || t.audio || !t.subtitle) continue;
    any_target = true;
    if (t.subtitle->streams.empty()) {
      for (int n = 0; n < media.count(StreamKind::subtitle); ++n) embedded(n, static_cast<int>(i), false);
    } else {
      for (int n : t.subtitle->streams) {
        if (!media.nth(StreamKind::subtitle, n))
          throw RequestError("Targets[" + std::to_string(i) + "].Subtitle.Stream",
                             "the source has " + std::to_string(media.count(StreamKind::subtitle)) +
                                 " subtitle streams; index " + std::to_string(n) + " does not exist");
        embedded(n, static_cast<int>(i), true);
      }
    }
  }
  if (!any_target && req.master_uri)
    for (int n = 0; n < media.count(StreamKind::subtitle); ++n) embedded(n, -1, false);
  for (size_t k = 0; k < req.source_subtitles.size(); ++k) {
    RenditionOrigin o;
    o.target = static_cast<size_t>(base);
    o.subtitle_file = static_cast<int>(k);
    if (k < files.size()) o.file = files[k];
    out.push_back(o);
  }
  return out;
}

}  // namespace

GeneratedPlaylists generate_playlists(const PlaylistRequest& req, const MediaInfo& media, const EncoderConfig& enc,
                                      const std::function<std::string(const RenditionSpec&)>& codecs_of,
                                      const std::vector<SourceIdentity>& subtitle_files) {
  // Here, not in the daemon's service only, so `hlsfsctl render` refuses
  // the same sources (a jump would otherwise plan 200,000 segments).
  if (std::string why = timeline_problem(media); !why.empty())
    throw SourceRejected("SourceURI: " + req.source_uri + ": " + why);
  GeneratedPlaylists out;
  nlohmann::json video = nlohmann::json::array(), audio = nlohmann::json::array(),
                 subtitles = nlohmann::json::array();
  double duration = 0;
  std::string all_tokens;
  auto add = [&](RenditionSpec r, const RenditionOrigin& o) {
    for (const auto& other : out.renditions)
      if (other.target_uri == r.target_uri)
        throw RequestError("Targets", "two playlists would be " + r.playlist_uri() +
                                          " (a target's URI is taken by one of the master's tracks)");
    if (r.plan.size() > kMaxSegments)
      throw RequestError(o.is_target() ? "Targets[" + std::to_string(o.target) + "]" : "Targets",
                         "the playlist " + r.playlist_uri() + " would have " + std::to_string(r.plan.size()) +
                             " segments, more than " + std::to_string(kMaxSegments) + " (the source is " +
                             std::to_string(static_cast<long long>(r.plan.duration())) + " s long)");
    out.files[r.playlist_uri()] = media_playlist(r);
    duration = std::max(duration, r.plan.duration());
    all_tokens += r.token;
    if (o.video_only) {
      // Not in the response: VideoPlaylist lists the targets (IMM's), whose
      // own playlists keep their muxed audio; the master names this one.
    } else if (r.video) {
      video.push_back({{"URI", r.playlist_uri()},
                       {"Token", r.token},
                       {"FrameRate", format_frame_rate(r.video->frame_rate)},
                       {"Resolution", std::to_string(r.video->geometry.width) + "x" +
                                          std::to_string(r.video->geometry.height)}});
    } else if (r.audio) {
      audio.push_back({{"URI", r.playlist_uri()}, {"Token", r.token}, {"Channels", r.audio->channels}});
    } else {
      subtitles.push_back({{"URI", r.playlist_uri()},
                           {"Token", r.token},
                           {"Index", r.subtitle->index},
                           {"Language", r.subtitle->language}});
    }
    out.renditions.push_back(std::move(r));
    out.origins.push_back(o);
  };
  for (size_t i = 0; i < req.targets.size(); ++i) {
    const auto& t = req.targets[i];
    if (!t.video && !t.audio && t.subtitle) continue;  // its tracks come below
    add(make_rendition(media, req, i, enc), RenditionOrigin::of_target(i));
  }
  const size_t targets = out.renditions.size();
  // The grid tracks follow: the first target with video (and audio, for
  // audio tracks: its muxed stream is the default one).
  int video_base = -1, audio_base = -1;
  for (size_t i = 0; i < targets; ++i) {
    const RenditionSpec& r = out.renditions[i];
    if (r.video && video_base < 0) video_base = static_cast<int>(i);
    if (r.video && r.audio && audio_base < 0) audio_base = static_cast<int>(i);
  }
  std::vector<int> alternates;
  if (req.master_uri && audio_base >= 0)
    for (int n = 0; n < media.count(StreamKind::audio); ++n)
      if (media.nth(StreamKind::audio, n)->index != out.renditions[audio_base].audio->stream) alternates.push_back(n);
  // fMP4: the master's audio is demuxed when it has alternate tracks
  // (video_only.h): the default stream is a track with a URI too, first.
  const bool demuxed = !alternates.empty() && out.renditions[audio_base].fmp4;
  if (demuxed) {
    int n = 0;
    while (media.nth(StreamKind::audio, n)->index != out.renditions[audio_base].audio->stream) ++n;
    alternates.insert(alternates.begin(), n);
  }
  for (int n : alternates) {
    RenditionOrigin o = RenditionOrigin::of_target(out.origins[audio_base].target);
    o.alternate_audio = n;
    add(rebuild_rendition(media, req, o, enc), o);
  }
  const size_t first_subtitle = out.renditions.size();
  for (RenditionOrigin o : subtitle_origins(
           media, req, video_base < 0 ? -1 : static_cast<int>(out.origins[video_base].target), subtitle_files,
           out.notes))
    add(rebuild_rendition(media, req, o, enc), o);
  const size_t first_video_only = out.renditions.size();
  std::vector<size_t> variant_of(targets);  // what the master plays for target i
  for (size_t i = 0; i < targets; ++i) {
    variant_of[i] = i;
    const RenditionSpec& r = out.renditions[i];
    if (!demuxed || !r.fmp4 || !r.video || !r.audio) continue;
    RenditionOrigin o = RenditionOrigin::of_target(out.origins[i].target);
    o.video_only = true;
    add(rebuild_rendition(media, req, o, enc), o);
    variant_of[i] = out.renditions.size() - 1;
  }
  if (req.master_uri) {
    std::vector<MediaEntry> tracks;
    std::vector<std::string> names;
    int64_t alternate_peak = 0;
    auto audio_track = [&](const RenditionSpec& r, bool muxed, bool is_default = false) {
      const StreamInfo* s = nullptr;
      for (const auto& st : media.streams)
        if (st.index == r.audio->stream) s = &st;
      int n = 0;
      while (media.nth(StreamKind::audio, n) && media.nth(StreamKind::audio, n) != s) ++n;
      tracks.push_back(MediaEntry{"AUDIO", track_name(s ? s->title : "", s ? s->language : "", "Audio", n + 1, names),
                                  s ? s->language : "", muxed || is_default,
                                  muxed ? "" : relative_uri(*req.master_uri, r.playlist_uri())});
    };
    if (!alternates.empty() && !demuxed) audio_track(out.renditions[audio_base], true);
    for (size_t i = targets; i < first_subtitle; ++i) {
      audio_track(out.renditions[i], false, demuxed && i == targets);
      alternate_peak = std::max(alternate_peak, estimated_peak_bandwidth(out.renditions[i]));
    }
    std::vector<std::string> subtitle_names;
    for (size_t i = first_subtitle; i < first_video_only; ++i) {
      const RenditionSpec& r = out.renditions[i];
      const SubtitleSpec& sub = *r.subtitle;
      tracks.push_back(MediaEntry{"SUBTITLES", track_name(sub.title, sub.language, "Subtitles", sub.index + 1,
                                                          subtitle_names),
                                  sub.language, false, relative_uri(*req.master_uri, r.playlist_uri())});
    }
    std::vector<MasterEntry> entries;
    for (size_t i = 0; i < targets; ++i) {
      const RenditionSpec& r = out.renditions[variant_of[i]];
      const bool video_only = variant_of[i] != i;
      // A player on an alternate track fetches it beside the variant; a
      // video-only variant's BANDWIDTH and CODECS include its audio
      // renditions' (RFC 8216 4.3.4.2: the peak of the largest, all AAC).
      int64_t extra = r.audio || video_only ? alternate_peak : 0;
      int64_t peak = estimated_peak_bandwidth(r) + extra;
      std::string codecs = codecs_of(r);
      if (video_only) codecs += "," + codecs_of(out.renditions[targets]);
      entries.push_back(MasterEntry{&r, relative_uri(*req.master_uri, r.playlist_uri()), peak, peak * 3 / 5, codecs,
                                    video_only});
      out.variants.push_back({variant_of[i], entries.back().relative_uri, extra});
    }
    out.files[*req.master_uri] = master_playlist(entries, tracks);
    out.token = sha256_hex("master:" + all_tokens).substr(0, 32);
  } else {
    out.token = out.renditions.front().token;
  }
  // The thumbnails track of the first video target, after the master and its
  // Token are made: a request gives the playlists and tokens it gave before,
  // plus the track's file.
  if (enc.thumbnails.enabled() && video_base >= 0) {
    RenditionOrigin o = RenditionOrigin::of_target(out.origins[video_base].target);
    o.thumbnails = enc.thumbnails;
    RenditionSpec r = rebuild_rendition(media, req, o, enc);
    bool taken = out.files.count(r.playlist_uri()) > 0;
    for (const auto& other : out.renditions) taken = taken || other.target_uri == r.target_uri;
    if (taken) {
      out.notes.push_back("no thumbnails track: " + r.playlist_uri() + " is taken by one of the request's playlists");
    } else {
      // Not in the response: IMM's has no such field and clients check its
      // keys; a player finds the track by its name (docs/media.md).
      out.files[r.playlist_uri()] = media_playlist(r);
      out.renditions.push_back(std::move(r));
      out.origins.push_back(o);
    }
  }
  out.response = {{"Duration", std::round(duration * 1000) / 1000}, {"Token", out.token}};
  if (req.master_uri) out.response["MasterURI"] = *req.master_uri;
  if (!video.empty()) out.response["VideoPlaylist"] = video;
  if (!audio.empty()) out.response["AudioPlaylist"] = audio;
  if (!subtitles.empty()) out.response["SubtitlePlaylist"] = subtitles;
  return out;
}

}  // namespace hlsfs
