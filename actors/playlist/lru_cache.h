// A bounded cache that forgets the least recently used values first. The
// bound is a cost budget (the caller says what one value costs, e.g. its
// bytes), so a few large values and many small ones share one limit.
// Thread-safe: one mutex, held only for the map operations (values are
// shared_ptr, so a caller keeps what it got after an eviction).
#pragma once
#include <cstddef>
#include <list>
#include <memory>
#include <mutex>
#include <unordered_map>
#include <utility>

namespace hlsfs {

template <class Key, class Value>
class LruCache {
 public:
  explicit LruCache(size_t budget) : budget_(budget) {}

  // The value, now the most recently used; null when absent.
  std::shared_ptr<const Value> get(const Key& k) {
    std::lock_guard<std::mutex> lock(mu_);
    auto it = index_.find(k);
    if (it == index_.end()) return nullptr;
    order_.splice(order_.begin(), order_, it->second);
    return it->second->value;
  }

  // Inserts or replaces; evicts from the cold end until within the budget
  // (a value costing more than the whole budget is not kept).
  void put(const Key& k, std::shared_ptr<const Value> v, size_t cost) {
    std::lock_guard<std::mutex> lock(mu_);
    if (auto it = index_.find(k); it != index_.end()) {
      used_ -= it->second->cost;
      order_.erase(it->second);
      index_.erase(it);
    }
    if (cost > budget_) return;
    order_.push_front(Node{k, std::move(v), cost});
    index_[k] = order_.begin();
    used_ += cost;
    while (used_ > budget_ && !order_.empty()) {
      used_ -= order_.back().cost;
      index_.erase(order_.back().key);
      order_.pop_back();
    }
  }

  void erase(const Key& k) {
    std::lock_guard<std::mutex> lock(mu_);
    auto it = index_.find(k);
    if (it == index_.end()) return;
    used_ -= it->second->cost;
    order_.erase(it->second);
    index_.erase(it);
  }

  size_t size() const {
    std::lock_guard<std::mutex> lock(mu_);
    return index_.size();
  }
  size_t cost() const {
    std::lock_guard<std::mutex> lock(mu_);
    return used_;
  }
  size_t budget() const { return budget_; }

 private:
  struct Node {
    Key key;
    std::shared_ptr<const Value> value;
    size_t cost;
  };
  mutable std::mutex mu_;
  size_t budget_;
  size_t used_ = 0;
  std::list<Node> order_;  // most recent first
  std::unordered_map<Key, typename std::list<Node>::iterator> index_;
};

}  // namespace hlsfs
