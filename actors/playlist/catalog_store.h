// Where the catalog's index lives: an ordered key-value space (RocksDB's
// "catalog" family in hlsfsd, a std::map in tests and tools). The catalog
// defines the keys (catalog_keys.h); a store only keeps them in order.
#pragma once
#include <functional>
#include <map>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <utility>
#include <vector>

namespace hlsfs {

class CatalogStore {
 public:
  using Op = std::pair<std::string, std::optional<std::string>>;  // a put (value) or a delete (nullopt)
  virtual ~CatalogStore() = default;
  virtual std::optional<std::string> get(const std::string& key) = 0;
  // All or nothing.
  virtual void write(const std::vector<Op>& ops) = 0;
  // Keys starting with `prefix` and greater than `after` ("" = from the
  // first), in order; return false from cb to stop.
  virtual void scan(const std::string& prefix, const std::string& after,
                    const std::function<bool(const std::string& key, const std::string& value)>& cb) = 0;
};

// In memory (tests, tools that never restart).
class MemoryCatalogStore : public CatalogStore {
 public:
  std::optional<std::string> get(const std::string& key) override {
    std::lock_guard<std::mutex> lock(mu_);
    auto it = kv_.find(key);
    if (it == kv_.end()) return std::nullopt;
    return it->second;
  }
  void write(const std::vector<Op>& ops) override {
    std::lock_guard<std::mutex> lock(mu_);
    for (const auto& [k, v] : ops) {
      if (v) kv_[k] = *v;
      else kv_.erase(k);
    }
  }
  void scan(const std::string& prefix, const std::string& after,
            const std::function<bool(const std::string&, const std::string&)>& cb) override {
    std::vector<std::pair<std::string, std::string>> batch;
    std::string from = after.compare(prefix) > 0 ? after : prefix;
    bool skip_equal = !after.empty();
    while (true) {
      batch.clear();
      {
        std::lock_guard<std::mutex> lock(mu_);  // not held while cb runs: it may call back
        for (auto it = kv_.lower_bound(from); it != kv_.end() && batch.size() < 256; ++it) {
          if (it->first.compare(0, prefix.size(), prefix) != 0) break;
          if (skip_equal && it->first == from) continue;
          batch.emplace_back(it->first, it->second);
        }
      }
      if (batch.empty()) return;
      for (const auto& [k, v] : batch)
        if (!cb(k, v)) return;
      from = batch.back().first;
      skip_equal = true;
    }
  }

 private:
  std::mutex mu_;
  std::map<std::string, std::string> kv_;
};

// The "catalog" family of the daemon's state as a CatalogStore:
// state_catalog_store (actors/segment_cache/state_store.h).

}  // namespace hlsfs
