// Remote copies expire on what every node saw (issue 17). Each node records
// its uses of copies in its own RocksDB as before (written, fetched, read
// here); every cluster.usage_interval it publishes the uses since its last
// publication, one small object per rendition and node:
//   <dir>.hlsfs/used/<token>/<node>.json   {segment: last use}
// (a GET of its previous one, merged, and a PUT: two requests per rendition
// read in the interval, none for idle ones). Before deleting a copy past its
// age, expiry reads the other nodes' objects of that rendition (a LIST of
// its used/<token>/ prefix and a GET each: on the expiry path, never on the
// read path) and keeps the copy if any of them used it within the age.
//
// The window: a use is seen by other nodes up to usage_interval late, so a
// copy read by one node only is safe while remote_max_age exceeds
// usage_interval (config refuses nothing; docs say keep it well above).
// A copy deleted anyway is made or fetched again at its next read.
#pragma once
#include <cstdint>
#include <map>
#include <mutex>
#include <string>

#include "actors/gc/remote_expiry.h"

namespace hlsfs {

struct Services;

class SharedUsage : public SharedUse {
 public:
  // svc outlives this (Services holds it).
  SharedUsage(Services& svc, std::string node, int64_t interval_ms);

  // Publishes this node's uses since its last publication once its interval
  // has passed (the first call: every copy it knows, so a restart loses
  // nothing). Blocking (bucket requests): the GC actor's thread.
  void publish_due(int64_t now_ms) override;
  int64_t last_use(const RemoteCopy& copy, const std::string& token, uint32_t n) override;

  struct Stats {
    uint64_t published = 0, publish_failures = 0, lookups = 0;
  };
  Stats stats() const;
  const std::string& node() const { return node_; }

 private:
  Services& svc_;
  const std::string node_;
  const int64_t interval_ms_;
  int64_t published_up_to_ = 0;  // uses before this are in the bucket
  int64_t next_publish_ = 0;
  struct Seen {
    int64_t read_at = 0;
    std::map<uint32_t, int64_t> last_use;  // other nodes' latest, by segment
  };
  std::map<std::string, Seen> others_;  // by token; re-read once older than the interval
  mutable std::mutex mu_;               // stats_ (read by the status)
  Stats stats_;
};

}  // namespace hlsfs
