// hlsfs.yaml texts (any bytes). parse_config either throws ConfigError
// naming the file (and the key) or returns a configuration within every
// documented bound (config.h, etc/hlsfs.yaml); any other exception (a
// yaml-cpp conversion error, std::out_of_range, ...), crash or UB is a
// finding. A SIGHUP that re-reads the same text must change nothing.
#include <cmath>
#include <cstdint>
#include <string>

#include "daemon/config/config.h"
#include "daemon/config/reload.h"
#include "tests/fuzz/fuzz_check.h"

using namespace hlsfs;

namespace {

const char kFile[] = "/etc/hlsfs/fuzz.yaml";

bool absolute(const std::string& p) { return !p.empty() && p[0] == '/'; }

void check(const Config& c) {
  FUZZ_REQUIRE(absolute(c.mount) && absolute(c.state_dir) && absolute(c.cache_dir), c.mount);
  FUZZ_REQUIRE(absolute(c.control_socket), c.control_socket);
  for (const auto& d : c.plugin_dirs) FUZZ_REQUIRE(absolute(d), d);
  for (const Endpoint* e : {&c.control_listen, &c.metrics_listen})
    FUZZ_REQUIRE(!e->enabled() || (e->port >= 0 && e->port <= 65535), e->str());
  FUZZ_REQUIRE(c.workers >= 1 && c.workers <= 64, std::to_string(c.workers));
  FUZZ_REQUIRE(c.encoder_threads >= 1 && c.encoder_threads <= 64, std::to_string(c.encoder_threads));
  FUZZ_REQUIRE(c.prefetch_segments >= 0 && c.prefetch_segments <= 30, std::to_string(c.prefetch_segments));
  FUZZ_REQUIRE(c.cache_max_bytes >= 0 && c.cache_max_idle_ms >= 0 && c.cache_remote_max_age_ms >= 0, "negative");
  FUZZ_REQUIRE(c.gc_interval_ms >= 1000, std::to_string(c.gc_interval_ms));
  FUZZ_REQUIRE(c.cache_low_water > 0 && c.cache_low_water < c.cache_high_water && c.cache_high_water <= 1,
               std::to_string(c.cache_low_water) + " " + std::to_string(c.cache_high_water));
  FUZZ_REQUIRE(c.signing_secret.empty() || c.signing_secret.size() >= 16, "short secret");
  FUZZ_REQUIRE(c.signing_secret.find_first_of("\"\\$ \t\n") == std::string::npos, c.signing_secret);
  FUZZ_REQUIRE(!c.stores.empty(), "no store");
  for (const auto& s : c.stores) {
    FUZZ_REQUIRE(!s.name.empty() && s.name.find_first_not_of("abcdefghijklmnopqrstuvwxyz0123456789_-") ==
                                        std::string::npos,
                 s.name);
    FUZZ_REQUIRE(!s.plugin.empty(), s.name);
    FUZZ_REQUIRE(s.remote_max_age_ms >= -1, s.name);
    if (s.plugin == "local") {
      auto root = s.options.find("root");
      FUZZ_REQUIRE(root != s.options.end() && absolute(root->second), s.name);
      FUZZ_REQUIRE(s.remote_max_age_ms == -1, s.name);
    }
    FUZZ_REQUIRE(c.store(s.name) != nullptr, s.name);
  }
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  const std::string text(reinterpret_cast<const char*>(data), size);
  Config c;
  try {
    c = parse_config(text, kFile);
  } catch (const ConfigError& e) {
    FUZZ_REQUIRE(std::string(e.what()).rfind(kFile, 0) == 0, std::string("an error not naming the file: ") + e.what());
    return 0;
  }
  check(c);
  Config again = parse_config(text, kFile);
  ReloadPlan p = plan_reload(c, again);
  FUZZ_REQUIRE(p.applied.empty() && p.need_restart.empty() && p.for_nginx.empty(), "the same text differs");
  ReloadPlan from_default = plan_reload(Config{}, c);  // a reload from any running configuration
  (void)from_default;
  (void)tunables_of(with_live_changes(Config{}, c));
  return 0;
}
