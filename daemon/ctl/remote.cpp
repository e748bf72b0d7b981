#include "daemon/ctl/remote.h"

#include <algorithm>
#include <cstdio>
#include <ctime>
#include <iostream>

#include <nlohmann/json.hpp>

#include "actors/storage/atomic_file.h"
#include "actors/gc/units.h"
#include "actors/storage/store_router.h"
#include "daemon/config/config.h"
#include "daemon/ctl/nginx_site.h"
#include "daemon/ctl/sign.h"
#include "daemon/http/http_client.h"

namespace hlsfs {

std::string control_endpoint(const std::string& config_path, const std::string& endpoint_flag) {
  if (!endpoint_flag.empty()) return endpoint_flag;
  Config cfg = load_config(config_path);
  return "unix:" + cfg.control_socket;
}

int run_generate(const std::string& endpoint, const std::string& request_path) {
  std::string body = read_file(request_path);
  HttpResult r = http_call(endpoint, "POST", "/v1/GenerateVideoPlaylist", body);
  if (r.status / 100 != 2) {
    std::cerr << "error: " << describe_error(r) << "\n";
    return r.status / 100 == 4 ? 2 : 1;
  }
  std::cout << nlohmann::json::parse(r.body).dump(2) << std::endl;
  return 0;
}

int run_status(const std::string& endpoint, bool as_json) {
  HttpResult r = http_call(endpoint, "GET", "/v1/status", "", 30);
  if (r.status != 200) {
    std::cerr << "error: " << describe_error(r) << "\n";
    return 1;
  }
  auto j = nlohmann::json::parse(r.body);
  if (as_json) {
    std::cout << j.dump(2) << std::endl;
    return 0;
  }
  const auto& t = j["transcoder"];
  const auto& q = t["queued"];
  printf("workers   %d, running %zu\n", t.value("workers", 0), t["running"].size());
  printf("queued    %d on-demand, %d prefetch, %d initial\n", q.value("on-demand", 0), q.value("prefetch", 0),
         q.value("initial", 0));
  for (const auto& job : t["running"]) {
    std::string name = job.value("name", "");
    if (name.empty()) name = job.value("token", "") + "/" + std::to_string(job.value("segment", 0u));
    int64_t done = job.value("frames_done", int64_t{0}), total = job.value("frames_total", int64_t{0});
    std::string bar;
    if (total > 0) {
      int filled = static_cast<int>(20 * std::min(done, total) / total);
      bar = "[" + std::string(filled, '#') + std::string(20 - filled, '.') + "] " +
            std::to_string(100 * std::min(done, total) / total) + "%  ";
    }
    printf("  making  %s  %s(%s, %.1f s)\n", name.c_str(), bar.c_str(), job.value("priority", "").c_str(),
           job.value("seconds", 0.0));
  }
  const auto& c = j["cache"];
  printf("cache     %.1f MiB in %lld segments\n", c.value("cache_bytes", 0LL) / 1048576.0,
         static_cast<long long>(c.value("segments", 0LL)));
  const auto& sc = j["segment_cache"];
  printf("reads     %llu served from cache, %llu made on demand, %llu in flight\n",
         static_cast<unsigned long long>(sc.value("hits", 0ULL)), static_cast<unsigned long long>(sc.value("misses", 0ULL)),
         static_cast<unsigned long long>(sc.value("in_flight", 0ULL)));
  return 0;
}

int run_sign(const std::string& config_path, const std::string& what, const std::string& ttl) {
  Config cfg = load_config(config_path);  // refuses a world-readable secret
  if (cfg.signing_secret.empty()) {
    std::cerr << "error: " << config_path << ": signing.secret is not set\n";
    return 2;
  }
  int64_t ttl_ms = ttl.empty() ? cfg.signing_ttl_ms : parse_duration_ms(ttl);
  // A target URI (file:///srv/media/out/x.m3u8) or a path under the mount.
  std::string path = what;
  if (what.find("://") != std::string::npos) {
    StoreRouter router;
    for (const auto& s : cfg.stores)
      if (s.plugin == "local") router.add_local(s.name, s.options.at("root"));
      else if (s.options.count("bucket"))
        router.add_bucket(s.name, s.plugin == "oss" ? "oss" : "s3", s.options.at("bucket"),
                          s.options.count("prefix") ? s.options.at("prefix") : "");
    auto loc = router.locate(what);
    if (!loc) {
      std::cerr << "error: " << what << ": no configured store holds it (" << router.describe() << ")\n";
      return 2;
    }
    path = "/" + loc->store + "/" + loc->key;
  } else if (path.rfind(cfg.mount + "/", 0) == 0) {
    path = path.substr(cfg.mount.size());  // a path in the mount itself
  }
  int64_t expires = static_cast<int64_t>(time(nullptr)) + ttl_ms / 1000;
  std::cout << cfg.signing_base_url << sign_path(path, cfg.signing_secret, expires).path() << std::endl;
  return 0;
}

int run_nginx_site(const std::string& config_path, const std::string& listen, const std::string& player_dir,
                   const std::string& hls_js) {
  Config cfg = load_config(config_path);
  std::cout << nginx_site(cfg, listen, player_dir, hls_js);
  return 0;
}

int run_gc(const std::string& endpoint, bool dry_run) {
  HttpResult r = http_call(endpoint, "POST", dry_run ? "/v1/gc?dry_run=1" : "/v1/gc", "", 600);
  if (r.status != 200) {
    std::cerr << "error: " << describe_error(r) << "\n";
    return 1;
  }
  auto j = nlohmann::json::parse(r.body);
  printf("%s %lld segments, %.1f MiB (cache %.1f -> %.1f MiB%s)\n", dry_run ? "would evict" : "evicted",
         static_cast<long long>(j.value("Evicted", 0LL)), j.value("FreedBytes", 0LL) / 1048576.0,
         j.value("BytesBefore", 0LL) / 1048576.0,
         (dry_run ? j.value("BytesBefore", 0LL) - j.value("FreedBytes", 0LL) : j.value("BytesAfter", 0LL)) / 1048576.0,
         j.value("SkippedOpen", 0LL) ? (", " + std::to_string(j.value("SkippedOpen", 0LL)) + " kept: open").c_str() : "");
  const nlohmann::json remote = j.value("Remote", nlohmann::json::object());
  if (remote.value("Deleted", 0LL) || remote.value("Failed", 0LL))
    printf("%s %lld segment copies in object stores, %.1f MiB%s\n", dry_run ? "would delete" : "deleted",
           static_cast<long long>(remote.value("Deleted", 0LL)), remote.value("FreedBytes", 0LL) / 1048576.0,
           remote.value("Failed", 0LL) ? (", " + std::to_string(remote.value("Failed", 0LL)) + " failed (kept)").c_str() : "");
  for (const auto& e : remote.value("Errors", nlohmann::json::array())) printf("  cannot delete %s\n", e.get<std::string>().c_str());
  return 0;
}

}  // namespace hlsfs
