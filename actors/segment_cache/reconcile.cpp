#include "actors/segment_cache/reconcile.h"

#include <sys/stat.h>

#include <filesystem>
#include <set>
#include <string>
#include <vector>

#include "actors/playlist/token.h"
#include "actors/segment_cache/segment_store.h"
#include "actors/segment_cache/state_store.h"

namespace hlsfs {

ReconcileReport reconcile_cache(StateStore& state, SegmentStore& segments) {
  namespace fs = std::filesystem;
  ReconcileReport r;
  std::set<std::string> wanted;  // paths of records whose file is right
  std::vector<std::pair<std::string, uint32_t>> drop;
  state.for_each_segment("", [&](const std::string& token, uint32_t n, const SegmentRecord& rec) {
    if (!(rec.where & SegmentRecord::kLocal)) return true;
    std::string path = segments.path_of(token, n);
    struct stat st {};
    if (stat(path.c_str(), &st) == 0 && st.st_size == rec.size) {
      wanted.insert(path);
      ++r.segments_kept;
    } else {
      drop.emplace_back(token, n);
    }
    return true;
  });
  for (const auto& [token, n] : drop) {
    state.delete_segment(token, n);
    ++r.records_dropped;
  }
  std::error_code ec;
  if (!fs::exists(segments.dir(), ec)) return r;
  std::vector<fs::path> strays;
  for (auto it = fs::recursive_directory_iterator(segments.dir(), ec); !ec && it != fs::recursive_directory_iterator();
       it.increment(ec)) {
    if (!it->is_regular_file(ec)) continue;
    if (!wanted.count(it->path().string())) strays.push_back(it->path());
  }
  for (const auto& p : strays) {
    r.bytes_removed += static_cast<int64_t>(fs::file_size(p, ec));
    if (fs::remove(p, ec)) ++r.files_removed;
  }
  // Empty token directories left behind.
  for (auto it = fs::directory_iterator(segments.dir(), ec); !ec && it != fs::directory_iterator(); it.increment(ec)) {
    if (!it->is_directory(ec)) continue;
    for (auto t = fs::directory_iterator(it->path(), ec); !ec && t != fs::directory_iterator(); t.increment(ec))
      if (t->is_directory(ec) && fs::is_empty(t->path(), ec)) fs::remove(t->path(), ec);
  }
  return r;
}

}  // namespace hlsfs
