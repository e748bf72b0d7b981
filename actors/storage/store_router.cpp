#include "actors/storage/store_router.h"

namespace hlsfs {

bool is_clean_key(const std::string& key) {
  if (key.empty() || key[0] == '/') return false;
  // A NUL would cut the key in the plugin ABI; control characters have no
  // place in a name that also becomes a playlist line.
  for (char c : key)
    if (static_cast<unsigned char>(c) < 0x20 || c == 0x7f) return false;
  size_t start = 0;
  while (start <= key.size()) {
    size_t slash = key.find('/', start);
    std::string part = key.substr(start, slash == std::string::npos ? std::string::npos : slash - start);
    if (part.empty() || part == "." || part == "..") return false;
    if (slash == std::string::npos) break;
    start = slash + 1;
  }
  return true;
}

void StoreRouter::add_local(const std::string& store, const std::string& root) {
  std::string base = root;
  if (base.empty() || base.back() != '/') base += '/';
  routes_.push_back({store, "file", base});
}

void StoreRouter::add_bucket(const std::string& store, const std::string& scheme, const std::string& bucket,
                             const std::string& prefix) {
  std::string base = bucket + "/" + prefix;
  if (base.back() != '/') base += '/';
  routes_.push_back({store, scheme, base});
}

std::optional<StoreLocation> StoreRouter::locate(const std::string& uri) const {
  auto sep = uri.find("://");
  if (sep == std::string::npos) return std::nullopt;
  std::string scheme = uri.substr(0, sep), rest = uri.substr(sep + 3);
  const Route* best = nullptr;
  for (const auto& r : routes_)
    if (r.scheme == scheme && rest.compare(0, r.base.size(), r.base) == 0 && (!best || r.base.size() > best->base.size()))
      best = &r;
  if (!best) return std::nullopt;
  std::string key = rest.substr(best->base.size());
  if (!is_clean_key(key)) return std::nullopt;
  return StoreLocation{best->store, key};
}

std::optional<std::string> StoreRouter::uri_of(const StoreLocation& loc) const {
  for (const auto& r : routes_)
    if (r.store == loc.store) return r.scheme + "://" + r.base + loc.key;
  return std::nullopt;
}

std::string StoreRouter::describe() const {
  std::string out;
  for (const auto& r : routes_)
    out += (out.empty() ? "" : ", ") + r.store + " -> " + r.scheme + "://" + r.base;
  return out.empty() ? "no stores" : out;
}

}  // namespace hlsfs
