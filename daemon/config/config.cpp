#include "daemon/config/config.h"

#include <yaml-cpp/yaml.h>

#include "actors/gc/units.h"

#include <sys/stat.h>

#include <fstream>
#include <set>
#include <sstream>

namespace hlsfs {

namespace {

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
      std::string k = it->first.as<std::string>();
      if (!seen_.count(k)) fail(key(k), "unknown key");
    }
  }

 private:
  YAML::Node node_;
  std::string where_, file_;
  std::set<std::string> seen_;
};

}  // namespace

const StoreConfig* Config::store(const std::string& name) const {
  for (const auto& s : stores)
    if (s.name == name) return &s;
  return nullptr;
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

Config parse_config(const std::string& text, const std::string& file) {
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
    s.finish();
  }
  {
    Section s(top.get("metrics"), "metrics", file);
    std::string listen = c.metrics_listen.str();
    s.str("listen", listen);
    c.metrics_listen = listen == "off" ? Endpoint{} : parse_endpoint(listen, file + ": metrics.listen");
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
    s.integer("prefetch_segments", c.prefetch_segments, 0, 30);
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
    if (!c.signing_secret.empty() && c.signing_secret.size() < 16)
      s.fail("signing.secret", "is too short: use at least 16 random characters");
    if (c.signing_secret.find("CHANGE-ME") != std::string::npos)
      s.fail("signing.secret", "is the example's placeholder: make one with `openssl rand -hex 32`");
    if (c.signing_secret.find_first_of("\"\\$ \t\n") != std::string::npos)
      s.fail("signing.secret", "may not hold quotes, backslashes, '$' or spaces (it goes into nginx's configuration)");
    std::string ttl;
    s.str("default_ttl", ttl);
    if (!ttl.empty()) {
      try {
        c.signing_ttl_ms = parse_duration_ms(ttl);
      } catch (const std::invalid_argument& e) {
        s.fail("signing.default_ttl", e.what());
      }
    }
    s.str("base_url", c.signing_base_url);
    while (!c.signing_base_url.empty() && c.signing_base_url.back() == '/') c.signing_base_url.pop_back();
    s.str("cors_origin", c.cors_origin);
    s.finish();
  }
  {
    Section s(top.get("log"), "log", file);
    s.str("level", c.log_level);
    static const std::set<std::string> levels{"debug", "info", "warning", "error"};
    if (!levels.count(c.log_level)) s.fail("log.level", "must be debug, info, warning or error");
    s.finish();
  }
  {
    Section s(top.get("fuse"), "fuse", file);
    s.boolean("allow_other", c.allow_other);
    s.finish();
  }
  YAML::Node stores = top.get("stores");
  if (!stores || !stores.IsMap() || stores.size() == 0)
    top.fail("stores", "needs at least one store, e.g. media: {plugin: local, root: /srv/media}");
  for (auto it = stores.begin(); it != stores.end(); ++it) {
    StoreConfig sc;
    sc.name = it->first.as<std::string>();
    if (sc.name.empty() || sc.name.find_first_not_of("abcdefghijklmnopqrstuvwxyz0123456789_-") != std::string::npos)
      top.fail("stores." + sc.name, "store names are lower-case letters, digits, '-' and '_' (they become directories)");
    if (!it->second.IsMap()) top.fail("stores." + sc.name, "must be a mapping with a plugin key");
    for (auto kv = it->second.begin(); kv != it->second.end(); ++kv) {
      std::string k = kv->first.as<std::string>();
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

Config load_config(const std::string& path) {
  std::ifstream in(path);
  if (!in) throw ConfigError(path + ": cannot read the configuration file");
  std::stringstream ss;
  ss << in.rdbuf();
  Config c = parse_config(ss.str(), path);
  // Anyone who can read the secret can sign URLs for every video.
  struct stat st {};
  if (!c.signing_secret.empty() && stat(path.c_str(), &st) == 0 && (st.st_mode & S_IROTH))
    throw ConfigError(path + ": holds signing.secret but is readable by every user (chmod o-r " + path + ")");
  return c;
}

}  // namespace hlsfs
