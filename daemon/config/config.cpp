#include "daemon/config/config.h"

#include <yaml-cpp/yaml.h>

#include "hlsfs/units.h"
#include "daemon/config/credentials.h"
#include "daemon/config/secret_file.h"

#include <arpa/inet.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <cstdlib>
#include <cstring>

#include <fstream>
#include <functional>
#include <set>
#include <sstream>

namespace hlsfs {

namespace {

// A mapping key as text. YAML allows any node as a key ("? [a, b]: 1"), and
// yaml-cpp's as<std::string>() throws its own "bad conversion", naming no
// key, for anything but a scalar.
std::string key_text(const YAML::Node& key, const std::string& where, const std::string& file) {
  if (!key.IsScalar())
    throw ConfigError(file + ": " + (where.empty() ? "top level" : where) + ": keys must be plain names, not lists or mappings");
  return key.Scalar();
}

// Walks one YAML mapping; keys left unread at the end are unknown (typos
// must not silently become defaults).
class Section {
 public:
  Section(const YAML::Node& node, std::string where, const std::string& file)
      : node_(node), where_(std::move(where)), file_(file) {
    if (node_ && !node_.IsNull() && !node_.IsMap()) fail(where_.empty() ? "top level" : where_, "must be a mapping");
  }
  [[noreturn]] void fail(const std::string& key, const std::string& msg) const {
    throw ConfigError(file_ + ": " + key + ": " + msg);
  }
  std::string key(const std::string& k) const { return where_.empty() ? k : where_ + "." + k; }
  // An absent or null key gives an invalid node (false in a boolean test).
  YAML::Node get(const std::string& k) {
    seen_.insert(k);
    if (!node_ || !node_.IsMap()) return YAML::Node(YAML::NodeType::Undefined);
    YAML::Node n = node_[k];
    return n && !n.IsNull() ? n : YAML::Node(YAML::NodeType::Undefined);
  }
  void str(const std::string& k, std::string& out) {
    YAML::Node n = get(k);
    if (!n) return;
    if (!n.IsScalar()) fail(key(k), "must be a string");
    out = n.as<std::string>();
  }
  void path(const std::string& k, std::string& out) {
    str(k, out);
    if (out.empty() || out[0] != '/') fail(key(k), "must be an absolute path, got \"" + out + "\"");
    while (out.size() > 1 && out.back() == '/') out.pop_back();
  }
  void integer(const std::string& k, int& out, int lo, int hi) {
    YAML::Node n = get(k);
    if (!n) return;
    int v = 0;
    try {
      v = n.as<int>();
    } catch (const YAML::Exception&) {
      fail(key(k), "must be a whole number");
    }
    if (v < lo || v > hi) fail(key(k), "must be between " + std::to_string(lo) + " and " + std::to_string(hi));
    out = v;
  }
  // A duration ("30s", "2h", ...) in ms; false when the key is absent.
  bool duration(const std::string& k, int64_t& out_ms) {
    std::string text;
    str(k, text);
    if (text.empty()) return false;
    try {
      out_ms = parse_duration_ms(text);
    } catch (const std::invalid_argument& e) {
      fail(key(k), e.what());
    }
    return true;
  }
  void boolean(const std::string& k, bool& out) {
    YAML::Node n = get(k);
    if (!n) return;
    try {
      out = n.as<bool>();
    } catch (const YAML::Exception&) {
      fail(key(k), "must be true or false");
    }
  }
  void finish() const {
    if (!node_ || !node_.IsMap()) return;
    for (auto it = node_.begin(); it != node_.end(); ++it) {
      std::string k = key_text(it->first, where_, file_);
      if (!seen_.count(k)) fail(key(k), "unknown key");
    }
  }

 private:
  YAML::Node node_;
  std::string where_, file_;
  std::set<std::string> seen_;
};

// stores.<name>.library: the policy of a library store (library_settings.h).
LibrarySettings parse_library(const YAML::Node& node, const std::string& where, const std::string& file) {
  LibrarySettings lib;
  if (!node.IsMap()) throw ConfigError(file + ": " + where + ": must be a mapping, e.g. {renditions: [1080, 720, 480, 360]}");
  Section s(node, where, file);
  auto number = [&](const YAML::Node& n, const std::string& key, double lo, double hi) {
    double v = 0;
    try {
      v = n.as<double>();
    } catch (const YAML::Exception&) {
      s.fail(key, "must be a number");
    }
    auto text = [](double x) {
      char buf[32];
      snprintf(buf, sizeof buf, "%g", x);
      return std::string(buf);
    };
    if (!(v >= lo && v <= hi)) s.fail(key, "must be between " + text(lo) + " and " + text(hi));
    return v;
  };
  auto list = [&](const std::string& k, size_t max, const std::function<void(const YAML::Node&, const std::string&)>& each) {
    YAML::Node n = s.get(k);
    if (!n) return false;
    if (!n.IsSequence() || n.size() == 0 || n.size() > max)
      s.fail(s.key(k), "must be a list of 1 to " + std::to_string(max) + " values");
    for (size_t i = 0; i < n.size(); ++i) each(n[i], s.key(k) + "[" + std::to_string(i) + "]");
    return true;
  };
  if (YAML::Node r = s.get("renditions")) {
    lib.renditions.clear();
    list("renditions", 8, [&](const YAML::Node& n, const std::string& key) {
      lib.renditions.push_back(static_cast<int>(number(n, key, 64, 4320)));
    });
  }
  if (YAML::Node v = s.get("video")) {
    Section vs(v, s.key("video"), file);
    vs.str("codec", lib.video_codec);
    if (lib.video_codec != "h264" && lib.video_codec != "h265") vs.fail(vs.key("codec"), "must be h264 or h265");
    vs.integer("crf", lib.crf, 0, 51);
    if (YAML::Node fr = vs.get("frame_rate")) lib.frame_rate = number(fr, vs.key("frame_rate"), 1, 120);
    vs.finish();
  }
  if (YAML::Node a = s.get("audio")) {
    if (a.IsScalar()) {
      // "audio: off" (or false): no audio; "on"/true: the defaults.
      try {
        lib.audio = a.as<bool>();
      } catch (const YAML::Exception&) {
        s.fail(s.key("audio"), "must be off, or a mapping {bitrate: 128000, channels: 2}");
      }
    } else {
      Section as(a, s.key("audio"), file);
      if (YAML::Node b = as.get("bitrate")) lib.audio_bitrate = static_cast<int64_t>(number(b, as.key("bitrate"), 8000, 1000000));
      as.integer("channels", lib.audio_channels, 1, 8);
      as.finish();
    }
  }
  s.str("container", lib.container);
  if (!lib.container.empty() && lib.container != "ts" && lib.container != "fmp4")
    s.fail(s.key("container"), "must be ts or fmp4");
  // Refused rather than warned: a library exists to be played in the mount,
  // and HEVC in MPEG-TS plays neither on Apple devices nor in hls.js.
  if (lib.container == "ts" && lib.video_codec == "h265")
    s.fail(s.key("container"), "ts cannot carry h265 video for players (Apple devices and hls.js play HEVC in "
                               "fmp4 only); use fmp4, or leave container out (fmp4 for h265, ts for h264)");
  s.str("subtitles", lib.subtitles);
  if (lib.subtitles != "text")
    s.fail(s.key("subtitles"), "must be text (text subtitle streams become WebVTT tracks; bitmap ones are left out)");
  if (YAML::Node d = s.get("duration")) lib.duration = number(d, s.key("duration"), 5, 15);
  if (s.get("initial_segments")) {
    lib.initial_segments.clear();
    list("initial_segments", 6, [&](const YAML::Node& n, const std::string& key) {
      lib.initial_segments.push_back(number(n, key, 0.5, 15));
    });
  }
  if (YAML::Node it = s.get("initial_transcode")) lib.initial_transcode = number(it, s.key("initial_transcode"), -1, 1e6);
  if (s.get("extensions")) {
    lib.extensions.clear();
    list("extensions", 64, [&](const YAML::Node& n, const std::string& key) {
      std::string e = n.IsScalar() ? n.as<std::string>() : "";
      if (!e.empty() && e[0] == '.') e = e.substr(1);
      if (e.empty() || e.find_first_not_of("abcdefghijklmnopqrstuvwxyz0123456789") != std::string::npos)
        s.fail(key, "must be a lower-case extension without the dot, like mkv");
      lib.extensions.push_back(e);
    });
  }
  // Entries read from the store per page of a directory listing.
  s.integer("list_page", lib.list_page, 1, 100000);
  s.finish();
  return lib;
}

}  // namespace

const StoreConfig* Config::store(const std::string& name) const {
  for (const auto& s : stores)
    if (s.name == name) return &s;
  return nullptr;
}

bool is_loopback_host(const std::string& host_in) {
  std::string host = host_in;
  if (host.size() > 2 && host.front() == '[' && host.back() == ']') host = host.substr(1, host.size() - 2);
  if (host == "localhost") return true;
  in_addr v4{};
  if (inet_pton(AF_INET, host.c_str(), &v4) == 1) return (ntohl(v4.s_addr) >> 24) == 127;
  in6_addr v6{};
  if (inet_pton(AF_INET6, host.c_str(), &v6) == 1)
    return IN6_IS_ADDR_LOOPBACK(&v6) || (IN6_IS_ADDR_V4MAPPED(&v6) && v6.s6_addr[12] == 127);
  return false;  // a name: it may resolve to anything
}

std::string read_control_token(const Config& c) {
  if (c.control_token_file.empty()) return "";
  const std::string& path = c.control_token_file;
  auto fail = [&](const std::string& why) -> std::string {
    throw ConfigError(c.path + ": control.token_file: " + path + ": " + why);
  };
  // Anyone who can read the token can call the API; anyone who can write it can choose it.
  std::string text = read_secret_file(path, c.path + ": control.token_file", 4095, "a token");
  if (!text.empty() && text.back() == '\n') text.pop_back();
  if (!text.empty() && text.back() == '\r') text.pop_back();
  for (char ch : text)
    if (ch <= ' ' || ch == 0x7f) return fail("the token may hold only visible characters (no spaces, no control characters, one line)");
  if (text.size() < 16)
    return fail("the token has " + std::to_string(text.size()) +
                " characters: use at least 16 random ones, e.g. `openssl rand -hex 32 > " + path + "`");
  return text;
}

std::string read_notifications_secret(const Config& c) {
  if (c.notifications_secret_file.empty()) return "";
  const std::string& path = c.notifications_secret_file;
  // Whoever reads the key can forge notices; whoever writes it, choose it.
  std::string text = read_secret_file(path, c.path + ": notifications.secret_file", 4095, "a key");
  while (!text.empty() && (text.back() == '\n' || text.back() == '\r')) text.pop_back();
  if (text.size() < 16)
    throw ConfigError(c.path + ": notifications.secret_file: " + path + ": the key has " + std::to_string(text.size()) +
                      " bytes: use at least 16 random ones, e.g. `openssl rand -hex 32 > " + path + "`");
  return text;
}

Endpoint parse_endpoint(const std::string& text, const std::string& key) {
  auto colon = text.rfind(':');
  if (colon == std::string::npos || colon == 0 || colon + 1 == text.size())
    throw ConfigError(key + ": must look like 127.0.0.1:9480, got \"" + text + "\"");
  Endpoint e;
  e.host = text.substr(0, colon);
  try {
    size_t used = 0;
    e.port = std::stoi(text.substr(colon + 1), &used);
    if (used != text.size() - colon - 1 || e.port < 0 || e.port > 65535) throw std::invalid_argument("port");
  } catch (const std::exception&) {
    throw ConfigError(key + ": bad port in \"" + text + "\"");
  }
  return e;
}

static Config parse_checked(const std::string& text, const std::string& file) {
  YAML::Node root;
  try {
    root = YAML::Load(text);
  } catch (const YAML::Exception& e) {
    throw ConfigError(file + ": not valid YAML: " + e.what());
  }
  Config c;
  c.path = file;
  Section top(root, "", file);
  top.path("mount", c.mount);
  top.path("state_dir", c.state_dir);
  top.path("cache_dir", c.cache_dir);
  if (YAML::Node pd = top.get("plugin_dir")) {
    auto add = [&](const YAML::Node& n) {
      if (!n.IsScalar()) top.fail("plugin_dir", "must be absolute paths");
      std::string d = n.as<std::string>();
      if (d.empty() || d[0] != '/') top.fail("plugin_dir", "must be absolute paths");
      c.plugin_dirs.push_back(d);
    };
    if (pd.IsSequence())
      for (const auto& n : pd) add(n);
    else
      add(pd);
  }
  {
    Section s(top.get("control"), "control", file);
    s.path("socket", c.control_socket);
    std::string listen;
    s.str("listen", listen);
    if (!listen.empty()) c.control_listen = parse_endpoint(listen, file + ": control.listen");
    s.str("token_file", c.control_token_file);
    if (!c.control_token_file.empty() && c.control_token_file[0] != '/')
      s.fail("control.token_file", "must be an absolute path, got \"" + c.control_token_file + "\"");
    if (s.duration("head_timeout", c.control_head_timeout_ms) &&
        (c.control_head_timeout_ms < 100 || c.control_head_timeout_ms > 300000))
      s.fail("control.head_timeout", "must be between 100ms and 5m");
    s.integer("max_tcp_connections", c.control_max_tcp_connections, 1, 4096);
    // Whoever reaches the API can generate (write files in stores) and run
    // the GC: beyond loopback, only with a token.
    if (c.control_listen.enabled() && !is_loopback_host(c.control_listen.host) && c.control_token_file.empty())
      s.fail("control.listen", c.control_listen.str() +
                                   " is not a loopback address: anyone who reaches it could use the control API. "
                                   "Set control.token_file (a bearer token only hlsfsd's user can read) or listen on 127.0.0.1");
    s.finish();
  }
  {
    Section s(top.get("metrics"), "metrics", file);
    std::string listen = c.metrics_listen.str();
    s.str("listen", listen);
    c.metrics_listen = listen == "off" ? Endpoint{} : parse_endpoint(listen, file + ": metrics.listen");
    s.boolean("node_label", c.metrics_node_label);
    s.finish();
  }
  {
    Section s(top.get("cluster"), "cluster", file);
    s.str("node", c.cluster_node);
    // It names objects in the bucket (usage records) and a metrics label.
    if (c.cluster_node.size() > 64 ||
        c.cluster_node.find_first_not_of("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789._-") !=
            std::string::npos ||
        c.cluster_node == "." || c.cluster_node == "..")
      s.fail("cluster.node", "must be at most 64 letters, digits, '.', '_' or '-', got \"" + c.cluster_node + "\"");
    if (s.duration("usage_interval", c.cluster_usage_interval_ms) &&
        (c.cluster_usage_interval_ms < 1000 || c.cluster_usage_interval_ms > 24 * 3600 * 1000))
      s.fail("cluster.usage_interval", "must be between 1s and 24h");
    s.finish();
  }
  if (c.metrics_node_label && c.cluster_node.empty())
    throw ConfigError(file + ": metrics.node_label: needs cluster.node (the label's value)");
  {
    Section s(top.get("api"), "api", file);
    std::string listen;
    s.str("listen", listen);
    s.str("access_keys", c.api_access_keys);
    if (!listen.empty() || !c.api_access_keys.empty()) {
      if (listen.empty()) s.fail("api.listen", "is required with api.access_keys, e.g. 127.0.0.1:8091");
      c.api_listen = parse_endpoint(listen, file + ": api.listen");
      // Only requests signed with one of these keys are served: no keys, no API.
      if (c.api_access_keys.empty())
        s.fail("api.access_keys", "is required: a file of \"AccessKeyId AccessKeySecret\" lines (or credential:NAME)");
      if (is_credential_ref(c.api_access_keys)) {
        if (std::string why = credential_name_problem(c.api_access_keys); !why.empty()) s.fail("api.access_keys", why);
      } else if (c.api_access_keys[0] != '/') {
        s.fail("api.access_keys", "must be an absolute path or credential:NAME, got \"" + c.api_access_keys + "\"");
      }
    }
    s.finish();
  }
  {
    Section s(top.get("transcoder"), "transcoder", file);
    s.integer("workers", c.workers, 1, 64);
    s.str("preset", c.preset);
    static const std::set<std::string> presets{"ultrafast", "superfast", "veryfast", "faster", "fast",
                                               "medium",    "slow",      "slower",   "veryslow"};
    if (!presets.count(c.preset)) s.fail("transcoder.preset", "unknown x264 preset \"" + c.preset + "\"");
    s.integer("threads", c.encoder_threads, 1, 64);
    s.str("x264_params", c.x264_params);
    // On a cluster node (cluster.node) the next segment usually hashes to
    // another node: made here ahead, it is made twice in the cluster. So
    // the default there is 0; a value set here is kept.
    const bool prefetch_set = static_cast<bool>(s.get("prefetch_segments"));
    s.integer("prefetch_segments", c.prefetch_segments, 0, 30);
    if (!prefetch_set && !c.cluster_node.empty()) c.prefetch_segments = 0;
    std::string timeout;
    s.str("job_timeout", timeout);
    if (timeout != "auto" && s.duration("job_timeout", c.job_timeout_ms) && c.job_timeout_ms != 0 &&
        c.job_timeout_ms < 1000)
      s.fail("transcoder.job_timeout", "must be at least 1s (or auto)");
    s.integer("max_queue", c.max_queue, 1, 1000000);
    s.integer("max_waiters", c.max_waiters, 1, 1000000);
    s.str("isolation", c.isolation);
    if (c.isolation != "process" && c.isolation != "inline")
      s.fail("transcoder.isolation", "must be process or inline, not \"" + c.isolation + "\"");
    std::string memory;
    s.str("job_memory", memory);
    if (!memory.empty()) {
      try {
        c.job_memory = parse_bytes(memory);
      } catch (const std::invalid_argument& e) {
        s.fail("transcoder.job_memory", e.what());
      }
      if (c.job_memory != 0 && c.job_memory < (256LL << 20))
        s.fail("transcoder.job_memory", "must be at least 256MiB (or 0: no limit)");
    }
    s.str("worker_user", c.worker_user);
    s.finish();
  }
  {
    Section s(top.get("thumbnails"), "thumbnails", file);
    s.boolean("enabled", c.thumbnails_enabled);
    std::string interval;
    s.str("interval", interval);
    if (interval == "off" || interval == "false") {
      c.thumbnails.interval_ms = 0;
    } else if (s.duration("interval", c.thumbnails.interval_ms) && c.thumbnails.interval_ms != 0 &&
               (c.thumbnails.interval_ms < 1000 || c.thumbnails.interval_ms > 3600000)) {
      s.fail("thumbnails.interval", "must be between 1s and 1h (or 0: no thumbnails)");
    }
    s.integer("width", c.thumbnails.width, 16, 1920);
    if (c.thumbnails.width % 2) s.fail("thumbnails.width", "must be even (JPEG 4:2:0 pictures)");
    s.integer("columns", c.thumbnails.columns, 1, 100);
    s.integer("rows", c.thumbnails.rows, 1, 100);
    // A sheet stays a JPEG any browser decodes (at most 65500 px an edge).
    if (c.thumbnails.columns * c.thumbnails.width > 16384)
      s.fail("thumbnails.columns", "columns x width must be at most 16384 px");
    s.integer("quality", c.thumbnails.quality, 2, 31);
    s.finish();
  }
  {
    Section s(top.get("cache"), "cache", file);
    std::string v;
    auto value = [&](const std::string& k, auto parse, int64_t& out) {
      v.clear();
      s.str(k, v);
      if (v.empty()) return;
      try {
        out = parse(v);
      } catch (const std::invalid_argument& e) {
        s.fail("cache." + k, e.what());
      }
      if (out < 0) s.fail("cache." + k, "must not be negative");
    };
    value("max_bytes", parse_bytes, c.cache_max_bytes);
    value("max_idle", parse_duration_ms, c.cache_max_idle_ms);
    value("gc_interval", parse_duration_ms, c.gc_interval_ms);
    value("remote_max_age", parse_duration_ms, c.cache_remote_max_age_ms);
    if (c.gc_interval_ms < 1000) s.fail("cache.gc_interval", "must be at least 1s");
    v.clear();
    s.str("min_free", v);
    if (!v.empty()) {
      try {
        SizeOrShare f = parse_size_or_share(v);
        c.cache_min_free_bytes = f.bytes;
        c.cache_min_free_fraction = f.fraction;
      } catch (const std::invalid_argument& e) {
        s.fail("cache.min_free", std::string(e.what()) + " (a size like 2GiB, a share like 5%, or 0)");
      }
      if (c.cache_min_free_bytes < 0) s.fail("cache.min_free", "must not be negative");
    }
    auto fraction = [&](const std::string& k, double& out) {
      YAML::Node n = s.get(k);
      if (!n) return;
      try {
        out = n.as<double>();
      } catch (const YAML::Exception&) {
        s.fail("cache." + k, "must be a number between 0 and 1");
      }
      if (!(out > 0 && out <= 1)) s.fail("cache." + k, "must be a number between 0 and 1");
    };
    fraction("high_water", c.cache_high_water);
    fraction("low_water", c.cache_low_water);
    if (c.cache_low_water >= c.cache_high_water) s.fail("cache.low_water", "must be below cache.high_water");
    s.finish();
  }
  {
    Section s(top.get("signing"), "signing", file);
    s.str("secret", c.signing_secret);
    // credential:NAME is read and checked by load_config (credentials.h).
    if (std::string why = is_credential_ref(c.signing_secret) ? credential_name_problem(c.signing_secret)
                                                              : signing_secret_problem(c.signing_secret);
        !why.empty())
      s.fail("signing.secret", why);
    s.duration("default_ttl", c.signing_ttl_ms);
    s.str("base_url", c.signing_base_url);
    while (!c.signing_base_url.empty() && c.signing_base_url.back() == '/') c.signing_base_url.pop_back();
    s.str("cors_origin", c.cors_origin);
    s.finish();
  }
  {
    Section s(top.get("log"), "log", file);
    s.str("level", c.log_level);
    s.str("priority_prefix", c.log_priority_prefix);
    if (c.log_priority_prefix != "auto" && c.log_priority_prefix != "on" && c.log_priority_prefix != "off")
      s.fail("log.priority_prefix", "must be auto, on or off");
    static const std::set<std::string> levels{"debug", "info", "warning", "error"};
    if (!levels.count(c.log_level)) s.fail("log.level", "must be debug, info, warning or error");
    s.finish();
  }
  {
    Section s(top.get("fuse"), "fuse", file);
    s.boolean("allow_other", c.allow_other);
    s.finish();
  }
  {
    // The webhook that takes the place of IMM's MNS (docs/operations.md).
    Section s(top.get("notifications"), "notifications", file);
    s.str("url", c.notifications_url);
    s.str("secret_file", c.notifications_secret_file);
    s.integer("retries", c.notifications_retries, 0, 10);
    if (s.duration("timeout", c.notifications_timeout_ms) &&
        (c.notifications_timeout_ms < 100 || c.notifications_timeout_ms > 120000))
      s.fail("notifications.timeout", "must be between 100ms and 2m");
    s.integer("queue", c.notifications_queue, 1, 1000000);
    const std::string& u = c.notifications_url;
    if (!u.empty() && u.rfind("http://", 0) != 0 && u.rfind("https://", 0) != 0)
      s.fail("notifications.url", "must be an http:// or https:// URL, got \"" + u + "\"");
    if (!u.empty() && c.notifications_secret_file.empty())
      s.fail("notifications.secret_file", "is required with notifications.url: the key posts are signed with");
    if (!c.notifications_secret_file.empty() && c.notifications_secret_file[0] != '/')
      s.fail("notifications.secret_file", "must be an absolute path, got \"" + c.notifications_secret_file + "\"");
    s.finish();
  }
  {
    Section s(top.get("catalog"), "catalog", file);
    std::string v;
    s.str("cache_size", v);
    if (!v.empty()) {
      try {
        c.catalog_cache_bytes = parse_bytes(v);
      } catch (const std::invalid_argument& e) {
        s.fail("catalog.cache_size", e.what());
      }
      if (c.catalog_cache_bytes < (int64_t{1} << 20)) s.fail("catalog.cache_size", "must be at least 1MiB");
    }
    s.finish();
  }
  {
    Section s(top.get("state"), "state", file);
    auto bytes = [&](const std::string& k, int64_t& out, int64_t min) {
      std::string v;
      s.str(k, v);
      if (v.empty()) return;
      try {
        out = parse_bytes(v);
      } catch (const std::invalid_argument& e) {
        s.fail("state." + k, e.what());
      }
      if (out < min) s.fail("state." + k, "must be at least " + std::to_string(min >> 20) + "MiB");
    };
    bytes("block_cache", c.state_block_cache_bytes, int64_t{1} << 20);
    bytes("memtables", c.state_memtable_bytes, int64_t{4} << 20);
    s.finish();
  }
  YAML::Node stores = top.get("stores");
  if (!stores || !stores.IsMap() || stores.size() == 0)
    top.fail("stores", "needs at least one store, e.g. media: {plugin: local, root: /srv/media}");
  for (auto it = stores.begin(); it != stores.end(); ++it) {
    StoreConfig sc;
    sc.name = key_text(it->first, "stores", file);
    if (sc.name.empty() || sc.name.find_first_not_of("abcdefghijklmnopqrstuvwxyz0123456789_-") != std::string::npos)
      top.fail("stores." + sc.name, "store names are lower-case letters, digits, '-' and '_' (they become directories)");
    if (!it->second.IsMap()) top.fail("stores." + sc.name, "must be a mapping with a plugin key");
    for (auto kv = it->second.begin(); kv != it->second.end(); ++kv) {
      std::string k = key_text(kv->first, "stores." + sc.name, file);
      if (k == "library") {
        sc.library = parse_library(kv->second, "stores." + sc.name + ".library", file);
        continue;
      }
      if (!kv->second.IsScalar()) top.fail("stores." + sc.name + "." + k, "must be a string");
      if (k == "plugin") {
        sc.plugin = kv->second.as<std::string>();
      } else if (k == "remote_max_age") {
        try {
          sc.remote_max_age_ms = parse_duration_ms(kv->second.as<std::string>());
        } catch (const std::invalid_argument& e) {
          top.fail("stores." + sc.name + ".remote_max_age", e.what());
        }
        if (sc.remote_max_age_ms < 0) top.fail("stores." + sc.name + ".remote_max_age", "must not be negative");
      } else
        sc.options[k] = kv->second.as<std::string>();
    }
    if (sc.plugin.empty()) top.fail("stores." + sc.name + ".plugin", "is required (local, s3, oss)");
    // Object-store libraries would need their segments kept out of the
    // bucket (write-back, expiry): not yet.
    if (sc.library && sc.plugin != "local")
      top.fail("stores." + sc.name + ".library", "only a local store can be a library for now");
    if (sc.plugin == "local" && sc.remote_max_age_ms >= 0)
      top.fail("stores." + sc.name + ".remote_max_age", "applies to object stores (s3, oss), not to a local store");
    if (sc.plugin == "local") {
      auto root = sc.options.find("root");
      if (root == sc.options.end() || root->second.empty() || root->second[0] != '/')
        top.fail("stores." + sc.name + ".root", "a local store needs an absolute root directory");
      while (root->second.size() > 1 && root->second.back() == '/') root->second.pop_back();
    }
    c.stores.push_back(std::move(sc));
  }
  top.finish();
  return c;
}

std::string signing_secret_problem(const std::string& secret) {
  if (!secret.empty() && secret.size() < 16) return "is too short: use at least 16 random characters";
  if (secret.find("CHANGE-ME") != std::string::npos)
    return "is the example's placeholder: make one with `openssl rand -hex 32`";
  if (secret.find_first_of("\"\\$ \t\n") != std::string::npos)
    return "may not hold quotes, backslashes, '$' or spaces (it goes into nginx's configuration)";
  return "";
}

std::vector<std::string> secrets_in(const Config& c) {
  std::vector<std::string> keys;
  // A credential:NAME value is no secret: the credential holds it (credentials.h).
  if (!c.signing_secret.empty() && !is_credential_ref(c.signing_secret)) keys.push_back("signing.secret");
  // Store options go to plugins unread here: judge them by name, so a new
  // plugin's keys are covered too (s3: secret_access_key, session_token;
  // oss: access_key_secret, security_token).
  for (const auto& s : c.stores)
    for (const auto& [k, v] : s.options)
      if (!v.empty() && !is_credential_ref(v) && (k.find("secret") != std::string::npos || k.find("token") != std::string::npos ||
                         k.find("password") != std::string::npos))
        keys.push_back("stores." + s.name + "." + k);
  return keys;
}

Config parse_config(const std::string& text, const std::string& file) {
  // A conversion yaml-cpp refuses that the checks above did not foresee
  // still names the file and the line.
  try {
    return parse_checked(text, file);
  } catch (const YAML::Exception& e) {
    throw ConfigError(file + ": " + e.what());
  }
}

Config load_config(const std::string& path) {
  // One open: the mode checked is the mode of the file read.
  int fd = open(path.c_str(), O_RDONLY | O_CLOEXEC);
  if (fd < 0) throw ConfigError(path + ": cannot read the configuration file: " + strerror(errno));
  struct stat st {};
  std::string text;
  char buf[65536];
  ssize_t n = 0;
  if (fstat(fd, &st) != 0) n = -1;
  while (n >= 0 && (n = read(fd, buf, sizeof buf)) > 0) text.append(buf, static_cast<size_t>(n));
  int err = errno;
  close(fd);
  if (n < 0) throw ConfigError(path + ": cannot read the configuration file: " + strerror(err));
  Config c = parse_config(text, path);
  // Whoever reads a secret signs URLs for every video or reads and writes
  // the object stores; whoever writes the file chooses them.
  std::vector<std::string> secrets = secrets_in(c);
  if (!secrets.empty() && (st.st_mode & (S_IROTH | S_IWOTH | S_IWGRP))) {
    std::string held;
    for (const auto& k : secrets) held += (held.empty() ? "" : ", ") + k;
    throw ConfigError(path + ": holds " + held + " but " +
                      (st.st_mode & S_IROTH ? "every user can read it"
                       : st.st_mode & S_IWOTH ? "every user can change it"
                                              : "its group can change it") +
                      ": chmod 640 " + path + " (owner root or hlsfsd's user, group of who may read it)");
  }
  resolve_credentials(c, getenv("CREDENTIALS_DIRECTORY"));
  return c;
}

}  // namespace hlsfs
