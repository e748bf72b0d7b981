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

// Nothing for a lone node (`node` empty: it writes no records to its
// buckets, so it looks none up). A cluster node gets the bucket's
// TitleFinder when any store is an object store, the shared record of
// copies' uses (remote expiry) and the merging writer of raised masters
// (master_raiser.h); Services::cluster_node is set, so generate writes title
// records. Returns the "Cluster" part of GET /v1/status (JSON text); empty
// (no function) for a lone node.
std::function<std::string()> start_cluster(Services& svc, const std::string& node, int64_t usage_interval_ms,
                                           const std::vector<ClusterStore>& stores);

}  // namespace hlsfs
