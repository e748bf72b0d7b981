// The hot tier: segment files in cache_dir, and their records in the state
// store. A record without its file (deleted by hand, lost in a crash) is a
// missing segment; a file without a record is never served.
#pragma once
#include <cstdint>
#include <optional>
#include <string>

namespace hlsfs {

class StateStore;

class SegmentStore {
 public:
  SegmentStore(std::string cache_dir, StateStore& state);

  // cache_dir/<first 2 token chars>/<token>/<n>.ts
  std::string path_of(const std::string& token, uint32_t n) const;
  // Size of a segment that is really there; repairs the record when the file
  // vanished or changed behind our back.
  std::optional<int64_t> present(const std::string& token, uint32_t n);
  void record(const std::string& token, uint32_t n, int64_t size, const std::string& checksum);
  const std::string& dir() const { return dir_; }

 private:
  std::string dir_;
  StateStore& state_;
};

int64_t now_ms();

}  // namespace hlsfs
