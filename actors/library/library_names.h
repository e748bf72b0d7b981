// How a library's files appear in the mount. A video file <dir>/a.mkv of
// library store `movies` is the directory <mount>/movies/<dir>/a.mkv.hls/
// holding master.m3u8, one <height>p.m3u8 per rendition (and its segments),
// and the master's audio and subtitle tracks. Plain directories of the store
// appear as directories; other files do not appear at all.
#pragma once
#include <functional>
#include <optional>
#include <string>
#include <vector>

#include "actors/library/library_settings.h"

namespace hlsfs {

constexpr const char* kTitleSuffix = ".hls";
constexpr const char* kMasterName = "master.m3u8";

// By extension, case-insensitive; hidden names (".x") never.
bool is_video_name(const std::string& name, const LibrarySettings& s);
// "a.mkv" -> "a.mkv.hls"
std::string title_dir_name(const std::string& file_name);

// A mount path under a library store, taken apart.
struct LibraryPath {
  enum Kind {
    directory,     // a plain directory of the store: key
    title,         // <key>.hls, the title of the video file key
    inside_title,  // <key>.hls/<inside>
  } kind = directory;
  std::string store;
  std::string key;     // store key of the directory, or of the video file
  std::string inside;  // inside_title: what follows "<key>.hls/"
  // The mount path of the title's directory ("movies/dir/a.mkv.hls").
  std::string title_path() const;
};

// path: relative to the mount ("movies/dir/a.mkv.hls/master.m3u8"). nullopt
// for paths outside `store`, the store's root itself, and names no library
// file could have (hidden elements, a ".hls" whose stem is not a video name).
std::optional<LibraryPath> parse_library_path(const std::string& path, const std::string& store,
                                              const LibrarySettings& s);

// One entry of the store's one-level listing of a library directory
// (Backend::list_dir): a file with its version, or a subdirectory.
struct ListedFile {
  std::string key;  // relative to the store
  bool is_dir = false;
  int64_t size = 0;
  int64_t mtime_ns = 0;
  std::string etag;
  uint64_t ino = 0;
  int64_t ctime_ns = 0;
};

// What the mount shows of one listed entry, with the store's cursor after it.
struct LibraryEntry {
  std::string name;   // "sub", or "a.mkv.hls" for the video file a.mkv
  std::string after;  // the store listing's cursor after it ("sub/", "a.mkv")
  bool operator==(const LibraryEntry& o) const { return name == o.name && after == o.after; }
};

// One page of a library directory as the mount shows it, from one page of
// its store listing under `dir_key` ("" or "a/b/"), in the store's order:
// its subdirectories (a directory holding nothing playable is shown too: no
// file is opened to list) and a "<name>.hls" directory per video file
// `keep` accepts (false: remembered as broken). Hidden names never; a
// subdirectory named like a title ("x.mkv.hls") neither: that name is the
// title's (parse_library_path).
std::vector<LibraryEntry> library_page(const std::string& dir_key, const std::vector<ListedFile>& files,
                                       const LibrarySettings& s,
                                       const std::function<bool(const ListedFile&)>& keep = {});

}  // namespace hlsfs
