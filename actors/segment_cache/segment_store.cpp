#include "actors/segment_cache/segment_store.h"

#include <sys/stat.h>

#include <chrono>

#include "actors/segment_cache/state_store.h"

namespace hlsfs {

int64_t now_ms() {
  return std::chrono::duration_cast<std::chrono::milliseconds>(std::chrono::system_clock::now().time_since_epoch())
      .count();
}

SegmentStore::SegmentStore(std::string cache_dir, StateStore& state) : dir_(std::move(cache_dir)), state_(state) {}

std::string SegmentStore::path_of(const std::string& token, uint32_t n) const {
  return dir_ + "/" + token.substr(0, 2) + "/" + token + "/" + std::to_string(n) + ".ts";
}

std::optional<int64_t> SegmentStore::present(const std::string& token, uint32_t n) {
  auto rec = state_.get_segment(token, n);
  if (!rec || !(rec->where & 1)) return std::nullopt;
  struct stat st {};
  if (stat(path_of(token, n).c_str(), &st) != 0 || st.st_size != rec->size) {
    try {
      state_.delete_segment(token, n);  // gone or altered: it will be made again
    } catch (const StateError&) {
      // The state cannot be written (said once by the store): the record
      // stays, the segment is made again all the same.
    }
    return std::nullopt;
  }
  return rec->size;
}

void SegmentStore::record(const std::string& token, uint32_t n, int64_t size, const std::string& checksum) {
  SegmentRecord rec;
  rec.size = size;
  rec.checksum = checksum;
  rec.where = 1;
  rec.created_ms = rec.last_access_ms = now_ms();
  state_.put_segment(token, n, rec);
}

}  // namespace hlsfs
