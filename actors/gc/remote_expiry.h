// Expiry of segments' copies in object stores (S3/OSS targets), each store by
// its own age: a copy nobody has used (written, fetched back or read through
// this host) for that long is deleted from the bucket. Playlists are never
// touched, only segment objects this host wrote or fetched; a deleted copy
// is simply made again when next read. Like local GC, a pass walks the copies
// by last use, oldest first, and stops at the first one young enough for
// every store, so it costs what it deletes.
#pragma once
#include <cstdint>
#include <functional>
#include <map>
#include <string>
#include <vector>

namespace hlsfs {

class StateStore;

struct RemoteExpiryReport {
  int64_t deleted = 0, freed_bytes = 0;
  int64_t visited = 0;
  int64_t failed = 0;               // the store refused or did not answer: kept, tried next pass
  std::vector<std::string> errors;  // the first few failures, one line each
  bool dry_run = false;
};

// max_age_ms: store name -> age; a store absent or with 0 keeps its copies.
// remove_object deletes one object and throws std::exception on failure;
// after a store's first failure its other copies wait for the next pass.
RemoteExpiryReport expire_remote_copies(
    StateStore& state, const std::map<std::string, int64_t>& max_age_ms, int64_t now_ms,
    const std::function<void(const std::string& store, const std::string& key)>& remove_object, bool dry_run);

}  // namespace hlsfs
