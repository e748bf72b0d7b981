// What the mount shows: every published playlist, master and segment name,
// by path under the mount ("media/out/movie/720p-<token>-3.ts"). Published by
// the playlist actor, read by the FUSE adapter and the transcoder workers from
// any thread (read-mostly: a shared mutex, entries are immutable).
#pragma once
#include <map>
#include <memory>
#include <optional>
#include <set>
#include <shared_mutex>
#include <string>
#include <vector>

#include "actors/playlist/rendition.h"
#include "hlsfs/media_info.h"

namespace hlsfs {

struct PublishedRendition {
  RenditionSpec spec;
  std::shared_ptr<const MediaInfo> media;
  std::string store;         // where the playlist and segments appear
  std::string dir;           // key of the directory holding them, "" or ending in '/'
  std::string source_store;  // where the source is read
  std::string source_key;
};

struct CatalogEntry {
  enum Kind { none, directory, text_file, segment_file } kind = none;
  std::shared_ptr<const std::string> text;                 // playlist bytes (kind text)
  std::shared_ptr<const PublishedRendition> rendition;     // kind segment
  uint32_t segment = 0;
};

class Catalog {
 public:
  explicit Catalog(std::vector<std::string> stores);

  void publish(std::shared_ptr<const PublishedRendition> r, const std::string& playlist_text);
  void publish_text(const std::string& store, const std::string& key, const std::string& text);

  // path: relative to the mount, no leading '/'. "" is the root.
  CatalogEntry resolve(const std::string& path) const;
  struct Child {
    std::string name;
    CatalogEntry::Kind kind;
  };
  // Directories and text files under a directory path (segments are not
  // listed here: the FUSE adapter adds the ones that exist in the cache).
  std::vector<Child> list(const std::string& dir_path) const;
  // Renditions whose segments live in this directory.
  std::vector<std::shared_ptr<const PublishedRendition>> renditions_in(const std::string& dir_path) const;
  std::shared_ptr<const PublishedRendition> by_token(const std::string& token) const;
  size_t rendition_count() const;

  // "720p-<32 hex>-12.ts" -> {"720p", token, 12}.
  struct SegmentName {
    std::string prefix, token;
    uint32_t index;
  };
  static std::optional<SegmentName> parse_segment_name(const std::string& name);

 private:
  void add_dirs(const std::string& path);  // every parent of path (not path itself)
  mutable std::shared_mutex mu_;
  std::set<std::string> stores_;
  std::set<std::string> dirs_;                                          // "media", "media/out", ...
  std::map<std::string, std::shared_ptr<const std::string>> texts_;     // full path -> bytes
  std::map<std::string, std::shared_ptr<const PublishedRendition>> by_token_;
  std::multimap<std::string, std::string> tokens_in_dir_;               // dir path -> token
};

}  // namespace hlsfs
