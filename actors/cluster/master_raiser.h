// A cluster node's raised masters, merged into their stores (issue 17).
//
// A node that makes a segment above its variant's BANDWIDTH raises the
// master (master_bandwidth.h). Written over, the bucket's master would keep
// only the last node's view: two nodes raising two variants (or one, to
// different peaks) lose one raise. Here, on a thread of its own, each raise
// is a read-merge-write of the bucket's master (master_merge.h: per variant
// the larger value, so the order of merges does not matter), then, after
// `verify_after`, a read back: a raise another node's write took away (its
// GET was before our PUT, its PUT after) is merged again, up to `attempts`
// times. The node's own mount takes any higher values the bucket had (what
// other nodes raised) at once.
//
// The window: a raise is still lost when another node's read-merge-write of
// the same master spans more than verify_after (a request that stalls that
// long), or when the node stops with raises queued. The cost is a BANDWIDTH
// below one segment's measured rate until that variant's next raise, which
// writes this node's whole view again. (Conditional writes, If-Match on the
// ETag, would close it: AWS S3 takes them on PUT, moto 5.2 too; OSS
// documents only x-oss-forbid-overwrite; the plugin ABI has no such write.)
#pragma once
#include <chrono>
#include <condition_variable>
#include <cstdint>
#include <deque>
#include <map>
#include <mutex>
#include <string>
#include <thread>

namespace hlsfs {

struct Services;

class MasterRaiser {
 public:
  struct Options {
    std::chrono::milliseconds verify_after{1000};
    int attempts = 4;
  };
  // svc outlives this (Services holds it, through raised_master_writer).
  MasterRaiser(Services& svc, Options options);
  ~MasterRaiser();  // raises still queued are dropped (the window above)

  // `text`: this node's master with its raises. Queued; a later text of the
  // same master replaces one still queued (it holds every raise of it).
  void raise(const std::string& store, const std::string& key, const std::string& text, const std::string& tagging);

  struct Stats {
    uint64_t written = 0;    // PUTs of a merged master
    uint64_t unchanged = 0;  // the bucket had every raise already
    uint64_t repaired = 0;   // read back without a raise of ours: merged again
    uint64_t failures = 0;   // a request failed, or still lost after every attempt
  };
  Stats stats() const;

 private:
  struct Pending {
    std::string store, key, text, tagging;
  };
  void run();
  void merge(const Pending& p);

  Services& svc_;
  const Options options_;
  mutable std::mutex mu_;
  std::condition_variable wake_;
  bool stopping_ = false;
  std::deque<std::string> order_;          // ids (store + '\n' + key), oldest first
  std::map<std::string, Pending> queued_;  // by id
  Stats stats_;
  std::thread thread_;
};

}  // namespace hlsfs
