// GenerateVideoPlaylist without I/O: request + probe -> renditions, the text
// of every playlist to write, and the IMM-shaped response. The daemon's
// playlist actor and `hlsfsctl render` both call this.
#pragma once
#include <functional>
#include <map>
#include <optional>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "actors/playlist/m3u8.h"
#include "actors/playlist/rendition.h"
#include "actors/playlist/request.h"

namespace hlsfs {

// Where a rendition comes from: a target of the request, or an alternate
// audio track (the n-th audio stream) on a target's grid. Stored with the
// rendition so a restart rebuilds it the same way (rebuild_rendition).
struct RenditionOrigin {
  size_t target = 0;         // the target, or the one whose grid a track follows
  int alternate_audio = -1;  // n among the source's audio streams
  int subtitle_stream = -1;  // n among the source's subtitle streams
  int subtitle_named_by = -1;  // the Subtitle target that asked for it (-1: the master's own)
  int subtitle_file = -1;    // index in SourceSubtitles
  SourceIdentity file;       // that file's identity (part of the token)
  // The thumbnails track of the target's video, at these settings (the
  // daemon's when it was generated: a restart or a worker rebuilds it alike).
  std::optional<ThumbnailSettings> thumbnails;
  // The target's video alone (video_only.h): the variant of an fMP4 master
  // whose audio streams are all EXT-X-MEDIA renditions.
  bool video_only = false;
  bool is_target() const {
    return alternate_audio < 0 && subtitle_stream < 0 && subtitle_file < 0 && !thumbnails && !video_only;
  }
  static RenditionOrigin of_target(size_t i) {
    RenditionOrigin o;
    o.target = i;
    return o;
  }
};
void to_json(nlohmann::json&, const RenditionOrigin&);
void from_json(const nlohmann::json&, RenditionOrigin&);
RenditionSpec rebuild_rendition(const MediaInfo& media, const PlaylistRequest& req, const RenditionOrigin& o,
                                const EncoderConfig& enc);

struct GeneratedPlaylists {
  // The targets in request order, then audio tracks, subtitle tracks,
  // video-only variants (an fMP4 master with alternate audio), thumbnails.
  std::vector<RenditionSpec> renditions;
  std::vector<RenditionOrigin> origins;      // one per rendition
  std::map<std::string, std::string> files;  // URI -> playlist text (each rendition's is media_playlist(), and the master)
  std::string token;                         // the response's Token
  nlohmann::json response;                   // IMM response (without RequestId)
  std::vector<std::string> notes;            // what was left out and why (bitmap subtitles, ...)
  struct Variant {                           // an EXT-X-STREAM-INF line of the master
    size_t rendition;                        // index in renditions
    std::string relative_uri;
    int64_t extra = 0;                       // bit/s BANDWIDTH adds to the segments' (an alternate audio track)
  };
  std::vector<Variant> variants;
};

// `codecs_of` gives the RFC 6381 CODECS string of a rendition (it needs the
// encoder, so the caller supplies it). `subtitle_files`: the identity of each
// SourceSubtitles file, in order (the caller stats them).
GeneratedPlaylists generate_playlists(const PlaylistRequest& req, const MediaInfo& media, const EncoderConfig& enc,
                                      const std::function<std::string(const RenditionSpec&)>& codecs_of,
                                      const std::vector<SourceIdentity>& subtitle_files = {});

// Peak bit/s a rendition's segments may reach, for BANDWIDTH: from the
// requested bitrate, or a conservative estimate for CRF.
int64_t estimated_peak_bandwidth(const RenditionSpec& r);

}  // namespace hlsfs
