// A title as the bucket keeps it, so that any node of a cluster can serve it
// (issue 17): the same record the node's RocksDB holds (the playlists
// family's JSON: request, origin, encoder settings, source key) plus the
// probe it was planned from (the sources family's MediaInfo). Small (a few
// KiB; a two-hour title's ~20 KiB: its probe's keyframes packed,
// keyframe_pack.h, and a master's renditions of one source share one probe),
// versioned, and checked when read: the token is recomputed from the
// record and must match, so a record that does not describe its own segments
// (damaged, or written by an hlsfs whose plan differs) is refused.
//
// Where records lie (keys relative to the store; <dir> is the playlist's
// directory, "" or ending in '/'), every lookup one GET, never a LIST:
//   <dir>.hlsfs/<token>.json        a rendition, found by its segments' names
//   <dir>.hlsfs/<name>.m3u8.json    a media playlist or master, found by its path
//   <dir>.hlsfs/dir.json            a directory (any title under it; written
//                                   for the playlist's directory and each parent)
//   <dir>.hlsfs/used/<token>/<node>.json   a node's last use of its segments
#pragma once
#include <map>
#include <optional>
#include <stdexcept>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "actors/playlist/rendition.h"
#include "hlsfs/media_info.h"

namespace hlsfs {

struct TitleRecordError : std::runtime_error {
  using std::runtime_error::runtime_error;
};

// One rendition.
struct TitleRecord {
  static constexpr int kVersion = 2;  // written; 1 is read too
  std::string token;
  std::string store, playlist_key;  // where its playlist is (the store as named in the writer's config)
  nlohmann::json playlist_record;   // the RocksDB playlists value (version 1)
  std::string source_key;           // the RocksDB sources key of its probe
  nlohmann::json media;             // that probe (MediaInfo)
};

// A master playlist: its RocksDB record ({store, key, text, variants}) and
// the renditions it lists, so one GET brings the whole title.
struct MasterRecord {
  std::string state_key;  // "master:<token>"
  nlohmann::json record;
  std::vector<TitleRecord> renditions;
};

// Either kind, as read from the bucket.
struct BucketRecord {
  std::optional<TitleRecord> title;
  std::optional<MasterRecord> master;
};

std::string encode_title_record(const TitleRecord& r);
std::string encode_master_record(const MasterRecord& m);
// Throws TitleRecordError naming `what` (the object's key) on bad JSON, a
// missing field or a version this hlsfs does not read.
BucketRecord decode_bucket_record(const std::string& text, const std::string& what);

// The rendition the record describes, rebuilt as at generate (the plan from
// the probe and the request) and checked: its token must be the record's.
// Throws TitleRecordError naming `what`.
RenditionSpec verify_title_record(const TitleRecord& r, const MediaInfo& media, const std::string& what);
MediaInfo media_of(const TitleRecord& r, const std::string& what);

// One node's uses of one rendition's copies in the bucket (remote expiry
// across the cluster): segment -> last use, ms since the epoch.
struct UsageRecord {
  std::string node, token;
  std::map<uint32_t, int64_t> last_use;
};
std::string encode_usage_record(const UsageRecord& u);
UsageRecord decode_usage_record(const std::string& text, const std::string& what);  // throws TitleRecordError
// Keeps the later use of each segment.
void merge_usage(UsageRecord& into, const UsageRecord& from);

// ---- keys -----------------------------------------------------------------
inline const char* const kRecordFolder = ".hlsfs/";
std::string dir_of(const std::string& key);  // "out/a/x.m3u8" -> "out/a/"
std::string token_record_key(const std::string& dir, const std::string& token);
std::string playlist_record_key(const std::string& playlist_key);
std::string dir_record_key(const std::string& dir);
// The directory and each parent ("out/a/" -> "out/a/", "out/") whose
// dir.json a title under dir writes.
std::vector<std::string> dirs_up(const std::string& dir);
std::string usage_prefix(const std::string& dir, const std::string& token);
std::string usage_key(const std::string& dir, const std::string& token, const std::string& node);

// The record a lookup of `key` (relative to its store) would read: a segment
// name -> its token's record, a .m3u8 -> its playlist record, anything else
// -> the directory record of key as a directory. nullopt for names no record
// can describe (inside .hlsfs/, empty).
std::optional<std::string> record_key_for_lookup(const std::string& key);

}  // namespace hlsfs
