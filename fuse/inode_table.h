// Inode numbers for mount paths, with the kernel's lookup counts: every
// entry the adapter hands the kernel (a lookup's reply) counts one, every
// forget takes its count back, and a path whose count reaches 0 leaves the
// table (the kernel no longer knows it). So the table holds what the kernel
// holds, not every name ever looked up. Numbers come from a counter that is
// never reused: a path forgotten and looked up again gets a new number, and
// a stale number can never name another path. The root is 1, always.
// Each path is held once: the index by path keys on a view of the path its
// node holds (a node-based map never moves its elements). A crawl of
// 100,000 titles leaves 500,000 inodes while the kernel keeps their dentries:
// a second copy of every path cost about 30 MiB there.
#pragma once
#include <cstdint>
#include <mutex>
#include <optional>
#include <string>
#include <string_view>
#include <unordered_map>

namespace hlsfs {

class InodeTable {
 public:
  static constexpr uint64_t kRoot = 1;

  InodeTable() { ids_.emplace(by_id_.emplace(kRoot, Node{"", 0}).first->second.path, kRoot); }
  InodeTable(const InodeTable&) = delete;  // ids_ views paths in by_id_
  InodeTable& operator=(const InodeTable&) = delete;

  // A lookup of `path` is being answered: its number, its count plus one.
  uint64_t lookup(const std::string& path) {
    std::lock_guard<std::mutex> lock(mu_);
    auto it = ids_.find(path);
    uint64_t id;
    if (it != ids_.end()) {
      id = it->second;
    } else {
      id = next_++;
      ids_.emplace(by_id_.emplace(id, Node{path, 0}).first->second.path, id);
    }
    if (id != kRoot) ++by_id_.at(id).count;
    return id;
  }
  // The kernel forgot n lookups of id.
  void forget(uint64_t id, uint64_t n) {
    std::lock_guard<std::mutex> lock(mu_);
    if (id == kRoot) return;
    auto it = by_id_.find(id);
    if (it == by_id_.end()) return;
    it->second.count = n >= it->second.count ? 0 : it->second.count - n;
    if (it->second.count) return;
    ids_.erase(std::string_view(it->second.path));  // before the path it views goes
    by_id_.erase(it);
    // A hash map keeps the buckets of its largest size: 1.4 MiB for the
    // two maps after a crawl of 10,000 titles. Once the entries fill less
    // than an eighth of them, they are rehashed to fit the entries: a few
    // rehashes while the kernel forgets a crawl.
    if (by_id_.bucket_count() > 64 && by_id_.size() * 8 < by_id_.bucket_count()) {
      by_id_.rehash(0);
      ids_.rehash(0);
    }
  }
  std::optional<std::string> path_of(uint64_t id) const {
    std::lock_guard<std::mutex> lock(mu_);
    auto it = by_id_.find(id);
    if (it == by_id_.end()) return std::nullopt;
    return it->second.path;
  }
  // The number the kernel knows path by, if any (no count taken).
  std::optional<uint64_t> peek(const std::string& path) const {
    std::lock_guard<std::mutex> lock(mu_);
    auto it = ids_.find(path);
    if (it == ids_.end()) return std::nullopt;
    return it->second;
  }
  // Inodes known, the root included.
  size_t size() const {
    std::lock_guard<std::mutex> lock(mu_);
    return by_id_.size();
  }
  // Buckets of the table's hash maps (memory it holds beside the nodes).
  size_t buckets() const {
    std::lock_guard<std::mutex> lock(mu_);
    return by_id_.bucket_count() + ids_.bucket_count();
  }

 private:
  struct Node {
    std::string path;
    uint64_t count;  // lookups the kernel has not forgotten
  };
  mutable std::mutex mu_;
  uint64_t next_ = kRoot + 1;
  std::unordered_map<uint64_t, Node> by_id_;
  std::unordered_map<std::string_view, uint64_t> ids_;  // views of by_id_'s paths
};

}  // namespace hlsfs
