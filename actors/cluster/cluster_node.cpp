#include "actors/cluster/cluster_node.h"

#include <memory>

#include <nlohmann/json.hpp>

#include "actors/cluster/bucket_title_finder.h"
#include "actors/cluster/shared_usage.h"
#include "actors/services.h"
#include "hlsfs/log.h"

namespace hlsfs {

std::function<std::string()> start_cluster(Services& svc, const std::string& node, int64_t usage_interval_ms,
                                           const std::vector<ClusterStore>& stores) {
  nlohmann::json shared = nlohmann::json::array();
  for (const ClusterStore& s : stores)
    shared.push_back({{"store", s.name}, {"plugin", s.plugin}, {"bucket", s.bucket}, {"prefix", s.prefix}});
  std::shared_ptr<BucketTitleFinder> finder;
  if (!stores.empty()) {
    finder = std::make_shared<BucketTitleFinder>(svc);
    svc.title_finders.push_back(finder);
  }
  std::shared_ptr<SharedUsage> usage;
  if (!node.empty()) {
    usage = std::make_shared<SharedUsage>(svc, node, usage_interval_ms);
    svc.shared_use = usage;
  }
  if (node.empty() && stores.empty()) return {};  // a lone node on local stores: nothing to show
  HLSFS_LOG(info, "cluster") << "node " << (node.empty() ? "(unnamed: cluster.node not set)" : "\"" + node + "\"")
                               << ", " << stores.size() << " shared object store(s): titles not known here are looked up there";
  std::weak_ptr<BucketTitleFinder> weak_finder = finder;
  std::weak_ptr<SharedUsage> weak_usage = usage;
  return [=] {
    nlohmann::json j{{"node", node}, {"stores", shared}};
    if (auto f = weak_finder.lock()) {
      auto s = f->stats();
      j["titles_from_bucket"] = {{"gets", s.gets}, {"found", s.found}, {"missing", s.missing}, {"refused", s.refused}};
    }
    if (auto u = weak_usage.lock()) {
      auto s = u->stats();
      j["usage"] = {{"interval_seconds", usage_interval_ms / 1000},
                    {"published", s.published},
                    {"publish_failures", s.publish_failures},
                    {"lookups", s.lookups}};
    }
    return j.dump();
  };
}

}  // namespace hlsfs
