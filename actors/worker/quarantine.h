// Sources whose jobs keep faulting in their worker (crash, memory, timeout,
// sandbox): after kStrikes faults of one version of a source, its reads and
// generates fail at once with an error naming the last fault, instead of
// costing a worker each time, until an operator clears it
// (`hlsfsctl quarantine clear URI`) or the source changes (a new version is
// a new file). Kept in a small JSON file in state_dir, so a restart does not
// forgive a file that crashes decoders.
#pragma once
#include <cstdint>
#include <map>
#include <mutex>
#include <optional>
#include <string>
#include <vector>

#include "hlsfs/media_info.h"

namespace hlsfs {

class Quarantine {
 public:
  static constexpr int kStrikes = 3;

  struct Entry {
    std::string uri;
    std::string version;
    int faults = 0;
    std::string last_kind;     // crash, memory, timeout, sandbox, protocol
    std::string last_message;
    int64_t last_time = 0;     // unix seconds
    bool quarantined() const { return faults >= kStrikes; }
  };

  // path: the file it is kept in ("" keeps it in memory only). A file that
  // cannot be read is logged and starts empty.
  explicit Quarantine(std::string path = "");

  // One more fault of `id`; returns its count.
  int record(const SourceIdentity& id, const std::string& kind, const std::string& message);
  // The error to answer with when `id` is quarantined.
  std::optional<std::string> check(const SourceIdentity& id) const;
  // Forgets `uri` (every version); whether it was known.
  bool clear(const std::string& uri);
  std::vector<Entry> list() const;

 private:
  void save_locked() const;
  std::string path_;
  mutable std::mutex mu_;
  std::map<std::string, Entry> by_uri_;
};

}  // namespace hlsfs
