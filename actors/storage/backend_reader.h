// Reading one object of a store in fixed blocks through a shared cache, with
// read-ahead while the reader moves forward: a demuxer's many small reads
// become few ranged requests, and a reader that jumps (a seek to a segment)
// fetches one block, not the file.
#pragma once
#include <atomic>
#include <cstdint>
#include <future>
#include <list>
#include <map>
#include <memory>
#include <mutex>
#include <string>
#include <unordered_map>

#include "actors/storage/backend.h"

namespace hlsfs {

// What the readers of one opener asked of the backend (for benchmarks/tests).
struct ReadStats {
  std::atomic<int64_t> bytes_fetched{0};  // bytes the backend returned
  std::atomic<int64_t> read_requests{0};  // ranged reads made
  std::atomic<int64_t> stat_requests{0};  // stat() calls made
};

struct ReadCacheOptions {
  int64_t block_size = 256 * 1024;
  int max_readahead_blocks = 4;         // one request covers at most this many blocks
  // Whole cache, all objects. A segment job's video and audio demuxers read
  // the same span of the source at their own pace (audio runs ahead): the
  // cache must hold that span, or every block is fetched twice. 128 MiB is a
  // 10 s segment of a 100 Mbit/s source; blocks are allocated only as read.
  int64_t capacity_bytes = 128 << 20;
};

// Blocks of source objects, shared by every reader of one opener: a segment
// job opens its source twice at once (video and audio) and both demuxers
// read the same bytes. Thread-safe; a block being fetched is waited for, not
// fetched twice.
class BlockCache {
 public:
  using Block = std::shared_ptr<const std::string>;
  explicit BlockCache(ReadCacheOptions opt = {});
  const ReadCacheOptions& options() const { return opt_; }

  // Block `index` of object `id` (store/key/version) of `size` bytes. On a
  // miss, fetches up to `run` blocks from `index` on in one request (stopping
  // at blocks already here). Throws BackendError.
  Block get(Backend& backend, const std::string& key, const std::string& id, int64_t size, int64_t index, int run,
            ReadStats& stats);

 private:
  using Id = std::pair<std::string, int64_t>;
  struct IdHash {
    size_t operator()(const Id& i) const { return std::hash<std::string>()(i.first) * 31 + std::hash<int64_t>()(i.second); }
  };
  struct Entry {
    Block block;
    std::list<Id>::iterator lru;
  };

  void insert_locked(const Id& id, Block block);

  ReadCacheOptions opt_;
  std::mutex mu_;
  std::unordered_map<Id, Entry, IdHash> blocks_;
  std::list<Id> lru_;  // front = most recently used
  int64_t bytes_ = 0;
  std::map<Id, std::shared_future<Block>> pending_;  // being fetched by some thread
};

// A position in one object, read through a BlockCache. One reader per thread.
class BackendReader {
 public:
  BackendReader(std::shared_ptr<Backend> backend, std::string key, std::string version, int64_t size,
                std::shared_ptr<BlockCache> cache, std::shared_ptr<ReadStats> stats);

  // Copies up to n bytes from the position; fewer only at the end, 0 there.
  // Throws BackendError (and keeps throwing it: a failed source stays failed).
  int64_t read(void* buf, int64_t n);
  void seek(int64_t pos) { pos_ = pos; }
  int64_t tell() const { return pos_; }
  int64_t size() const { return size_; }

 private:
  BlockCache::Block block(int64_t index);

  std::shared_ptr<Backend> backend_;
  std::string key_, id_;
  int64_t size_;
  std::shared_ptr<BlockCache> cache_;
  std::shared_ptr<ReadStats> stats_;
  int64_t pos_ = 0;
  BlockCache::Block cur_;
  int64_t cur_index_ = -1;
  int run_ = 1;  // blocks per request, doubled while reading forward
  std::unique_ptr<BackendError> failed_;
};

}  // namespace hlsfs
