#include "daemon/imm/nonce_cache.h"

#include "daemon/imm/request_time.h"

namespace hlsfs::imm {

void NonceCache::drop_expired(std::time_t now) {
  while (!by_expiry_.empty() && by_expiry_.begin()->first < now) {
    expiry_.erase(by_expiry_.begin()->second);
    by_expiry_.erase(by_expiry_.begin());
  }
}

NonceCache::Result NonceCache::record(const std::string& access_key_id, const std::string& nonce,
                                      std::time_t request_time, std::time_t now) {
  // The id's length first: "ab"+"c" and "a"+"bc" are different keys.
  std::string key = std::to_string(access_key_id.size()) + ":" + access_key_id + nonce;
  std::lock_guard<std::mutex> lock(mu_);
  drop_expired(now);
  if (expiry_.count(key)) return Result::used;
  if (expiry_.size() >= capacity_) return Result::full;
  // A request with this time is accepted until request_time + window.
  std::time_t until = request_time + kRequestWindowSeconds;
  expiry_.emplace(key, until);
  by_expiry_.emplace(until, key);
  return Result::fresh;
}

size_t NonceCache::size() const {
  std::lock_guard<std::mutex> lock(mu_);
  return expiry_.size();
}

}  // namespace hlsfs::imm
