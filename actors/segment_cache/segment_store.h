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
  // Only the segment cache (the owner) creates names in cache_dir: a job
  // writes the segment it made to a new name in the temp area
  // (cache_dir/.tmp/<token>-<n>.<pid>.<count>, written and fsynced) and hands
  // that name back; the owner renames it into path_of (place). A temp file
  // left by a crash has no record: reconcile_cache removes it at start.
  std::string temp_path(const std::string& token, uint32_t n) const;
  // Renames a job's temp file into path_of(token, n), making its directory.
  // Throws std::runtime_error naming the file (the temp file removed) when
  // it cannot, or when `temp` is not in the temp area.
  void place(const std::string& temp, const std::string& token, uint32_t n);
  std::string temp_dir() const { return dir_ + "/.tmp"; }
  const std::string& dir() const { return dir_; }

 private:
  std::string dir_;
  StateStore& state_;
};

int64_t now_ms();

}  // namespace hlsfs
