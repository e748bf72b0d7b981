#include "daemon/config/reload.h"

namespace hlsfs {

Tunables tunables_of(const Config& c) {
  Tunables t;
  t.prefetch_segments = c.prefetch_segments;
  t.job_timeout_ms = c.job_timeout_ms;
  t.max_queue = static_cast<size_t>(c.max_queue);
  t.max_waiters = static_cast<size_t>(c.max_waiters);
  t.gc = GcPolicy{c.cache_max_bytes, c.cache_high_water, c.cache_low_water, c.cache_max_idle_ms};
  t.gc.min_free_bytes = c.cache_min_free_bytes;
  t.gc.min_free_fraction = c.cache_min_free_fraction;
  t.gc_interval_ms = c.gc_interval_ms;
  for (const StoreConfig& s : c.stores) {
    if (s.plugin == "local") continue;  // segments of a local target live in cache_dir only
    int64_t age = s.remote_max_age_ms >= 0 ? s.remote_max_age_ms : c.cache_remote_max_age_ms;
    if (age > 0) t.remote_max_age_ms[s.name] = age;
  }
  return t;
}

namespace {

bool same_stores(const std::vector<StoreConfig>& a, const std::vector<StoreConfig>& b) {
  if (a.size() != b.size()) return false;
  for (size_t i = 0; i < a.size(); ++i)
    if (a[i].name != b[i].name || a[i].plugin != b[i].plugin || a[i].options != b[i].options ||
        a[i].library != b[i].library)
      return false;
  return true;
}

std::map<std::string, int64_t> remote_ages(const Config& c) {
  std::map<std::string, int64_t> ages;
  for (const StoreConfig& s : c.stores) ages[s.name] = s.remote_max_age_ms;
  return ages;
}

bool same(const Endpoint& a, const Endpoint& b) { return a.host == b.host && a.port == b.port; }

}  // namespace

ReloadPlan plan_reload(const Config& a, const Config& b) {
  ReloadPlan p;
  auto check = [](std::vector<std::string>& into, bool changed, const char* key) {
    if (changed) into.push_back(key);
  };
  check(p.applied, a.log_level != b.log_level, "log.level");
  check(p.applied, a.cache_max_bytes != b.cache_max_bytes, "cache.max_bytes");
  check(p.applied, a.cache_high_water != b.cache_high_water, "cache.high_water");
  check(p.applied, a.cache_low_water != b.cache_low_water, "cache.low_water");
  check(p.applied, a.cache_max_idle_ms != b.cache_max_idle_ms, "cache.max_idle");
  check(p.applied,
        a.cache_min_free_bytes != b.cache_min_free_bytes || a.cache_min_free_fraction != b.cache_min_free_fraction,
        "cache.min_free");
  check(p.applied, a.gc_interval_ms != b.gc_interval_ms, "cache.gc_interval");
  check(p.applied, a.cache_remote_max_age_ms != b.cache_remote_max_age_ms, "cache.remote_max_age");
  check(p.applied, remote_ages(a) != remote_ages(b), "stores.*.remote_max_age");
  check(p.applied, a.prefetch_segments != b.prefetch_segments, "transcoder.prefetch_segments");
  check(p.applied, a.job_timeout_ms != b.job_timeout_ms, "transcoder.job_timeout");
  check(p.applied, a.max_queue != b.max_queue, "transcoder.max_queue");
  check(p.applied, a.max_waiters != b.max_waiters, "transcoder.max_waiters");

  check(p.need_restart, a.mount != b.mount, "mount");
  check(p.need_restart, a.log_priority_prefix != b.log_priority_prefix, "log.priority_prefix");
  check(p.need_restart, a.allow_other != b.allow_other, "allow_other");
  check(p.need_restart, a.catalog_cache_bytes != b.catalog_cache_bytes, "catalog.cache_size");
  check(p.need_restart, a.state_block_cache_bytes != b.state_block_cache_bytes, "state.block_cache");
  check(p.need_restart, a.state_memtable_bytes != b.state_memtable_bytes, "state.memtables");
  check(p.need_restart, a.state_dir != b.state_dir, "state_dir");
  check(p.need_restart, a.cache_dir != b.cache_dir, "cache_dir");
  check(p.need_restart, a.plugin_dirs != b.plugin_dirs, "plugin_dirs");
  check(p.need_restart, a.control_socket != b.control_socket, "control.socket");
  check(p.need_restart, !same(a.control_listen, b.control_listen), "control.listen");
  check(p.need_restart, a.control_token_file != b.control_token_file, "control.token_file");
  check(p.need_restart, a.control_head_timeout_ms != b.control_head_timeout_ms, "control.head_timeout");
  check(p.need_restart, a.control_max_tcp_connections != b.control_max_tcp_connections, "control.max_tcp_connections");
  check(p.need_restart, !same(a.metrics_listen, b.metrics_listen), "metrics.listen");
  check(p.need_restart, a.metrics_node_label != b.metrics_node_label, "metrics.node_label");
  check(p.need_restart, a.cluster_node != b.cluster_node, "cluster.node");
  check(p.need_restart, a.cluster_usage_interval_ms != b.cluster_usage_interval_ms, "cluster.usage_interval");
  check(p.need_restart, !same(a.api_listen, b.api_listen), "api.listen");
  check(p.need_restart, a.api_access_keys != b.api_access_keys, "api.access_keys");
  check(p.need_restart,
        a.notifications_url != b.notifications_url || a.notifications_secret_file != b.notifications_secret_file ||
            a.notifications_retries != b.notifications_retries ||
            a.notifications_timeout_ms != b.notifications_timeout_ms || a.notifications_queue != b.notifications_queue,
        "notifications");
  check(p.need_restart, a.workers != b.workers, "transcoder.workers");
  check(p.need_restart, a.preset != b.preset, "transcoder.preset");
  check(p.need_restart, a.encoder_threads != b.encoder_threads, "transcoder.threads");
  check(p.need_restart, a.x264_params != b.x264_params, "transcoder.x264_params");
  check(p.need_restart, !(a.thumbnails_in_use() == b.thumbnails_in_use()), "thumbnails");
  check(p.need_restart, !same_stores(a.stores, b.stores), "stores");

  check(p.for_nginx, a.signing_secret != b.signing_secret, "signing.secret");
  check(p.for_nginx, a.signing_ttl_ms != b.signing_ttl_ms, "signing.default_ttl");
  check(p.for_nginx, a.signing_base_url != b.signing_base_url, "signing.base_url");
  check(p.for_nginx, a.cors_origin != b.cors_origin, "signing.cors_origin");
  return p;
}

Config with_live_changes(const Config& running, const Config& fresh) {
  Config c = running;
  c.log_level = fresh.log_level;
  c.cache_max_bytes = fresh.cache_max_bytes;
  c.cache_high_water = fresh.cache_high_water;
  c.cache_low_water = fresh.cache_low_water;
  c.cache_max_idle_ms = fresh.cache_max_idle_ms;
  c.cache_min_free_bytes = fresh.cache_min_free_bytes;
  c.cache_min_free_fraction = fresh.cache_min_free_fraction;
  c.gc_interval_ms = fresh.gc_interval_ms;
  c.cache_remote_max_age_ms = fresh.cache_remote_max_age_ms;
  // A store's expiry age changes live; the rest of its definition needs a restart.
  for (StoreConfig& s : c.stores)
    if (const StoreConfig* f = fresh.store(s.name)) s.remote_max_age_ms = f->remote_max_age_ms;
  c.prefetch_segments = fresh.prefetch_segments;
  c.job_timeout_ms = fresh.job_timeout_ms;
  c.max_queue = fresh.max_queue;
  c.max_waiters = fresh.max_waiters;
  c.signing_secret = fresh.signing_secret;
  c.signing_ttl_ms = fresh.signing_ttl_ms;
  c.signing_base_url = fresh.signing_base_url;
  c.cors_origin = fresh.cors_origin;
  return c;
}

}  // namespace hlsfs
