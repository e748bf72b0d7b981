// hlsfsd's configuration, read from YAML (default /etc/hlsfs/hlsfs.yaml; the
// documented example is etc/hlsfs.yaml). Every key is checked: an unknown or
// malformed key is an error naming the file, the key and what was expected.
#pragma once
#include <map>
#include <stdexcept>
#include <string>
#include <vector>

namespace hlsfs {

struct ConfigError : std::runtime_error {
  using std::runtime_error::runtime_error;
};

struct StoreConfig {
  std::string name;    // appears as <mount>/<name>/
  std::string plugin;  // "local", "s3", "oss"
  std::map<std::string, std::string> options;  // everything else, handed to the plugin
  // Object stores: how long a segment's copy stays there unused; -1 takes
  // cache.remote_max_age, 0 keeps copies for ever. hlsfsd's key, not the plugin's.
  int64_t remote_max_age_ms = -1;
};

struct Endpoint {
  std::string host;  // empty: not listening
  int port = 0;
  bool enabled() const { return !host.empty(); }
  std::string str() const { return host + ":" + std::to_string(port); }
};

struct Config {
  std::string path;  // where it was read from
  std::string mount = "/srv/hlsfs";
  std::string state_dir = "/var/lib/hlsfs";
  std::string cache_dir = "/var/cache/hlsfs";
  std::vector<std::string> plugin_dirs;  // empty: the defaults next to the binary
  std::string control_socket = "/run/hlsfs/control.sock";
  Endpoint control_listen;  // optional loopback TCP for the control API
  Endpoint metrics_listen{"127.0.0.1", 9480};
  int workers = 2;               // segment jobs at once
  std::string preset = "veryfast";
  int encoder_threads = 2;       // x264 threads per job (fixed: same bytes on any machine)
  std::string x264_params;
  int prefetch_segments = 2;     // after segment N is read, N+1..N+k are queued
  std::string log_level = "info";
  bool allow_other = true;       // FUSE: let the web server's user read the mount
  // Cache lifecycle (GC).
  int64_t cache_max_bytes = 0;      // 0: no budget
  double cache_high_water = 0.95;
  double cache_low_water = 0.85;
  int64_t cache_max_idle_ms = 0;    // 0: never by age
  int64_t gc_interval_ms = 30000;
  int64_t cache_remote_max_age_ms = 0;  // object stores' default; 0: keep their copies
  // Signed playback (nginx secure_link): the shared secret, the lifetime of
  // a signed URL, and the base of printed URLs.
  std::string signing_secret;
  int64_t signing_ttl_ms = 2 * 3600 * 1000;
  std::string signing_base_url = "http://127.0.0.1:8088";
  std::string cors_origin = "*";
  std::vector<StoreConfig> stores;

  const StoreConfig* store(const std::string& name) const;
};

Config load_config(const std::string& path);
Config parse_config(const std::string& yaml_text, const std::string& path_for_errors);

// "127.0.0.1:9480" -> Endpoint; throws ConfigError naming `key`.
Endpoint parse_endpoint(const std::string& text, const std::string& key);

}  // namespace hlsfs
