// Segments a reader has open through the mount: never evicted. Held by the
// segment cache (counted at OpenSegment and CloseSegment, asked when it
// evicts); the lock only makes it safe to read from elsewhere.
#pragma once
#include <cstdint>
#include <map>
#include <mutex>
#include <string>
#include <utility>

namespace hlsfs {

class OpenSegments {
 public:
  void opened(const std::string& token, uint32_t n) {
    std::lock_guard<std::mutex> lock(mu_);
    ++open_[{token, n}];
  }
  void closed(const std::string& token, uint32_t n) {
    std::lock_guard<std::mutex> lock(mu_);
    auto it = open_.find({token, n});
    if (it != open_.end() && --it->second <= 0) open_.erase(it);
  }
  bool is_open(const std::string& token, uint32_t n) const {
    std::lock_guard<std::mutex> lock(mu_);
    return open_.count({token, n}) > 0;
  }
  size_t count() const {  // segments open, each once
    std::lock_guard<std::mutex> lock(mu_);
    return open_.size();
  }

 private:
  mutable std::mutex mu_;
  std::map<std::pair<std::string, uint32_t>, int> open_;
};

}  // namespace hlsfs
