#include "daemon/ctl/remote.h"

#include <cstdio>
#include <iostream>

#include <nlohmann/json.hpp>

#include "actors/storage/atomic_file.h"
#include "daemon/config/config.h"
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
  for (const auto& job : t["running"])
    printf("  making  %s/%u (%s) for %.1f s\n", job.value("token", "").c_str(), job.value("segment", 0u),
           job.value("priority", "").c_str(), job.value("seconds", 0.0));
  const auto& c = j["cache"];
  printf("cache     %.1f MiB in %lld segments\n", c.value("cache_bytes", 0LL) / 1048576.0,
         static_cast<long long>(c.value("segments", 0LL)));
  const auto& sc = j["segment_cache"];
  printf("reads     %llu served from cache, %llu made on demand, %llu in flight\n",
         static_cast<unsigned long long>(sc.value("hits", 0ULL)), static_cast<unsigned long long>(sc.value("misses", 0ULL)),
         static_cast<unsigned long long>(sc.value("in_flight", 0ULL)));
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
  return 0;
}

}  // namespace hlsfs
