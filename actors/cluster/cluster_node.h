// This hlsfsd as a node of a cluster sharing object stores (issue 17; the
// operator's view is docs/operations.md, "Cluster"): what hlsfsd's main
// calls once, after the state is open and before the mount starts.
#pragma once
#include <cstdint>
#include <functional>
#include <string>
#include <vector>

namespace hlsfs {

struct Services;

struct ClusterStore {  // an object store the nodes share, as configured here
  std::string name, plugin, bucket, prefix;
};

// Adds the bucket's TitleFinder when any store is an object store (also for
// a lone node: a lost state directory is refilled from the bucket), and,
// when `node` is set, the shared record of copies' uses (remote expiry).
// Returns the "Cluster" part of GET /v1/status (JSON text); empty (no
// function) for a node with neither a name nor an object store.
std::function<std::string()> start_cluster(Services& svc, const std::string& node, int64_t usage_interval_ms,
                                           const std::vector<ClusterStore>& stores);

}  // namespace hlsfs
