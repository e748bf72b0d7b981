#include "actors/library/library_names.h"

#include <algorithm>

namespace hlsfs {

namespace {

bool ends_with(const std::string& s, const std::string& tail) {
  return s.size() >= tail.size() && s.compare(s.size() - tail.size(), tail.size(), tail) == 0;
}

std::vector<std::string> split(const std::string& path) {
  std::vector<std::string> out;
  size_t at = 0;
  while (at <= path.size()) {
    size_t end = path.find('/', at);
    if (end == std::string::npos) end = path.size();
    out.push_back(path.substr(at, end - at));
    at = end + 1;
  }
  return out;
}

}  // namespace

bool is_video_name(const std::string& name, const LibrarySettings& s) {
  if (name.empty() || name[0] == '.') return false;
  auto dot = name.rfind('.');
  if (dot == std::string::npos || dot == 0 || dot + 1 == name.size()) return false;
  std::string ext = name.substr(dot + 1);
  std::transform(ext.begin(), ext.end(), ext.begin(), [](unsigned char c) { return static_cast<char>(std::tolower(c)); });
  return std::find(s.extensions.begin(), s.extensions.end(), ext) != s.extensions.end();
}

std::string title_dir_name(const std::string& file_name) { return file_name + kTitleSuffix; }

std::string LibraryPath::title_path() const { return store + "/" + key + kTitleSuffix; }

std::optional<LibraryPath> parse_library_path(const std::string& path, const std::string& store,
                                              const LibrarySettings& s) {
  std::vector<std::string> parts = split(path);
  if (parts.size() < 2 || parts[0] != store) return std::nullopt;
  LibraryPath out;
  out.store = store;
  std::string key;
  for (size_t i = 1; i < parts.size(); ++i) {
    const std::string& p = parts[i];
    if (p.empty() || p[0] == '.') return std::nullopt;  // hidden, ".", "..", "//"
    if (ends_with(p, kTitleSuffix)) {
      std::string file = p.substr(0, p.size() - std::string(kTitleSuffix).size());
      if (is_video_name(file, s)) {
        out.key = key + file;
        if (i + 1 == parts.size()) {
          out.kind = LibraryPath::title;
          return out;
        }
        // Inside a title: one name (the playlists and segments lie flat).
        if (i + 2 != parts.size()) return std::nullopt;
        out.kind = LibraryPath::inside_title;
        out.inside = parts[i + 1];
        return out;
      }
    }
    key += p;
    if (i + 1 < parts.size()) key += "/";
  }
  out.kind = LibraryPath::directory;
  out.key = key;
  return out;
}

std::vector<LibraryEntry> library_page(const std::string& dir_key, const std::vector<ListedFile>& files,
                                       const LibrarySettings& s, const std::function<bool(const ListedFile&)>& keep) {
  std::vector<LibraryEntry> out;
  for (const ListedFile& f : files) {
    if (f.key.compare(0, dir_key.size(), dir_key) != 0) continue;
    std::string name = f.key.substr(dir_key.size());
    if (name.empty() || name[0] == '.' || name.find('/') != std::string::npos) continue;
    if (f.is_dir) {
      if (ends_with(name, kTitleSuffix) && is_video_name(name.substr(0, name.size() - std::string(kTitleSuffix).size()), s))
        continue;  // its name is a title's
      out.push_back(LibraryEntry{name, name + "/"});
      continue;
    }
    if (!is_video_name(name, s)) continue;
    if (keep && !keep(f)) continue;
    out.push_back(LibraryEntry{title_dir_name(name), name});
  }
  return out;
}

}  // namespace hlsfs
