#include "actors/playlist/generate.h"

#include <cmath>

#include "actors/playlist/token.h"

namespace hlsfs {

void check_supported(const PlaylistRequest& req) {
  if (!req.source_subtitles.empty())
    throw RequestError("SourceSubtitles", "subtitle playlists are not yet supported");
  for (size_t i = 0; i < req.targets.size(); ++i) {
    const auto& t = req.targets[i];
    std::string f = "Targets[" + std::to_string(i) + "]";
    if (t.subtitle) throw RequestError(f + ".Subtitle", "subtitle playlists are not yet supported");
    if (t.video && t.video->codec != "h264")
      throw RequestError(f + ".Video.TranscodeVideo.Codec", "\"" + t.video->codec + "\" is not yet supported (h264)");
  }
}

int64_t estimated_peak_bandwidth(const RenditionSpec& r) {
  int64_t bw = 0;
  if (r.video) {
    const auto& v = *r.video;
    if (v.max_bitrate > 0) {
      bw += v.max_bitrate;
    } else if (v.bitrate > 0) {
      bw += v.bitrate * 2;  // ABR without a VBV: x264 stays well within 2x on a segment
    } else {
      // CRF: bits per pixel per frame, generous for CRF 23 at veryfast, scaled
      // by 2^((23-crf)/6) as CRF doubles bitrate every ~6 steps.
      double pixels = static_cast<double>(v.geometry.width) * v.geometry.height * v.frame_rate.to_double();
      bw += static_cast<int64_t>(pixels * 0.25 * std::pow(2.0, (23.0 - v.crf) / 6.0));
    }
  }
  if (r.audio) bw += r.audio->bitrate + 16000;  // + ADTS/PES overhead
  return static_cast<int64_t>(bw * 1.1);        // + MPEG-TS overhead
}

RenditionSpec rebuild_rendition(const MediaInfo& media, const PlaylistRequest& req, const RenditionOrigin& o,
                                const EncoderConfig& enc) {
  if (o.alternate_audio >= 0) return make_alternate_audio(media, req, o.target, o.alternate_audio, enc);
  return make_rendition(media, req, o.target, enc);
}

GeneratedPlaylists generate_playlists(const PlaylistRequest& req, const MediaInfo& media, const EncoderConfig& enc,
                                      const std::function<std::string(const RenditionSpec&)>& codecs_of) {
  check_supported(req);
  GeneratedPlaylists out;
  nlohmann::json video = nlohmann::json::array(), audio = nlohmann::json::array();
  double duration = 0;
  std::string all_tokens;
  for (size_t i = 0; i < req.targets.size(); ++i) {
    RenditionSpec r = make_rendition(media, req, i, enc);
    out.files[r.playlist_uri()] = media_playlist(r);
    duration = std::max(duration, r.plan.duration());
    all_tokens += r.token;
    if (r.video) {
      video.push_back({{"URI", r.playlist_uri()},
                       {"Token", r.token},
                       {"FrameRate", format_frame_rate(r.video->frame_rate)},
                       {"Resolution", std::to_string(r.video->geometry.width) + "x" +
                                          std::to_string(r.video->geometry.height)}});
    } else {
      audio.push_back({{"URI", r.playlist_uri()}, {"Token", r.token}, {"Channels", r.audio->channels}});
    }
    out.renditions.push_back(std::move(r));
    out.origins.push_back(RenditionOrigin{i, -1});
  }
  const size_t targets = out.renditions.size();
  auto [base, alternates] = alternate_audio_streams(media, req, out.renditions);
  for (int n : alternates) {
    RenditionSpec r = make_alternate_audio(media, req, static_cast<size_t>(base), n, enc);
    for (const auto& other : out.renditions)
      if (other.target_uri == r.target_uri)
        throw RequestError("Targets", "a target's URI is taken by the master's audio track " + r.playlist_uri());
    out.files[r.playlist_uri()] = media_playlist(r);
    all_tokens += r.token;
    audio.push_back({{"URI", r.playlist_uri()}, {"Token", r.token}, {"Channels", r.audio->channels}});
    out.renditions.push_back(std::move(r));
    out.origins.push_back(RenditionOrigin{static_cast<size_t>(base), n});
  }
  if (req.master_uri) {
    std::vector<MediaEntry> tracks;
    std::vector<std::string> names;
    int64_t alternate_peak = 0;
    auto audio_track = [&](const RenditionSpec& r, bool muxed) {
      const StreamInfo* s = nullptr;
      for (const auto& st : media.streams)
        if (st.index == r.audio->stream) s = &st;
      int n = 0;
      while (media.nth(StreamKind::audio, n) && media.nth(StreamKind::audio, n) != s) ++n;
      tracks.push_back(MediaEntry{"AUDIO", track_name(s ? s->title : "", s ? s->language : "", "Audio", n + 1, names),
                                  s ? s->language : "", muxed,
                                  muxed ? "" : relative_uri(*req.master_uri, r.playlist_uri())});
    };
    if (!alternates.empty()) audio_track(out.renditions[base], true);
    for (size_t i = targets; i < out.renditions.size(); ++i) {
      audio_track(out.renditions[i], false);
      alternate_peak = std::max(alternate_peak, estimated_peak_bandwidth(out.renditions[i]));
    }
    std::vector<MasterEntry> entries;
    for (size_t i = 0; i < targets; ++i) {
      const RenditionSpec& r = out.renditions[i];
      // A player on an alternate track fetches it beside the variant.
      int64_t peak = estimated_peak_bandwidth(r) + (r.audio ? alternate_peak : 0);
      entries.push_back(MasterEntry{&r, relative_uri(*req.master_uri, r.playlist_uri()), peak, peak * 3 / 5,
                                    codecs_of(r)});
    }
    out.files[*req.master_uri] = master_playlist(entries, tracks);
    out.token = sha256_hex("master:" + all_tokens).substr(0, 32);
  } else {
    out.token = out.renditions.front().token;
  }
  out.response = {{"Duration", std::round(duration * 1000) / 1000}, {"Token", out.token}};
  if (req.master_uri) out.response["MasterURI"] = *req.master_uri;
  if (!video.empty()) out.response["VideoPlaylist"] = video;
  if (!audio.empty()) out.response["AudioPlaylist"] = audio;
  return out;
}

}  // namespace hlsfs
