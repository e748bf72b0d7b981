// Expiry of segments' copies in object stores (S3/OSS targets), each store by
// its own age: a copy nobody has used (written, fetched back or read through
// this host) for that long is deleted from the bucket. Playlists are never
// touched, only segment objects this host wrote or fetched; a deleted copy
// is simply made again when next read. Like local GC, a pass walks the copies
// by last use, oldest first, and stops at the first one young enough for
// every store, so it costs what it deletes. In a cluster (SharedUse), a copy
// another node used within its age is kept too.
#pragma once
#include <cstdint>
#include <functional>
#include <map>
#include <string>
#include <vector>

namespace hlsfs {

class StateStore;
struct RemoteCopy;

// A cluster's view of copies (issue 17): the nodes sharing a bucket publish
// their uses of its copies in batches (actors/cluster/shared_usage.h), so
// that one node's expiry does not delete what another node's viewers read.
class SharedUse {
 public:
  virtual ~SharedUse() = default;
  // The latest use of this copy of (token, n) that the other nodes
  // published, in ms since the epoch; 0 when none did. May block (it reads
  // the bucket); the expiry walk calls it for copies past their age only.
  virtual int64_t last_use(const RemoteCopy& copy, const std::string& token, uint32_t n) = 0;
  // Publishes this node's own uses for the others (batched: does nothing
  // until its interval has passed). Blocking; the GC actor calls it.
  virtual void publish_due(int64_t now_ms) = 0;
};

struct RemoteExpiryReport {
  int64_t deleted = 0, freed_bytes = 0;
  int64_t visited = 0;
  int64_t failed = 0;               // the store refused or did not answer: kept, tried next pass
  int64_t kept_for_others = 0;      // past their age here, but another node used them since
  std::vector<std::string> errors;  // the first few failures, one line each
  bool dry_run = false;
};

// max_age_ms: store name -> age; a store absent or with 0 keeps its copies.
// remove_object deletes one object and throws std::exception on failure;
// after a store's first failure its other copies wait for the next pass.
// shared (may be null): a copy another node used within its age is kept,
// and its last use here moves up to that use.
RemoteExpiryReport expire_remote_copies(
    StateStore& state, const std::map<std::string, int64_t>& max_age_ms, int64_t now_ms,
    const std::function<void(const std::string& store, const std::string& key)>& remove_object, bool dry_run,
    SharedUse* shared = nullptr);

}  // namespace hlsfs
