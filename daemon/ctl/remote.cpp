#include "daemon/ctl/remote.h"

#include <algorithm>
#include <cstdio>
#include <iostream>
#include <map>

#include <unistd.h>

#include <nlohmann/json.hpp>

#include "hlsfs/percent_decode.h"

#include "actors/storage/atomic_file.h"
#include "daemon/config/config.h"
#include "daemon/http/http_client.h"

namespace hlsfs {

namespace {

// The bearer token for each TCP endpoint control_endpoint() handed out. Kept
// here, keyed by the endpoint, so that hlsfsctl's commands keep taking the
// endpoint alone (one process, one daemon: at most one entry in practice).
std::map<std::string, std::string>& endpoint_tokens() {
  static std::map<std::string, std::string> tokens;
  return tokens;
}

HttpResult call(const std::string& endpoint, const std::string& method, const std::string& path,
                const std::string& body = "", long timeout_s = 600) {
  auto it = endpoint_tokens().find(endpoint);
  return http_call(endpoint, method, path, body, timeout_s, it == endpoint_tokens().end() ? "" : it->second);
}

}  // namespace

std::string control_endpoint(const std::string& config_path, const std::string& endpoint_flag) {
  if (!endpoint_flag.empty()) {
    // Over TCP the daemon may ask for its token (control.token_file): read it
    // from the config when there is one here. The unix socket needs none, so
    // a user of the socket needs no access to the token file.
    if (endpoint_flag.rfind("http://", 0) == 0 && access(config_path.c_str(), F_OK) == 0) {
      std::string token = read_control_token(load_config(config_path));
      if (!token.empty()) endpoint_tokens()[endpoint_flag] = token;
    }
    return endpoint_flag;
  }
  Config cfg = load_config(config_path);
  return "unix:" + cfg.control_socket;
}

int run_generate(const std::string& endpoint, const GenerateOptions& options) {
  std::string body = read_file(options.request_path);
  HttpResult r = call(endpoint, "POST", "/v1/GenerateVideoPlaylist", body);
  if (r.status / 100 != 2) {
    std::cerr << "error: " << describe_error(r) << "\n";
    return r.status / 100 == 4 ? 2 : 1;
  }
  std::cout << nlohmann::json::parse(r.body).dump(2) << std::endl;
  return 0;
}

int run_status(const std::string& endpoint, const StatusOptions& options) {
  const bool as_json = options.json;
  HttpResult r = call(endpoint, "GET", "/v1/status", "", 30);
  if (r.status != 200) {
    std::cerr << "error: " << describe_error(r) << "\n";
    return 1;
  }
  auto j = nlohmann::json::parse(r.body);
  if (as_json) {
    std::cout << j.dump(2) << std::endl;
    return 0;
  }
  const auto& t = j["Transcoder"];
  const auto& q = t["Queued"];
  printf("workers   %d, running %zu\n", t.value("Workers", 0), t["Running"].size());
  printf("queued    %d on-demand, %d prefetch, %d initial\n", q.value("OnDemand", 0), q.value("Prefetch", 0),
         q.value("Initial", 0));
  for (const auto& job : t["Running"]) {
    std::string name = job.value("Name", "");
    if (name.empty()) name = job.value("Token", "") + "/" + std::to_string(job.value("Segment", 0u));
    int64_t done = job.value("FramesDone", int64_t{0}), total = job.value("FramesTotal", int64_t{0});
    std::string bar;
    if (total > 0) {
      int filled = static_cast<int>(20 * std::min(done, total) / total);
      bar = "[" + std::string(filled, '#') + std::string(20 - filled, '.') + "] " +
            std::to_string(100 * std::min(done, total) / total) + "%  ";
    }
    printf("  making  %s  %s(%s, %.1f s)\n", name.c_str(), bar.c_str(), job.value("Priority", "").c_str(),
           job.value("Seconds", 0.0));
  }
  const auto& c = j["Cache"];
  printf("cache     %.1f MiB in %lld segments\n", c.value("CacheBytes", 0LL) / 1048576.0,
         static_cast<long long>(c.value("Segments", 0LL)));
  const auto& sc = j["SegmentCache"];
  printf("reads     %llu served from cache, %llu made on demand, %llu in flight\n",
         static_cast<unsigned long long>(sc.value("Hits", 0ULL)), static_cast<unsigned long long>(sc.value("Misses", 0ULL)),
         static_cast<unsigned long long>(sc.value("InFlight", 0ULL)));
  if (j.contains("Cluster")) {  // issue 17: which node this is, and the stores the nodes share
    const auto& cl = j["Cluster"];
    std::string stores;
    for (const auto& s : cl.value("Stores", nlohmann::json::array()))
      stores += (stores.empty() ? "" : ", ") + s.value("Store", "") + " (" + s.value("Plugin", "") + " bucket " +
                s.value("Bucket", "") + (s.value("Prefix", "").empty() ? "" : "/" + s.value("Prefix", "")) + ")";
    const std::string node = cl.value("Node", "");
    printf("cluster   node %s; shared stores: %s\n", node.empty() ? "(not named: cluster.node)" : node.c_str(),
           stores.empty() ? "none" : stores.c_str());
    if (cl.contains("TitlesFromBucket")) {
      const auto& f = cl["TitlesFromBucket"];
      printf("          titles looked up in the bucket: %llu found, %llu not there, %llu refused\n",
             static_cast<unsigned long long>(f.value("Found", 0ULL)),
             static_cast<unsigned long long>(f.value("Missing", 0ULL)),
             static_cast<unsigned long long>(f.value("Refused", 0ULL)));
    }
  }
  // The last titles generated, newest first, with their Tags and UserData.
  const auto titles = j.value("Titles", nlohmann::json::array());
  if (!titles.empty()) printf("titles    the last %zu generated\n", titles.size());
  for (const auto& t : titles) {
    std::string tags;
    const nlohmann::json tag_map = t.value("Tags", nlohmann::json::object());  // kept: items() refers into it
    for (const auto& [k, v] : tag_map.items())
      tags += (tags.empty() ? "" : ", ") + k + "=" + v.get<std::string>();
    printf("  %s  %s%s%s\n", t.value("URI", "").c_str(), t.value("Token", "").c_str(),
           tags.empty() ? "" : ("  tags: " + tags).c_str(),
           t.value("UserData", "").empty() ? "" : ("  user data: " + t.value("UserData", "")).c_str());
  }
  return 0;
}

int run_gc(const std::string& endpoint, const GcOptions& options) {
  const bool dry_run = options.dry_run;
  HttpResult r = call(endpoint, "POST", dry_run ? "/v1/gc?dry_run=1" : "/v1/gc", "", 600);
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

int run_quarantine(const std::string& endpoint, const QuarantineOptions& options) {
  if (options.clear) {
    HttpResult r = call(endpoint, "POST", "/v1/quarantine/clear?uri=" + percent_encode(options.uri), "", 30);
    if (r.status != 200) {
      std::cerr << "error: " << describe_error(r) << "\n";
      return 1;
    }
    printf("cleared %s: its jobs run again\n", options.uri.c_str());
    return 0;
  }
  HttpResult r = call(endpoint, "GET", "/v1/quarantine", "", 30);
  if (r.status != 200) {
    std::cerr << "error: " << describe_error(r) << "\n";
    return 1;
  }
  if (options.json) {
    printf("%s\n", r.body.c_str());
    return 0;
  }
  auto j = nlohmann::json::parse(r.body);
  for (const auto& e : j.value("Sources", nlohmann::json::array()))
    printf("%s %s: %lld fault(s), last %s: %s\n", e.value("Quarantined", false) ? "QUARANTINED" : "faulted   ",
           e.value("Uri", "").c_str(), static_cast<long long>(e.value("Faults", 0LL)), e.value("LastKind", "").c_str(),
           e.value("LastMessage", "").c_str());
  return 0;
}

}  // namespace hlsfs
