// One page of a directory read in no order (readdir): the `max` entries
// that come first after a cursor, in order, holding never more than max of
// them however large the directory (list_dir of include/hlsfs/backend.h).
// Header-only and pure: the plugin uses it, the unit tests test it.
#pragma once
#include <cstddef>
#include <map>
#include <string>
#include <utility>
#include <vector>

namespace hlsfs_local {

template <typename T>
class PageSelect {
 public:
  // Entries ordered after `after` ("" from the start), at most max (>= 1).
  PageSelect(std::string after, size_t max) : after_(std::move(after)), max_(max < 1 ? 1 : max) {}

  // order: the entry's place (a name; a directory's as name + "/"). Names
  // are unique in a directory: an equal order replaces.
  void offer(const std::string& order, T value) {
    if (!after_.empty() && order <= after_) return;
    if (kept_.size() == max_) {
      auto last = std::prev(kept_.end());
      if (order >= last->first) {
        more_ = true;
        return;
      }
      kept_.erase(last);
      more_ = true;
    }
    kept_[order] = std::move(value);
  }
  // true when an entry after the page's last was seen (another page follows).
  bool more() const { return more_; }
  // The page, in order.
  std::vector<std::pair<std::string, T>> take() {
    std::vector<std::pair<std::string, T>> out(std::make_move_iterator(kept_.begin()),
                                               std::make_move_iterator(kept_.end()));
    kept_.clear();
    return out;
  }

 private:
  std::string after_;
  size_t max_;
  std::map<std::string, T> kept_;
  bool more_ = false;
};

}  // namespace hlsfs_local
