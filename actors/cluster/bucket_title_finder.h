// The cluster's TitleFinder: a name this node does not know, under a store
// that is an object store, is looked up in the bucket (title_record.h: one
// GET of the record its name points at), verified, cached in RocksDB and
// published in the catalog. So a node serves every title any node generated,
// at its first request, with no regenerate and no membership protocol.
//
// The GETs run on a few threads of the finder's own (never the FUSE thread);
// lookups of one record at once share one GET; a record that is not there is
// remembered for a few seconds (a burst of misses costs the bucket one GET).
#pragma once
#include <chrono>
#include <condition_variable>
#include <deque>
#include <functional>
#include <map>
#include <memory>
#include <mutex>
#include <string>
#include <thread>
#include <vector>

#include "actors/cluster/title_record.h"
#include "actors/playlist/title_finder.h"

namespace hlsfs {

struct Services;

// Publishes a record read from the bucket on this node: verified (the token
// recomputed; the titles it describes lie in the directory it was read from,
// or below it), written to the state (a cache of the bucket: a restart
// restores it without the bucket) and published. `store`: the store the
// lookup came through (a master's record names the writer's store, which
// may be named otherwise here); `record_key`: where it was read. Throws
// TitleRecordError.
void adopt_bucket_record(Services& svc, const BucketRecord& rec, const std::string& store,
                         const std::string& record_key);

class BucketTitleFinder : public TitleFinder {
 public:
  // svc must outlive the finder (Services holds it); threads: GETs at once.
  explicit BucketTitleFinder(Services& svc, int threads = 2,
                             std::chrono::milliseconds remember_missing = std::chrono::seconds(5));
  ~BucketTitleFinder() override;
  void find(const std::string& path, std::function<void(bool)> done) override;

  struct Stats {
    uint64_t gets = 0, found = 0, missing = 0, refused = 0;  // refused: failed verification or the GET failed
  };
  Stats stats() const;

 private:
  void run();
  void lookup(const std::string& store, const std::string& record_key);

  Services& svc_;
  const std::chrono::milliseconds remember_missing_;
  mutable std::mutex mu_;
  std::condition_variable wake_;
  bool stopping_ = false;
  std::deque<std::pair<std::string, std::string>> queue_;  // (store, record key)
  // Lookups waiting for a record's GET: (path, done).
  std::map<std::string, std::vector<std::pair<std::string, std::function<void(bool)>>>> waiting_;
  std::map<std::string, std::chrono::steady_clock::time_point> missing_until_;
  Stats stats_;
  std::vector<std::thread> threads_;
};

}  // namespace hlsfs
