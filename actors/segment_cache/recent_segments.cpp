#include "actors/segment_cache/recent_segments.h"

namespace hlsfs {

void RecentSegments::add(SegmentEvent m) {
  std::lock_guard<std::mutex> lock(mu_);
  m.id = next_id_++;
  ring_.push_back(std::move(m));
  while (ring_.size() > capacity_) ring_.pop_front();
}

std::vector<SegmentEvent> RecentSegments::after(uint64_t after, const std::string& token) const {
  std::lock_guard<std::mutex> lock(mu_);
  std::vector<SegmentEvent> out;
  for (const auto& m : ring_)
    if (m.id > after && (token.empty() || m.token == token)) out.push_back(m);
  return out;
}

}  // namespace hlsfs
