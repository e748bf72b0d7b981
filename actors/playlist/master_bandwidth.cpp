#include "actors/playlist/master_bandwidth.h"

#include <cmath>

namespace hlsfs {

void MasterIndex::add(const std::string& token, const MasterRef& ref) {
  std::lock_guard lock(mu_);
  for (auto [it, end] = refs_.equal_range(token); it != end; ++it)
    if (it->second.store == ref.store && it->second.key == ref.key) {
      it->second = ref;  // the same master generated again
      return;
    }
  refs_.emplace(token, ref);
}

std::vector<MasterRef> MasterIndex::of(const std::string& token) const {
  std::lock_guard lock(mu_);
  std::vector<MasterRef> out;
  for (auto [it, end] = refs_.equal_range(token); it != end; ++it) out.push_back(it->second);
  return out;
}

int64_t segment_bitrate(int64_t bytes, double seconds) {
  if (seconds <= 0) return 0;
  return static_cast<int64_t>(std::ceil(static_cast<double>(bytes) * 8.0 / seconds));
}

std::optional<std::string> raise_bandwidth(const std::string& text, const std::string& relative_uri, int64_t peak) {
  // The URI line, then the EXT-X-STREAM-INF line just before it.
  size_t uri = 0;
  while (true) {
    uri = text.find(relative_uri, uri);
    if (uri == std::string::npos) return std::nullopt;
    bool line_start = uri == 0 || text[uri - 1] == '\n';
    size_t after = uri + relative_uri.size();
    bool line_end = after == text.size() || text[after] == '\n' || text[after] == '\r';
    if (line_start && line_end) break;
    uri = after;
  }
  if (uri < 2) return std::nullopt;
  size_t inf = text.rfind('\n', uri - 2);
  inf = inf == std::string::npos ? 0 : inf + 1;
  static const std::string tag = "#EXT-X-STREAM-INF:";
  if (text.compare(inf, tag.size(), tag) != 0) return std::nullopt;
  // BANDWIDTH= as an attribute of its own (not AVERAGE-BANDWIDTH=).
  size_t at = inf + tag.size();
  while (true) {
    at = text.find("BANDWIDTH=", at);
    if (at == std::string::npos || at > uri) return std::nullopt;
    if (text[at - 1] == ':' || text[at - 1] == ',') break;
    at += 10;
  }
  size_t value = at + 10, end = value;
  while (end < text.size() && isdigit(static_cast<unsigned char>(text[end]))) ++end;
  if (end == value) return std::nullopt;
  if (std::stoll(text.substr(value, end - value)) >= peak) return std::nullopt;
  return text.substr(0, value) + std::to_string(peak) + text.substr(end);
}

}  // namespace hlsfs
