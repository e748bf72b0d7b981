// hlsfsd's configuration, read from YAML (default /etc/hlsfs/hlsfs.yaml; the
// documented example is etc/hlsfs.yaml). Every key is checked: an unknown or
// malformed key is an error naming the file, the key and what was expected.
#pragma once
#include <map>
#include <optional>
#include <stdexcept>
#include <string>
#include <vector>

#include "actors/library/library_settings.h"
#include "actors/playlist/thumbnails.h"

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
  // library: every video file in the store appears as a title
  // (<file>.hls/master.m3u8) with this policy; the store is then read-only.
  std::optional<LibrarySettings> library;
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
  Endpoint control_listen;  // optional TCP for the control API (loopback, or any address with a token)
  // A file holding the bearer token TCP requests must carry (read by
  // read_control_token, not here: hlsfsctl on the unix socket needs no access).
  std::string control_token_file;
  int64_t control_head_timeout_ms = 10000;  // a request head must arrive within this
  int control_max_tcp_connections = 64;     // TCP connection slots (the unix socket has its own)
  Endpoint metrics_listen{"127.0.0.1", 9480};
  bool metrics_node_label = false;  // metrics.node_label: node="<cluster.node>" on every series
  // cluster: many nodes sharing object stores (docs/operations.md "Cluster").
  // cluster.node: this node's name (letters, digits, . _ -); "" = not in a cluster.
  std::string cluster_node;
  int64_t cluster_usage_interval_ms = 300000;  // cluster.usage_interval: segment uses published to the bucket this often
  // IMM's own RPC protocol (daemon/imm/): the listener, and the file of its
  // AccessKey pairs (read by load_access_keys, not here; or credential:NAME).
  // No listener when the api section is absent.
  Endpoint api_listen;
  std::string api_access_keys;
  int workers = 2;               // segment jobs at once
  std::string preset = "veryfast";
  int encoder_threads = 2;       // x264 threads per job (fixed: same bytes on any machine)
  std::string x264_params;
  int prefetch_segments = 2;     // after segment N is read, N+1..N+k are queued
  // thumbnails: with enabled, each generated title gets a WebVTT thumbnails
  // track and sprite sheets made on read. Off by default: a request then
  // writes exactly IMM's files. Defaults: a 160 px wide tile every 10 s,
  // 10x10 tiles a sheet, JPEG quantizer 5.
  bool thumbnails_enabled = false;
  ThumbnailSettings thumbnails{10000, 160, 10, 10, 5};
  // What generate uses: the settings when enabled (and interval > 0), else none.
  ThumbnailSettings thumbnails_in_use() const { return thumbnails_enabled ? thumbnails : ThumbnailSettings{}; }
  // A segment job (or a generate's probe) that makes no progress this long
  // ends; its readers get EIO. 0 (auto): 10 x the segment + 10 s; probes 60 s.
  int64_t job_timeout_ms = 0;
  int max_queue = 256;           // segment jobs waiting for a worker, at most
  int max_waiters = 1024;        // readers waiting for one segment, at most
  // Where jobs run: "process" (sandboxed hlsfs-worker processes, the
  // default) or "inline" (in hlsfsd's own threads: a decoder crash takes the
  // mount down; for debugging only).
  std::string isolation = "process";
  int64_t job_memory = 4LL << 30;  // address space of a worker process
  std::string worker_user;         // when hlsfsd runs as root; default "nobody"
  std::string log_level = "info";
  // log.priority_prefix: "auto" (journald's <3>.. prefixes when stderr is the
  // journal, by $JOURNAL_STREAM), "on" or "off".
  std::string log_priority_prefix = "auto";
  bool allow_other = true;       // FUSE: let the web server's user read the mount
  // catalog.cache_size: renditions and playlist texts kept in memory (the
  // rest of the catalog is read from the state when asked for).
  int64_t catalog_cache_bytes = int64_t{64} << 20;
  // state.block_cache and state.memtables: RocksDB's memory in state_dir
  // (StateOptions): its block cache with index and filter blocks, and the
  // memtables of all its families together.
  int64_t state_block_cache_bytes = int64_t{16} << 20;
  int64_t state_memtable_bytes = int64_t{32} << 20;
  // Cache lifecycle (GC).
  int64_t cache_max_bytes = 0;      // 0: no budget
  double cache_high_water = 0.95;
  double cache_low_water = 0.85;
  int64_t cache_max_idle_ms = 0;    // 0: never by age
  // cache.min_free: free space kept in cache_dir's filesystem, the smaller of
  // the two that are set (0: not set); default 1 GiB or 5 %.
  int64_t cache_min_free_bytes = int64_t{1} << 30;
  double cache_min_free_fraction = 0.05;
  int64_t gc_interval_ms = 30000;
  int64_t cache_remote_max_age_ms = 0;  // object stores' default; 0: keep their copies
  // Signed playback (nginx secure_link): the shared secret, the lifetime of
  // a signed URL, and the base of printed URLs.
  std::string signing_secret;
  int64_t signing_ttl_ms = 2 * 3600 * 1000;
  std::string signing_base_url = "http://127.0.0.1:8088";
  std::string cors_origin = "*";
  // Webhook notifications (IMM's MNS has no equivalent here): where each
  // event about a request is posted ("" none), the file of the HMAC key
  // (read by read_notifications_secret), attempts after the first, one
  // post's time limit, notices waiting at most.
  std::string notifications_url;
  std::string notifications_secret_file;
  int notifications_retries = 5;
  int64_t notifications_timeout_ms = 10000;
  int notifications_queue = 1000;
  std::vector<StoreConfig> stores;

  const StoreConfig* store(const std::string& name) const;
};

// Also refuses a file holding a secret (secrets_in) that every user can read
// or that users other than its owner can change.
Config load_config(const std::string& path);
// The keys holding secrets, as named in the file ("signing.secret",
// "stores.s3.secret_access_key"): their file must stay private.
std::vector<std::string> secrets_in(const Config& c);
// Why a signing.secret is refused (too short, the example's placeholder,
// characters nginx's configuration cannot hold), or "".
std::string signing_secret_problem(const std::string& secret);
Config parse_config(const std::string& yaml_text, const std::string& path_for_errors);

// The bearer token of control.token_file ("" when it is not set), checked:
// the file is private to its owner (neither group nor others may read or
// write it), the token is at least 16 visible characters (one trailing
// newline is dropped). Throws ConfigError naming control.token_file.
std::string read_control_token(const Config& c);

// The webhook's HMAC key from notifications.secret_file ("" when not set),
// checked as control.token_file is (private to its owner, at least 16
// bytes; trailing newlines dropped). Throws ConfigError naming the key.
std::string read_notifications_secret(const Config& c);

// Is `host` (of an Endpoint) a loopback address: 127.0.0.0/8, ::1, localhost?
bool is_loopback_host(const std::string& host);

// "127.0.0.1:9480" -> Endpoint; throws ConfigError naming `key`.
Endpoint parse_endpoint(const std::string& text, const std::string& key);

}  // namespace hlsfs
