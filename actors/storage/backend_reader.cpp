#include "actors/storage/backend_reader.h"

#include <algorithm>
#include <cstring>
#include <vector>

namespace hlsfs {

BlockCache::BlockCache(ReadCacheOptions opt) : opt_(opt) {
  opt_.block_size = std::max<int64_t>(opt_.block_size, 4096);
  opt_.max_readahead_blocks = std::max(opt_.max_readahead_blocks, 1);
}

void BlockCache::insert_locked(const Id& id, Block block) {
  bytes_ += static_cast<int64_t>(block->size());
  lru_.push_front(id);
  blocks_[id] = Entry{std::move(block), lru_.begin()};
  while (bytes_ > opt_.capacity_bytes && lru_.size() > 1) {
    auto victim = blocks_.find(lru_.back());
    bytes_ -= static_cast<int64_t>(victim->second.block->size());
    blocks_.erase(victim);
    lru_.pop_back();
  }
}

BlockCache::Block BlockCache::get(Backend& backend, const std::string& key, const std::string& id, int64_t size,
                                  int64_t index, int run, ReadStats& stats) {
  const int64_t bs = opt_.block_size;
  std::vector<std::promise<Block>> promises;
  {
    std::unique_lock<std::mutex> lock(mu_);
    Id want{id, index};
    if (auto it = blocks_.find(want); it != blocks_.end()) {
      lru_.splice(lru_.begin(), lru_, it->second.lru);
      return it->second.block;
    }
    if (auto it = pending_.find(want); it != pending_.end()) {
      std::shared_future<Block> f = it->second;
      lock.unlock();
      return f.get();  // rethrows the fetcher's error
    }
    // Claim a run of missing blocks; stop at one that is here or on its way.
    const int64_t blocks_in_object = (size + bs - 1) / bs;
    run = std::clamp(run, 1, opt_.max_readahead_blocks);
    for (int64_t i = index; i < index + run; ++i) {
      if (i > index && (i >= blocks_in_object || blocks_.count({id, i}) || pending_.count({id, i}))) break;
      promises.emplace_back();
      pending_[{id, i}] = promises.back().get_future().share();
    }
  }

  // Fetch outside the lock: other objects and cached blocks stay readable.
  const int count = static_cast<int>(promises.size());
  const int64_t offset = index * bs;
  std::vector<Block> got;
  try {
    const int64_t len = std::max<int64_t>(0, std::min<int64_t>(count * bs, size - offset));
    std::string buf(static_cast<size_t>(len), '\0');
    ++stats.read_requests;
    int64_t n = backend.read_into(key, offset, buf.data(), len);
    stats.bytes_fetched += n;
    for (int i = 0; i < count; ++i) {
      // A short read (the object shrank since its stat) leaves short or empty
      // blocks; the reader takes them as the end of the object.
      int64_t from = std::min<int64_t>(n, i * bs), to = std::min<int64_t>(n, (i + 1) * bs);
      got.push_back(std::make_shared<const std::string>(buf, static_cast<size_t>(from), static_cast<size_t>(to - from)));
    }
  } catch (...) {
    std::exception_ptr err = std::current_exception();
    {
      std::lock_guard<std::mutex> lock(mu_);
      for (int i = 0; i < count; ++i) pending_.erase({id, index + i});
    }
    for (auto& p : promises) p.set_exception(err);
    throw;
  }
  {
    std::lock_guard<std::mutex> lock(mu_);
    for (int i = 0; i < count; ++i) {
      pending_.erase({id, index + i});
      insert_locked({id, index + i}, got[static_cast<size_t>(i)]);
    }
  }
  for (int i = 0; i < count; ++i) promises[static_cast<size_t>(i)].set_value(got[static_cast<size_t>(i)]);
  return got[0];
}

BackendReader::BackendReader(std::shared_ptr<Backend> backend, std::string key, std::string version, int64_t size,
                             std::shared_ptr<BlockCache> cache, std::shared_ptr<ReadStats> stats)
    : backend_(std::move(backend)),
      key_(std::move(key)),
      size_(size),
      cache_(std::move(cache)),
      stats_(std::move(stats)) {
  // The version is part of the id: a changed object never reads stale blocks.
  id_ = backend_->store() + '\n' + key_ + '\n' + version + '\n' + std::to_string(size);
}

BlockCache::Block BackendReader::block(int64_t index) {
  if (index == cur_index_) return cur_;
  if (failed_) throw *failed_;
  // Moving forward (also over a few blocks, as a demuxer skipping another
  // stream's chunk does) grows the request size; any other jump starts small.
  const int max = cache_->options().max_readahead_blocks;
  bool forward = cur_index_ >= 0 && index > cur_index_ && index <= cur_index_ + max;
  run_ = forward ? std::min(run_ * 2, max) : 1;
  try {
    cur_ = cache_->get(*backend_, key_, id_, size_, index, run_, *stats_);
  } catch (const BackendError& e) {
    failed_ = std::make_unique<BackendError>(e);
    throw;
  }
  cur_index_ = index;
  return cur_;
}

int64_t BackendReader::read(void* buf, int64_t n) {
  const int64_t bs = cache_->options().block_size;
  int64_t done = 0;
  while (done < n && pos_ < size_) {
    int64_t index = pos_ / bs;
    BlockCache::Block b = block(index);
    int64_t at = pos_ - index * bs;
    int64_t have = static_cast<int64_t>(b->size());
    if (at >= have) {  // the object ends earlier than its stat said
      size_ = index * bs + have;
      break;
    }
    int64_t take = std::min(n - done, have - at);
    memcpy(static_cast<char*>(buf) + done, b->data() + at, static_cast<size_t>(take));
    done += take;
    pos_ += take;
  }
  return done;
}

}  // namespace hlsfs
