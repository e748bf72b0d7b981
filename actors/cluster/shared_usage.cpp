#include "actors/cluster/shared_usage.h"

#include <algorithm>

#include "actors/cluster/title_record.h"
#include "actors/segment_cache/segment_store.h"
#include "actors/segment_cache/state_store.h"
#include "actors/services.h"
#include "actors/storage/backend.h"
#include "hlsfs/log.h"

namespace hlsfs {

namespace {
constexpr int64_t kUsageMaxBytes = 4 << 20;  // ~20 bytes a segment: far more than any title has
}

SharedUsage::SharedUsage(Services& svc, std::string node, int64_t interval_ms)
    : svc_(svc), node_(std::move(node)), interval_ms_(interval_ms) {}

SharedUsage::Stats SharedUsage::stats() const {
  std::lock_guard<std::mutex> lock(mu_);
  return stats_;
}

void SharedUsage::publish_due(int64_t now_ms) {
  if (now_ms < next_publish_) return;
  next_publish_ = now_ms + interval_ms_;
  struct Batch {
    std::string store, dir;
    UsageRecord usage;
  };
  std::map<std::string, Batch> by_token;
  svc_.state->for_each_remote_by_age(
      [&](int64_t used, const std::string& token, uint32_t n) {
        auto copy = svc_.state->get_remote(token, n);
        if (!copy) return true;  // expired meanwhile
        Batch& b = by_token[token];
        b.store = copy->store;
        b.dir = dir_of(copy->key);
        b.usage.node = node_;
        b.usage.token = token;
        int64_t& t = b.usage.last_use[n];
        t = std::max(t, used);
        return true;
      },
      published_up_to_);
  uint64_t published = 0, failures = 0;
  std::string first_error;
  for (auto& [token, b] : by_token) {
    const std::string key = usage_key(b.dir, token, node_);
    try {
      auto backend = svc_.backend(b.store);
      if (!backend) continue;  // the store left the configuration
      // Merged with what this node published before (its uses of other
      // segments, maybe from before a restart).
      if (auto old = backend->get(key, kUsageMaxBytes)) {
        try {
          merge_usage(b.usage, decode_usage_record(*old, key));
        } catch (const TitleRecordError& e) {
          HLSFS_LOG(warning, "cluster") << e.what() << ": replaced";
        }
      }
      backend->write(key, encode_usage_record(b.usage));
      ++published;
    } catch (const std::exception& e) {
      ++failures;
      if (first_error.empty()) first_error = e.what();
    }
  }
  if (failures == 0) published_up_to_ = now_ms;  // else: all of it again next time
  else
    HLSFS_LOG(warning, "cluster") << "segment uses not published for " << failures << " rendition(s) ("
                                  << first_error << "): tried again in " << interval_ms_ / 1000 << " s";
  if (published) HLSFS_LOG(debug, "cluster") << "segment uses published for " << published << " rendition(s)";
  std::lock_guard<std::mutex> lock(mu_);
  stats_.published += published;
  stats_.publish_failures += failures;
}

int64_t SharedUsage::last_use(const RemoteCopy& copy, const std::string& token, uint32_t n) {
  const int64_t now = now_ms();
  Seen& seen = others_[token];
  if (seen.read_at == 0 || now - seen.read_at > interval_ms_) {
    Seen fresh;
    fresh.read_at = now;
    try {
      auto backend = svc_.backend(copy.store);
      if (!backend) return 0;
      std::vector<std::string> keys;
      const std::string prefix = usage_prefix(dir_of(copy.key), token), own = usage_key(dir_of(copy.key), token, node_);
      backend->list(prefix, [&](const std::string& key, const ObjectStat&) {
        if (key != own) keys.push_back(key);
        return true;
      });
      for (const std::string& key : keys) {
        auto text = backend->get(key, kUsageMaxBytes);
        if (!text) continue;  // removed meanwhile
        UsageRecord u = decode_usage_record(*text, key);
        for (const auto& [segment, ms] : u.last_use) {
          int64_t& t = fresh.last_use[segment];
          t = std::max(t, ms);
        }
      }
    } catch (const std::exception& e) {
      // Cannot tell what the others saw: keep the copy this time.
      HLSFS_LOG(warning, "cluster") << "other nodes' uses unreadable (" << e.what() << "): the copy of "
                                    << log_kv("token", token) << " " << log_kv("segment", n) << " is kept";
      others_.erase(token);
      return now;
    }
    seen = std::move(fresh);
    if (others_.size() > 10000) {  // one pass's worth; bounded
      Seen keep = seen;
      others_.clear();
      others_[token] = std::move(keep);
    }
    std::lock_guard<std::mutex> lock(mu_);
    ++stats_.lookups;
  }
  auto it = others_[token].last_use.find(n);
  return it == others_[token].last_use.end() ? 0 : it->second;
}

}  // namespace hlsfs
