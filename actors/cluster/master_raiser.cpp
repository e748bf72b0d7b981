#include "actors/cluster/master_raiser.h"

#include "actors/cluster/master_merge.h"
#include "actors/services.h"
#include "actors/storage/backend.h"
#include "hlsfs/log.h"

namespace hlsfs {

namespace {
constexpr int64_t kMasterMaxBytes = 1 << 20;  // a master is a few KiB
}

MasterRaiser::MasterRaiser(Services& svc, Options options)
    : svc_(svc), options_(options), thread_([this] { run(); }) {}

MasterRaiser::~MasterRaiser() {
  {
    std::lock_guard<std::mutex> lock(mu_);
    stopping_ = true;
  }
  wake_.notify_all();
  thread_.join();
}

MasterRaiser::Stats MasterRaiser::stats() const {
  std::lock_guard<std::mutex> lock(mu_);
  return stats_;
}

void MasterRaiser::raise(const std::string& store, const std::string& key, const std::string& text,
                         const std::string& tagging) {
  const std::string id = store + "\n" + key;
  {
    std::lock_guard<std::mutex> lock(mu_);
    if (!queued_.count(id)) order_.push_back(id);
    queued_[id] = Pending{store, key, text, tagging};
  }
  wake_.notify_one();
}

void MasterRaiser::run() {
  for (;;) {
    Pending p;
    {
      std::unique_lock<std::mutex> lock(mu_);
      wake_.wait(lock, [&] { return stopping_ || !order_.empty(); });
      if (stopping_) return;
      auto it = queued_.find(order_.front());
      order_.pop_front();
      p = std::move(it->second);
      queued_.erase(it);
    }
    try {
      merge(p);
    } catch (const std::exception& e) {
      // The bucket keeps what it had; this node's next raise of the master
      // carries this one too (its text holds all of them).
      HLSFS_LOG(warning, "cluster") << "raised master not merged into its store: " << e.what() << ": "
                                    << log_kv("store", p.store) << " " << log_kv("key", p.key);
      std::lock_guard<std::mutex> lock(mu_);
      ++stats_.failures;
    }
  }
}

void MasterRaiser::merge(const Pending& p) {
  auto backend = svc_.backend(p.store);
  if (!backend) return;  // the store left the configuration
  const std::string where = log_kv("store", p.store) + " " + log_kv("key", p.key);
  for (int attempt = 0;; ++attempt) {
    std::optional<std::string> now = backend->get(p.key, kMasterMaxBytes);
    std::optional<std::string> merged;
    if (now && now->rfind("#EXTM3U", 0) == 0) {
      // What other nodes raised reaches this node's mount too.
      CatalogEntry e = svc_.catalog->resolve(p.store + "/" + p.key);
      if (e.kind == CatalogEntry::text_file && e.text)
        if (auto up = merge_raises(*e.text, *now)) svc_.catalog->publish_text(p.store, p.key, *up);
      merged = merge_raises(*now, p.text);
    } else {
      merged = p.text;  // gone (or not a playlist): this node's view is the master
    }
    std::unique_lock<std::mutex> lock(mu_);
    if (!merged) {  // every raise of ours is there
      if (attempt == 0) ++stats_.unchanged;
      return;
    }
    if (attempt == options_.attempts) {
      ++stats_.failures;
      HLSFS_LOG(warning, "cluster") << "raised master still without this node's raise after " << attempt
                                    << " merges (other nodes keep writing it): " << where;
      return;
    }
    if (attempt > 0) {
      ++stats_.repaired;
      HLSFS_LOG(info, "cluster") << "raised master: another node's write took this node's raise away; merged again: "
                                 << where;
    }
    lock.unlock();
    if (p.tagging.empty()) backend->write(p.key, *merged);
    else backend->write(p.key, *merged, p.tagging);
    lock.lock();
    ++stats_.written;
    // Read back once other nodes' merges begun before this write are done.
    if (wake_.wait_for(lock, options_.verify_after, [&] { return stopping_; })) return;
  }
}

}  // namespace hlsfs
