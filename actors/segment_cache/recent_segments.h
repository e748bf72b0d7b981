// The last segments made, for the player page's live readout ("made on
// demand in 0.8 s while you waited" vs "from cache, made ahead by
// prefetch") and for operators (GET /v1/events). A bounded ring, thread-safe:
// the segment cache actor appends, the control API reads.
#pragma once
#include <cstdint>
#include <deque>
#include <map>
#include <mutex>
#include <string>
#include <vector>

namespace hlsfs {

struct SegmentEvent {  // one segment made
  uint64_t id = 0;          // increasing; ask for events after the last id seen
  int64_t time_ms = 0;      // unix ms when it was ready
  std::string token;
  uint32_t n = 0;
  double seconds = 0;       // transcode time
  int64_t bytes = 0;
  int readers_waited = 0;   // readers that were waiting for it (0: made ahead)
  std::string why;          // "on-demand", "prefetch" or "initial"
  std::map<std::string, std::string> tags;  // its request's Tags
  std::string user_data;                    // and UserData
};

class RecentSegments {
 public:
  explicit RecentSegments(size_t capacity = 1024) : capacity_(capacity) {}
  void add(SegmentEvent m);  // sets m.id
  // Events with id > after, oldest first; only `token`'s when not empty.
  std::vector<SegmentEvent> after(uint64_t after, const std::string& token = "") const;

 private:
  mutable std::mutex mu_;
  size_t capacity_;
  uint64_t next_id_ = 1;
  std::deque<SegmentEvent> ring_;
};

}  // namespace hlsfs
