#include "actors/cluster/cluster_node.h"

#include <memory>

#include <nlohmann/json.hpp>

#include "actors/cluster/bucket_title_finder.h"
#include "actors/cluster/master_raiser.h"
#include "actors/cluster/shared_usage.h"
#include "actors/services.h"
#include "hlsfs/log.h"

namespace hlsfs {

std::function<std::string()> start_cluster(Services& svc, const std::string& node, int64_t usage_interval_ms,
                                           const std::vector<ClusterStore>& stores) {
  nlohmann::json shared = nlohmann::json::array();
  for (const ClusterStore& s : stores)
    shared.push_back({{"store", s.name}, {"plugin", s.plugin}, {"bucket", s.bucket}, {"prefix", s.prefix}});
  // A lone node (no cluster.node) writes no records to its buckets
  // (playlist_service.cpp), so it looks none up either.
  if (node.empty()) return {};
  svc.cluster_node = node;
  std::shared_ptr<BucketTitleFinder> finder;
  if (!stores.empty()) {
    finder = std::make_shared<BucketTitleFinder>(svc);
    svc.title_finders.push_back(finder);
  }
  auto usage = std::make_shared<SharedUsage>(svc, node, usage_interval_ms);
  svc.shared_use = usage;
  // Raised masters merged into the bucket's, not written over it.
  auto raiser = std::make_shared<MasterRaiser>(svc, MasterRaiser::Options{});
  svc.raised_master_writer = [raiser](const std::string& store, const std::string& key, const std::string& text,
                                      const std::string& tagging) {
    raiser->raise(store, key, text, tagging);
    return true;
  };
  HLSFS_LOG(info, "cluster") << "node \"" << node << "\", " << stores.size()
                             << " shared object store(s): titles not known here are looked up there";
  std::weak_ptr<BucketTitleFinder> weak_finder = finder;
  std::weak_ptr<SharedUsage> weak_usage = usage;
  std::weak_ptr<MasterRaiser> weak_raiser = raiser;
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
    if (auto r = weak_raiser.lock()) {
      auto s = r->stats();
      j["masters"] = {{"written", s.written}, {"unchanged", s.unchanged}, {"repaired", s.repaired}, {"failures", s.failures}};
    }
    return j.dump();
  };
}

}  // namespace hlsfs
