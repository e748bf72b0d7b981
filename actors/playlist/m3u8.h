// Playlist text. Media playlists are VOD, exact (EXTINF = the frames the
// segment holds) and complete before any segment exists.
#pragma once
#include <string>
#include <vector>

#include "actors/playlist/rendition.h"

namespace hlsfs {

// A thumbnails track's is its WebVTT file (thumbnails.h).
std::string media_playlist(const RenditionSpec& r);
// The version of media_playlist()'s bytes. The catalog records a published
// playlist's size with it and answers a stat from that record alone (a
// crawl makes no text); a record of another version is not trusted. Bump it
// whenever media_playlist() writes other bytes for the same rendition: a
// unit test pins its output (M3u8.MediaPlaylistBytesArePinned).
constexpr int kMediaPlaylistFormat = 1;

// HLS wants EXTINF rounded to the nearest integer <= TARGETDURATION.
int target_duration(const SegmentPlan& plan);

struct MasterEntry {
  const RenditionSpec* rendition;
  std::string relative_uri;  // media playlist relative to the master
  int64_t bandwidth;         // peak bit/s
  int64_t average_bandwidth;
  std::string codecs;        // RFC 6381, e.g. "avc1.640028,mp4a.40.2"
  bool demuxed_audio = false;  // video only: its audio is the group's renditions (AUDIO="audio")
};
// An EXT-X-MEDIA line: an audio track of the group "audio" (URI empty: the
// track muxed into the variants) or a subtitle track of the group "subs".
struct MediaEntry {
  std::string type = "AUDIO";
  std::string name, language;  // language may be empty
  bool is_default = false;
  std::string relative_uri;
};
std::string master_playlist(const std::vector<MasterEntry>& entries, const std::vector<MediaEntry>& media = {});

// The NAME of a track: its title, else its language's English name, else
// "<kind> <n>"; `taken` keeps names unique within the master.
std::string track_name(const std::string& title, const std::string& language, const std::string& kind, int n,
                       std::vector<std::string>& taken);

// The relative path from the directory of `from_uri` to `to_uri` (both
// URIs of the same scheme/bucket; `to` lies in from's directory or below).
std::string relative_uri(const std::string& from_uri, const std::string& to_uri);

}  // namespace hlsfs
