#include "actors/playlist/catalog.h"

#include <algorithm>
#include <cstring>
#include <optional>

#include "actors/playlist/catalog_keys.h"
#include "actors/playlist/m3u8.h"
#include "actors/playlist/token.h"
#include "hlsfs/path_join.h"

namespace hlsfs {

using namespace catalog_keys;

namespace {
std::string parent_of(const std::string& path) {
  auto slash = path.rfind('/');
  return slash == std::string::npos ? "" : path.substr(0, slash);
}
std::string name_of(const std::string& path) {
  auto slash = path.rfind('/');
  return slash == std::string::npos ? path : path.substr(slash + 1);
}
std::string strip_slash(std::string s) {
  while (!s.empty() && s.back() == '/') s.pop_back();
  return s;
}

// What a cached value costs, about: the plan, the keyframe index (shared by
// a title's renditions, counted with each), the fixed parts.
size_t cost_of(const PublishedRendition& r) {
  size_t c = sizeof r + 512 + r.spec.plan.bounds().size() * sizeof(int64_t);
  if (r.media)
    for (const auto& s : r.media->streams) c += sizeof s + s.keyframes.size() * sizeof(Keyframe);
  return c;
}
size_t cost_of(const std::string& path, const std::string& text) { return text.size() + path.size() + 96; }

// Every directory above path (not path itself) as ops of the index.
void add_parent_dirs(const std::string& path, std::vector<CatalogStore::Op>& ops) {
  for (std::string d = parent_of(path); !d.empty(); d = parent_of(d))
    ops.emplace_back(child_key(parent_of(d), name_of(d)), std::string("d"));
}

CatalogEntry::Kind kind_of(const std::string& value) {
  if (value.empty()) return CatalogEntry::none;
  if (value[0] == 'd') return CatalogEntry::directory;
  if (value[0] == 't' || value[0] == 'r') return CatalogEntry::text_file;
  return CatalogEntry::none;  // written by a newer hlsfsd: not shown
}

// A derived playlist's index entry: its rendition's token, the text's size
// and the version of media_playlist() that made it.
std::string derived_entry(const std::string& token, size_t size) {
  return "r" + token + " " + std::to_string(size) + " m" + std::to_string(kMediaPlaylistFormat);
}

// A text entry's size as its index entry records it: a whole text ("t..."),
// or a derived playlist's "r<token> <size> m<format>" when that format is
// this build's media_playlist() (an older entry has none: its text is made).
std::optional<int64_t> recorded_size(const std::string& value) {
  if (value[0] == 't') return static_cast<int64_t>(value.size() - 1);
  const std::string tail = " m" + std::to_string(kMediaPlaylistFormat);
  if (value.size() < 35 + tail.size() || value[33] != ' ' ||
      value.compare(value.size() - tail.size(), tail.size(), tail) != 0)
    return std::nullopt;
  const std::string digits = value.substr(34, value.size() - tail.size() - 34);
  if (digits.empty() || digits.size() > 12 || digits.find_first_not_of("0123456789") != std::string::npos)
    return std::nullopt;
  return std::stoll(digits);
}
}  // namespace

Catalog::Catalog(std::vector<std::string> stores)
    : Catalog(std::move(stores), std::make_shared<MemoryCatalogStore>(), CatalogOptions{SIZE_MAX}) {}

Catalog::Catalog(std::vector<std::string> stores, std::shared_ptr<CatalogStore> store, CatalogOptions options)
    : stores_(stores.begin(), stores.end()),
      store_(std::move(store)),
      // Texts are the larger part (a 2-hour media playlist is ~40 KB): half each.
      renditions_(options.cache_bytes == SIZE_MAX ? SIZE_MAX : options.cache_bytes / 2),
      texts_(options.cache_bytes == SIZE_MAX ? SIZE_MAX : options.cache_bytes / 2) {
  if (auto n = store_->get(kCountKey)) count_ = std::stoull(*n);
}

void Catalog::set_loader(RenditionLoader loader) { loader_ = std::move(loader); }

std::optional<Catalog::SegmentName> Catalog::parse_segment_name(const std::string& name) {
  auto ends_with = [&](const char* ext) {
    size_t n = strlen(ext);
    return name.size() > n && name.compare(name.size() - n, n, ext) == 0;
  };
  // Subtitle tracks' segments are WebVTT, fMP4 renditions' .m4s, and their
  // init segment "-init.mp4" (kInitSegment); thumbnails tracks' sprite sheets .jpg.
  const bool init = ends_with("-init.mp4");
  size_t ext = init ? 9 : ends_with(".ts") ? 3 : ends_with(".vtt") || ends_with(".m4s") || ends_with(".jpg") ? 4 : 0;
  if (ext == 0) return std::nullopt;
  std::string stem = init ? name.substr(0, name.size() - ext + 1) + "0" : name.substr(0, name.size() - ext);
  if (stem.size() < 32 + 4) return std::nullopt;
  auto dash = stem.rfind('-');
  if (dash == std::string::npos || dash + 1 == stem.size() || dash < 34) return std::nullopt;
  std::string num = stem.substr(dash + 1);
  if (num.size() > 9 || num.find_first_not_of("0123456789") != std::string::npos) return std::nullopt;
  if (num.size() > 1 && num[0] == '0') return std::nullopt;  // one spelling per segment
  std::string token = stem.substr(dash - 32, 32);
  if (!is_token(token) || stem[dash - 33] != '-') return std::nullopt;
  return SegmentName{stem.substr(0, dash - 33), token, init ? kInitSegment : static_cast<uint32_t>(std::stoul(num))};
}

void Catalog::remember(const std::shared_ptr<const PublishedRendition>& r) const {
  renditions_.put(r->spec.token, r, cost_of(*r));
}

void Catalog::publish(std::shared_ptr<const PublishedRendition> r, const std::string& playlist_text, TextIs text_is) {
  std::string dir = join_path(r->store, strip_slash(r->dir));
  std::string playlist = join_path(dir, r->spec.playlist_name());
  // The text follows from the rendition when it is the usual one: the index
  // keeps the token and the size, not 40 KB per 2-hour playlist.
  bool derived = text_is == TextIs::derived || playlist_text == media_playlist(r->spec);
  std::vector<CatalogStore::Op> ops;
  add_parent_dirs(playlist, ops);
  ops.emplace_back(child_key(dir, name_of(playlist)),
                   derived ? derived_entry(r->spec.token, playlist_text.size()) : "t" + playlist_text);
  ops.emplace_back(rendition_key(dir, r->spec.token), std::string());
  remember(r);
  texts_.put(playlist, std::make_shared<const std::string>(playlist_text), cost_of(playlist, playlist_text));
  std::lock_guard<std::mutex> lock(write_mu_);
  bool is_new = !store_->get(rendition_key(dir, r->spec.token));
  if (is_new) ops.emplace_back(kCountKey, std::to_string(count_ + 1));
  store_->write(ops);
  if (is_new) ++count_;
}

void Catalog::publish_text(const std::string& store, const std::string& key, const std::string& text) {
  std::string path = join_path(store, key);
  std::vector<CatalogStore::Op> ops;
  add_parent_dirs(path, ops);
  ops.emplace_back(child_key(parent_of(path), name_of(path)), "t" + text);
  {
    std::lock_guard<std::mutex> lock(write_mu_);  // not between record_size's read and write
    store_->write(ops);
  }
  texts_.put(path, std::make_shared<const std::string>(text), cost_of(path, text));
}

void Catalog::unpublish(const std::string& path) {
  const std::string dir = parent_of(path), name = name_of(path);
  std::lock_guard<std::mutex> lock(write_mu_);
  texts_.erase(path);
  auto v = store_->get(child_key(dir, name));
  if (!v || kind_of(*v) != CatalogEntry::text_file) return;
  std::vector<CatalogStore::Op> ops{{child_key(dir, name), std::nullopt}};
  bool counted = false;
  if ((*v)[0] == 'r') {
    const std::string token = v->substr(1, 32);
    renditions_.erase(token);
    if (store_->get(rendition_key(dir, token))) {
      ops.emplace_back(rendition_key(dir, token), std::nullopt);
      if (count_ > 0) {
        ops.emplace_back(kCountKey, std::to_string(count_ - 1));
        counted = true;
      }
    }
  }
  store_->write(ops);
  if (counted) --count_;
}

std::shared_ptr<const PublishedRendition> Catalog::by_token(const std::string& token) const {
  if (auto r = renditions_.get(token)) return r;
  if (!loader_ || !is_token(token)) return nullptr;
  auto r = loader_(token);
  if (r) remember(r);
  return r;
}

std::shared_ptr<const std::string> Catalog::text_of(const std::string& path, const std::string& value) const {
  if (auto t = texts_.get(path)) return t;
  std::shared_ptr<const std::string> text;
  if (value[0] == 't') {
    text = std::make_shared<const std::string>(value.substr(1));
  } else {
    auto r = by_token(value.substr(1, 32));
    if (!r) return nullptr;
    text = std::make_shared<const std::string>(media_playlist(r->spec));
  }
  texts_.put(path, text, cost_of(path, *text));
  return text;
}

void Catalog::record_size(const std::string& path, const std::string& old_value, size_t size) const {
  if (old_value.size() < 33 || old_value[0] != 'r') return;
  const std::string key = child_key(parent_of(path), name_of(path));
  std::lock_guard<std::mutex> lock(write_mu_);
  if (store_->get(key) != old_value) return;  // republished or unpublished meanwhile: that write stands
  store_->write({{key, derived_entry(old_value.substr(1, 32), size)}});
}

CatalogEntry Catalog::entry_of(const std::string& path, const std::string& value, bool attributes_only) const {
  CatalogEntry e;
  switch (kind_of(value)) {
    case CatalogEntry::directory:
      e.kind = CatalogEntry::directory;
      break;
    case CatalogEntry::text_file: {
      const auto size = recorded_size(value);
      if (attributes_only && size) {
        e.kind = CatalogEntry::text_file;
        e.size = *size;
        break;
      }
      if ((e.text = text_of(path, value))) {
        e.kind = CatalogEntry::text_file;
        e.size = static_cast<int64_t>(e.text->size());
        if (!size) record_size(path, value, e.text->size());  // the next stat makes nothing
      }
      break;
    }
    default:
      break;
  }
  return e;
}

CatalogEntry Catalog::resolve_segment(const std::string& dir, const std::string& name) const {
  CatalogEntry e;
  auto seg = parse_segment_name(name);
  if (!seg) return e;
  auto r = by_token(seg->token);
  if (!r) return e;
  const PublishedRendition& pr = *r;
  if (join_path(pr.store, strip_slash(pr.dir)) != dir || pr.spec.prefix_name() != seg->prefix) return e;
  if (!pr.spec.has_segment(seg->index) || pr.spec.segment_name(seg->index) != name) return e;
  e.kind = CatalogEntry::segment_file;
  e.rendition = std::move(r);
  e.segment = seg->index;
  return e;
}

void Catalog::publish_dir(const std::string& path) {
  if (path.empty() || stores_.count(path)) return;
  std::vector<CatalogStore::Op> ops;
  add_parent_dirs(path, ops);
  ops.emplace_back(child_key(parent_of(path), name_of(path)), std::string("d"));
  std::lock_guard<std::mutex> lock(write_mu_);  // not between record_size's read and write
  store_->write(ops);
}

std::vector<std::string> Catalog::withdraw(const std::string& dir_path, std::vector<std::string>* master_keys) {
  std::vector<std::string> tokens;
  if (dir_path.empty() || stores_.count(dir_path)) return tokens;
  std::vector<CatalogStore::Op> ops{{child_key(parent_of(dir_path), name_of(dir_path)), std::nullopt}};
  std::vector<std::string> dirs{dir_path};
  for (size_t i = 0; i < dirs.size(); ++i) {  // the directory and every one below it
    const std::string dir = dirs[i];
    const std::string children = children_prefix(dir), renditions = renditions_prefix(dir);
    store_->scan(children, "", [&](const std::string& key, const std::string& value) {
      std::string path = join_path(dir, key.substr(children.size()));
      if (kind_of(value) == CatalogEntry::directory) dirs.push_back(path);
      texts_.erase(path);
      ops.emplace_back(key, std::nullopt);
      return true;
    });
    store_->scan(renditions, "", [&](const std::string& key, const std::string&) {
      tokens.push_back(key.substr(renditions.size()));
      ops.emplace_back(key, std::nullopt);
      return true;
    });
  }
  for (const auto& t : tokens) {
    renditions_.erase(t);
    store_->scan(masters_prefix(t), "", [&](const std::string& key, const std::string&) {
      if (master_keys) master_keys->push_back(key.substr(masters_prefix(t).size()));
      ops.emplace_back(key, std::nullopt);
      return true;
    });
  }
  std::lock_guard<std::mutex> lock(write_mu_);
  if (!tokens.empty()) ops.emplace_back(kCountKey, std::to_string(count_ >= tokens.size() ? count_ - tokens.size() : 0));
  store_->write(ops);
  count_ = count_ >= tokens.size() ? count_ - tokens.size() : 0;
  return tokens;
}

CatalogEntry Catalog::resolve(const std::string& path, Want want) const {
  CatalogEntry e;
  if (path.empty() || stores_.count(path)) {
    e.kind = CatalogEntry::directory;
    return e;
  }
  if (auto t = texts_.get(path)) {
    e.kind = CatalogEntry::text_file;
    e.size = static_cast<int64_t>(t->size());
    e.text = std::move(t);
    return e;
  }
  std::string dir = parent_of(path), name = name_of(path);
  // Segments are not in the index (a rendition names them all): their token
  // says which rendition, and that one is usually in memory.
  if (parse_segment_name(name)) {
    e = resolve_segment(dir, name);
    if (e.kind != CatalogEntry::none) return e;
  }
  if (auto v = store_->get(child_key(dir, name))) return entry_of(path, *v, want == Want::attributes);
  return e;
}

std::vector<Catalog::Child> Catalog::list_page(const std::string& dir_path, const std::string& after,
                                               size_t max) const {
  std::vector<Child> out;
  const std::string prefix = children_prefix(dir_path);
  std::vector<std::string> roots;  // the root lists the configured stores, indexed or not
  if (dir_path.empty())
    for (const auto& s : stores_)
      if (s > after) roots.push_back(s);
  size_t next_root = 0;
  auto emit_roots_before = [&](const std::string* name) {
    while (next_root < roots.size() && out.size() < max && (!name || roots[next_root] < *name))
      out.push_back({roots[next_root++], CatalogEntry::directory});
  };
  if (max == 0) return out;
  store_->scan(prefix, after.empty() ? "" : prefix + after, [&](const std::string& key, const std::string& value) {
    std::string name = key.substr(prefix.size());
    emit_roots_before(&name);
    if (out.size() >= max) return false;
    if (next_root < roots.size() && roots[next_root] == name) ++next_root;  // indexed and configured: once
    CatalogEntry::Kind k = kind_of(value);
    if (k != CatalogEntry::none) out.push_back({std::move(name), k});
    return out.size() < max;
  });
  emit_roots_before(nullptr);
  return out;
}

std::vector<Catalog::Child> Catalog::list(const std::string& dir_path) const {
  std::vector<Child> out;
  std::string after;
  while (true) {
    auto page = list_page(dir_path, after, 1024);
    if (page.empty()) return out;
    after = page.back().name;
    for (auto& c : page) out.push_back(std::move(c));
  }
}

std::vector<std::string> Catalog::tokens_in(const std::string& dir_path, const std::string& after, size_t max) const {
  std::vector<std::string> out;
  if (max == 0) return out;
  const std::string prefix = renditions_prefix(dir_path);
  store_->scan(prefix, after.empty() ? "" : prefix + after, [&](const std::string& key, const std::string&) {
    out.push_back(key.substr(prefix.size()));
    return out.size() < max;
  });
  return out;
}

std::vector<std::shared_ptr<const PublishedRendition>> Catalog::renditions_in(const std::string& dir_path) const {
  std::vector<std::shared_ptr<const PublishedRendition>> out;
  std::string after;
  while (true) {
    auto tokens = tokens_in(dir_path, after, 256);
    if (tokens.empty()) return out;
    after = tokens.back();
    for (const auto& t : tokens)
      if (auto r = by_token(t)) out.push_back(std::move(r));
  }
}

Catalog::CacheStats Catalog::cache_stats() const {
  return CacheStats{renditions_.size(), texts_.size(), renditions_.cost() + texts_.cost()};
}

}  // namespace hlsfs
