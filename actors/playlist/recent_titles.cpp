#include "actors/playlist/recent_titles.h"

namespace hlsfs {

void RecentTitles::add(TitleEvent t) {
  std::lock_guard lock(mu_);
  ring_.push_back(std::move(t));
  while (ring_.size() > capacity_) ring_.pop_front();
}

std::vector<TitleEvent> RecentTitles::newest_first() const {
  std::lock_guard lock(mu_);
  return {ring_.rbegin(), ring_.rend()};
}

}  // namespace hlsfs
