// The signature nonces seen lately, so that a captured request cannot be
// sent again: a nonce is remembered until its request's own time leaves the
// 15-minute window (after that the timestamp check refuses the replay), so
// memory holds at most the nonces of one window. Bounded: when `capacity`
// nonces are all still in their window, a new one is refused (the caller
// answers Throttling) rather than forgetting one that could be replayed.
// Only requests whose signature checked are recorded, so only key holders
// can fill it. Thread-safe.
#pragma once
#include <cstddef>
#include <ctime>
#include <mutex>
#include <set>
#include <string>
#include <unordered_map>
#include <utility>

namespace hlsfs::imm {

class NonceCache {
 public:
  enum class Result { fresh, used, full };

  explicit NonceCache(size_t capacity = 200000) : capacity_(capacity) {}

  // Records `nonce` of `access_key_id` (nonces are per key) for a request
  // made at `request_time`; `now` drops the entries whose window is over.
  Result record(const std::string& access_key_id, const std::string& nonce, std::time_t request_time,
                std::time_t now);
  size_t size() const;

 private:
  void drop_expired(std::time_t now);

  size_t capacity_;
  mutable std::mutex mu_;
  std::unordered_map<std::string, std::time_t> expiry_;    // key -> when it may be forgotten
  std::set<std::pair<std::time_t, std::string>> by_expiry_;
};

}  // namespace hlsfs::imm
