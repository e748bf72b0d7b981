// The keys each thread wrote unsynced (write_unsynced) and has not flushed
// yet. sync() flushes the calling thread's keys alone, so flushes of
// concurrent generates overlap (the filesystem's journal joins their
// commits) and each caller waits for its own files only, and hears of its
// own failures only. A global list flushed by whoever came first either
// serialized every flush behind one lock, or let a caller whose keys another
// had taken return before they were durable.
// Header-only and pure: the plugin uses it, the unit tests test it.
#pragma once
#include <map>
#include <mutex>
#include <string>
#include <thread>
#include <vector>

namespace hlsfs_local {

class UnsyncedKeys {
 public:
  void add(std::string key) {
    std::lock_guard<std::mutex> lock(mutex_);
    by_thread_[std::this_thread::get_id()].push_back(std::move(key));
  }

  // The calling thread's keys, in the order written; the thread's list is
  // then empty. (A thread that wrote and ended without a sync leaves its
  // keys here; a later thread given the same id flushes them too: harmless.)
  std::vector<std::string> take_mine() {
    std::lock_guard<std::mutex> lock(mutex_);
    auto it = by_thread_.find(std::this_thread::get_id());
    if (it == by_thread_.end()) return {};
    std::vector<std::string> keys = std::move(it->second);
    by_thread_.erase(it);
    return keys;
  }

  size_t threads_waiting() const {
    std::lock_guard<std::mutex> lock(mutex_);
    return by_thread_.size();
  }

 private:
  mutable std::mutex mutex_;
  std::map<std::thread::id, std::vector<std::string>> by_thread_;
};

}  // namespace hlsfs_local
