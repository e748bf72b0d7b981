// GenerateVideoPlaylist without I/O: request + probe -> renditions, the text
// of every playlist to write, and the IMM-shaped response. The daemon's
// playlist actor and `hlsfsctl render` both call this.
#pragma once
#include <functional>
#include <map>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "actors/playlist/m3u8.h"
#include "actors/playlist/rendition.h"
#include "actors/playlist/request.h"

namespace hlsfs {

struct GeneratedPlaylists {
  std::vector<RenditionSpec> renditions;     // in request order
  std::map<std::string, std::string> files;  // URI -> playlist text (media playlists and master)
  std::string token;                         // the response's Token
  nlohmann::json response;                   // IMM response (without RequestId)
};

// What is parsed but not built yet: a clear RequestError naming the field.
void check_supported(const PlaylistRequest& req);

// `codecs_of` gives the RFC 6381 CODECS string of a rendition (it needs the
// encoder, so the caller supplies it).
GeneratedPlaylists generate_playlists(const PlaylistRequest& req, const MediaInfo& media, const EncoderConfig& enc,
                                      const std::function<std::string(const RenditionSpec&)>& codecs_of);

// Peak bit/s a rendition's segments may reach, for BANDWIDTH: from the
// requested bitrate, or a conservative estimate for CRF.
int64_t estimated_peak_bandwidth(const RenditionSpec& r);

}  // namespace hlsfs
