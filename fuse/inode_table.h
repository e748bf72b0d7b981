// Inode numbers for mount paths. A path keeps its number for the life of the
// process (the kernel may hold it across forgets); the root is 1.
#pragma once
#include <cstdint>
#include <map>
#include <mutex>
#include <optional>
#include <string>
#include <vector>

namespace hlsfs {

class InodeTable {
 public:
  InodeTable() { paths_.push_back(""); paths_.push_back(""); ids_[""] = 1; }
  uint64_t id_of(const std::string& path) {
    std::lock_guard<std::mutex> lock(mu_);
    auto it = ids_.find(path);
    if (it != ids_.end()) return it->second;
    uint64_t id = paths_.size();
    paths_.push_back(path);
    ids_[path] = id;
    return id;
  }
  std::optional<std::string> path_of(uint64_t id) const {
    std::lock_guard<std::mutex> lock(mu_);
    if (id == 0 || id >= paths_.size()) return std::nullopt;
    return paths_[id];
  }

 private:
  mutable std::mutex mu_;
  std::vector<std::string> paths_;  // index = inode
  std::map<std::string, uint64_t> ids_;
};

}  // namespace hlsfs
