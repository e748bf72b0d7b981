#include "actors/playlist/catalog.h"

#include <cstring>
#include <mutex>

#include "actors/playlist/token.h"
#include "hlsfs/path_join.h"

namespace hlsfs {

namespace {
std::string parent_of(const std::string& path) {
  auto slash = path.rfind('/');
  return slash == std::string::npos ? "" : path.substr(0, slash);
}
std::string strip_slash(std::string s) {
  while (!s.empty() && s.back() == '/') s.pop_back();
  return s;
}
}  // namespace

Catalog::Catalog(std::vector<std::string> stores) {
  for (auto& s : stores) {
    stores_.insert(s);
    dirs_.insert(s);
  }
}

void Catalog::add_dirs(const std::string& path) {
  for (std::string d = parent_of(path); !d.empty(); d = parent_of(d)) dirs_.insert(d);
}

std::optional<Catalog::SegmentName> Catalog::parse_segment_name(const std::string& name) {
  auto ends_with = [&](const char* ext) {
    size_t n = strlen(ext);
    return name.size() > n && name.compare(name.size() - n, n, ext) == 0;
  };
  size_t ext = ends_with(".ts") ? 3 : ends_with(".vtt") ? 4 : 0;  // subtitle tracks' segments are WebVTT
  if (ext == 0 || name.size() < ext + 32 + 4) return std::nullopt;
  std::string stem = name.substr(0, name.size() - ext);
  auto dash = stem.rfind('-');
  if (dash == std::string::npos || dash + 1 == stem.size() || dash < 34) return std::nullopt;
  std::string num = stem.substr(dash + 1);
  if (num.size() > 9 || num.find_first_not_of("0123456789") != std::string::npos) return std::nullopt;
  if (num.size() > 1 && num[0] == '0') return std::nullopt;  // one spelling per segment
  std::string token = stem.substr(dash - 32, 32);
  if (!is_token(token) || stem[dash - 33] != '-') return std::nullopt;
  return SegmentName{stem.substr(0, dash - 33), token, static_cast<uint32_t>(std::stoul(num))};
}

void Catalog::publish(std::shared_ptr<const PublishedRendition> r, const std::string& playlist_text) {
  std::string dir = join_path(r->store, strip_slash(r->dir));
  std::string playlist = join_path(dir, r->spec.prefix_name() + ".m3u8");
  std::unique_lock lock(mu_);
  add_dirs(playlist);
  texts_[playlist] = std::make_shared<const std::string>(playlist_text);
  auto old = by_token_.find(r->spec.token);
  if (old == by_token_.end()) tokens_in_dir_.emplace(dir, r->spec.token);
  by_token_[r->spec.token] = std::move(r);
}

void Catalog::publish_text(const std::string& store, const std::string& key, const std::string& text) {
  std::string path = join_path(store, key);
  std::unique_lock lock(mu_);
  add_dirs(path);
  texts_[path] = std::make_shared<const std::string>(text);
}

CatalogEntry Catalog::resolve(const std::string& path) const {
  CatalogEntry e;
  std::shared_lock lock(mu_);
  if (path.empty() || dirs_.count(path)) {
    e.kind = CatalogEntry::directory;
    return e;
  }
  if (auto t = texts_.find(path); t != texts_.end()) {
    e.kind = CatalogEntry::text_file;
    e.text = t->second;
    return e;
  }
  std::string dir = parent_of(path), name = path.substr(dir.empty() ? 0 : dir.size() + 1);
  auto seg = parse_segment_name(name);
  if (!seg) return e;
  auto r = by_token_.find(seg->token);
  if (r == by_token_.end()) return e;
  const PublishedRendition& pr = *r->second;
  if (join_path(pr.store, strip_slash(pr.dir)) != dir || pr.spec.prefix_name() != seg->prefix) return e;
  if (seg->index >= pr.spec.plan.size() || pr.spec.segment_name(seg->index) != name) return e;
  e.kind = CatalogEntry::segment_file;
  e.rendition = r->second;
  e.segment = seg->index;
  return e;
}

std::vector<Catalog::Child> Catalog::list(const std::string& dir_path) const {
  std::vector<Child> out;
  std::shared_lock lock(mu_);
  std::string prefix = dir_path.empty() ? "" : dir_path + "/";
  for (auto it = dirs_.lower_bound(prefix); it != dirs_.end() && it->compare(0, prefix.size(), prefix) == 0; ++it)
    if (it->size() > prefix.size() && it->find('/', prefix.size()) == std::string::npos)
      out.push_back({it->substr(prefix.size()), CatalogEntry::directory});
  for (auto it = texts_.lower_bound(prefix); it != texts_.end() && it->first.compare(0, prefix.size(), prefix) == 0; ++it)
    if (it->first.find('/', prefix.size()) == std::string::npos)
      out.push_back({it->first.substr(prefix.size()), CatalogEntry::text_file});
  return out;
}

std::vector<std::shared_ptr<const PublishedRendition>> Catalog::renditions_in(const std::string& dir_path) const {
  std::vector<std::shared_ptr<const PublishedRendition>> out;
  std::shared_lock lock(mu_);
  auto range = tokens_in_dir_.equal_range(dir_path);
  for (auto it = range.first; it != range.second; ++it)
    if (auto r = by_token_.find(it->second); r != by_token_.end()) out.push_back(r->second);
  return out;
}

std::shared_ptr<const PublishedRendition> Catalog::by_token(const std::string& token) const {
  std::shared_lock lock(mu_);
  auto it = by_token_.find(token);
  return it == by_token_.end() ? nullptr : it->second;
}

size_t Catalog::rendition_count() const {
  std::shared_lock lock(mu_);
  return by_token_.size();
}

}  // namespace hlsfs
