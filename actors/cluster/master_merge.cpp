#include "actors/cluster/master_merge.h"

#include <cctype>

#include "actors/playlist/master_bandwidth.h"

namespace hlsfs {

namespace {

std::string trimmed(std::string line) {
  while (!line.empty() && (line.back() == '\r' || line.back() == ' ')) line.pop_back();
  return line;
}

// BANDWIDTH= as an attribute of its own (not AVERAGE-BANDWIDTH=); -1 none.
int64_t bandwidth_attribute(const std::string& line) {
  static const std::string name = "BANDWIDTH=";
  for (size_t at = line.find(name); at != std::string::npos; at = line.find(name, at + 1)) {
    if (at == 0 || (line[at - 1] != ':' && line[at - 1] != ',')) continue;
    size_t end = at + name.size();
    int64_t v = 0;
    bool digits = false;
    while (end < line.size() && std::isdigit(static_cast<unsigned char>(line[end])) && v < (INT64_MAX - 9) / 10) {
      v = v * 10 + (line[end++] - '0');
      digits = true;
    }
    return digits ? v : -1;
  }
  return -1;
}

}  // namespace

std::vector<std::pair<std::string, int64_t>> variant_bandwidths(const std::string& master) {
  std::vector<std::pair<std::string, int64_t>> out;
  int64_t pending = -1;  // the BANDWIDTH of an EXT-X-STREAM-INF waiting for its URI line
  size_t start = 0;
  while (start < master.size()) {
    size_t nl = master.find('\n', start);
    if (nl == std::string::npos) nl = master.size();
    const std::string line = trimmed(master.substr(start, nl - start));
    start = nl + 1;
    if (line.rfind("#EXT-X-STREAM-INF:", 0) == 0) {
      pending = bandwidth_attribute(line);
    } else if (!line.empty() && line[0] != '#') {
      if (pending >= 0) out.emplace_back(line, pending);
      pending = -1;
    }
  }
  return out;
}

std::optional<std::string> merge_raises(const std::string& base, const std::string& ours) {
  std::string text = base;
  bool raised = false;
  for (const auto& [uri, bandwidth] : variant_bandwidths(ours))
    if (auto r = raise_bandwidth(text, uri, bandwidth)) {
      text = std::move(*r);
      raised = true;
    }
  if (!raised) return std::nullopt;
  return text;
}

}  // namespace hlsfs
