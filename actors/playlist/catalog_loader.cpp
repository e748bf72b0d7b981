#include "actors/playlist/catalog_loader.h"

#include <map>
#include <mutex>
#include <set>

#include <nlohmann/json.hpp>

#include "actors/playlist/catalog_keys.h"
#include "actors/playlist/generate.h"
#include "actors/playlist/rendition_record.h"
#include "actors/segment_cache/state_store.h"
#include "hlsfs/log.h"

namespace hlsfs {

using json = nlohmann::json;
using namespace catalog_keys;

namespace {

// A title's renditions share one probe: parsed once while any of them is
// in memory.
class MediaShare {
 public:
  std::shared_ptr<const MediaInfo> get(Services& svc, const std::string& key) {
    {
      std::lock_guard<std::mutex> lock(mu_);
      if (auto it = live_.find(key); it != live_.end())
        if (auto m = it->second.lock()) return m;
    }
    auto cached = svc.state->get_source(key);
    if (!cached) throw std::runtime_error("its probe is missing from the state");
    auto m = std::make_shared<const MediaInfo>(json::parse(*cached).get<MediaInfo>());
    std::lock_guard<std::mutex> lock(mu_);
    if (live_.size() >= 2 * swept_ + 64) {  // drop the expired ones now and then
      for (auto it = live_.begin(); it != live_.end();) it = it->second.expired() ? live_.erase(it) : std::next(it);
      swept_ = live_.size();
    }
    live_[key] = m;
    return m;
  }

 private:
  std::mutex mu_;
  std::map<std::string, std::weak_ptr<const MediaInfo>> live_;
  size_t swept_ = 0;
};

std::string dir_of_key(const std::string& key) {
  auto slash = key.rfind('/');
  return slash == std::string::npos ? "" : key.substr(0, slash + 1);
}

// The rendition a record describes; throws with the reason it cannot be.
std::shared_ptr<PublishedRendition> rebuild(Services& svc, MediaShare& media_share, const std::string& token,
                                            const json& rec) {
  auto media = media_share.get(svc, rec.at("source").get<std::string>());
  RenditionSpec spec = rendition_of_record(*media, rec);
  if (spec.token != token) throw std::runtime_error("its token no longer matches (hlsfs changed?)");
  auto tloc = svc.router.locate(spec.playlist_uri());
  auto sloc = svc.router.locate(spec.source_uri);
  if (!tloc || !sloc) throw std::runtime_error("its store is no longer configured");
  auto pub = std::make_shared<PublishedRendition>();
  pub->spec = std::move(spec);
  pub->media = std::move(media);
  pub->store = tloc->store;
  pub->dir = dir_of_key(tloc->key);
  pub->source_store = sloc->store;
  pub->source_key = sloc->key;
  return pub;
}

struct LoaderState {
  MediaShare media;
  std::mutex mu;
  std::set<std::string> reported;  // tokens whose failure was logged
};

LoaderState& loader_state() {
  static LoaderState s;
  return s;
}

void report_once(const std::string& token, const std::string& why) {
  auto& st = loader_state();
  {
    std::lock_guard<std::mutex> lock(st.mu);
    if (!st.reported.insert(token).second) return;
  }
  HLSFS_LOG(warning, "playlist") << "playlist not restored: " << why << ": " << log_kv("token", token);
}

}  // namespace

void index_masters_of(Services& svc, const std::string& token) {
  if (!svc.masters->of(token).empty() || !svc.state) return;
  std::vector<std::string> keys;
  svc.state->scan_catalog(masters_prefix(token), "", [&](const std::string& key, const std::string&) {
    keys.push_back(key.substr(masters_prefix(token).size()));
    return true;
  });
  for (const auto& k : keys)
    if (auto rec = svc.state->get_playlist(k)) {
      try {
        index_master(svc, k, json::parse(*rec), false);
      } catch (const std::exception& e) {
        report_once(k, e.what());
      }
    }
}

void index_master(Services& svc, const std::string& state_key, const json& record, bool persist) {
  if (!record.contains("variants")) return;  // recorded before BANDWIDTH was measured
  std::vector<CatalogStore::Op> ops;
  for (const auto& v : record.at("variants")) {
    svc.masters->add(v.at("token"), MasterRef{record.at("store"), record.at("key"), state_key, v.at("uri"),
                                              v.value("extra", int64_t{0})});
    if (persist) ops.emplace_back(master_key(v.at("token"), state_key), std::string());
  }
  if (persist && svc.state) svc.state->write_catalog(ops, false);
}

std::shared_ptr<const PublishedRendition> load_rendition(Services& svc, const std::string& token) {
  auto value = svc.state->get_playlist(token);
  if (!value) return nullptr;
  try {
    return rebuild(svc, loader_state().media, token, json::parse(*value));
  } catch (const std::exception& e) {
    report_once(token, e.what());
    return nullptr;
  }
}

size_t open_catalog(Services& svc) {
  Services* s = &svc;  // the catalog lives in svc: it never outlives it
  svc.catalog->set_loader([s](const std::string& token) { return load_rendition(*s, token); });
  // An index kept in memory (tests, tools) is rebuilt at every start.
  const bool once = !svc.catalog->in_memory();
  if (once && svc.state->get_catalog(kVersionKey)) return 0;
  // Records from before the index: indexed once, as every start did before.
  size_t indexed = 0;
  std::vector<std::string> tokens, masters;
  svc.state->for_each_playlist([&](const std::string& key, const std::string&) {
    (key.rfind("master:", 0) == 0 ? masters : tokens).push_back(key);
    return true;
  });
  if (once && (!tokens.empty() || !masters.empty()))
    HLSFS_LOG(info, "playlist") << "indexing " << tokens.size() << " renditions and " << masters.size()
                                << " masters recorded before the catalog index (once)";
  for (const auto& key : masters) {
    try {
      auto rec = svc.state->get_playlist(key);
      if (!rec) continue;
      json j = json::parse(*rec);
      svc.catalog->publish_text(j.at("store"), j.at("key"), j.at("text"));
      index_master(svc, key, j, true);
    } catch (const std::exception& e) {
      report_once(key, e.what());
    }
  }
  for (const auto& token : tokens) {
    auto pub = load_rendition(svc, token);
    if (!pub) continue;
    svc.catalog->publish(pub, media_playlist(pub->spec), Catalog::TextIs::derived);
    ++indexed;
  }
  if (once) svc.state->write_catalog({{kVersionKey, kVersion}}, true);
  return indexed;
}

}  // namespace hlsfs
