#include "actors/segment_cache/segment_store.h"

#include <sys/stat.h>
#include <unistd.h>

#include <atomic>
#include <cerrno>
#include <chrono>
#include <cstdio>
#include <cstring>
#include <stdexcept>

#include "actors/segment_cache/state_store.h"
#include "actors/storage/atomic_file.h"

namespace hlsfs {

int64_t now_ms() {
  return std::chrono::duration_cast<std::chrono::milliseconds>(std::chrono::system_clock::now().time_since_epoch())
      .count();
}

SegmentStore::SegmentStore(std::string cache_dir, StateStore& state) : dir_(std::move(cache_dir)), state_(state) {}

std::string SegmentStore::path_of(const std::string& token, uint32_t n) const {
  return dir_ + "/" + token.substr(0, 2) + "/" + token + "/" + std::to_string(n) + ".ts";
}

std::string SegmentStore::temp_path(const std::string& token, uint32_t n) const {
  static std::atomic<unsigned> counter{0};
  return temp_dir() + "/" + token + "-" + std::to_string(n) + "." + std::to_string(getpid()) + "." +
         std::to_string(counter++);
}

void SegmentStore::place(const std::string& temp, const std::string& token, uint32_t n) {
  const std::string area = temp_dir() + "/";
  if (temp.compare(0, area.size(), area) != 0 || temp.find('/', area.size()) != std::string::npos)
    throw std::runtime_error(temp + ": not a segment job's file in " + temp_dir());
  const std::string path = path_of(token, n);
  int rc = rename(temp.c_str(), path.c_str());
  if (rc != 0 && errno == ENOENT) {  // the first segment of its rendition here: its directory is made now
    try {
      make_dirs(path.substr(0, path.rfind('/')));
    } catch (const std::exception&) {
      unlink(temp.c_str());
      throw;
    }
    rc = rename(temp.c_str(), path.c_str());
  }
  if (rc != 0) {
    std::string why = path + ": cannot rename into place: " + strerror(errno);
    unlink(temp.c_str());
    throw std::runtime_error(why);
  }
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
