#include "backends/objstore/config.h"

#include <arpa/inet.h>

#include <cerrno>
#include <cmath>
#include <cstdlib>

#include "backends/objstore/encode.h"

namespace objstore {

std::string config_error(const std::string& key, const std::string& why) {
  return "config key \"" + key + "\": " + why;
}

ConfigMap::ConfigMap(const char* const* kv) {
  for (; kv && kv[0]; kv += 2) values_[kv[0]] = kv[1] ? kv[1] : "";
  values_.erase("plugin");  // selects the plugin in the store's YAML; not ours to read
}

std::optional<std::string> ConfigMap::take(const std::string& key) {
  auto it = values_.find(key);
  if (it == values_.end()) return std::nullopt;
  std::string v = it->second;
  values_.erase(it);
  return v;
}

std::string ConfigMap::take_or(const std::string& key, const std::string& fallback) {
  auto v = take(key);
  return v ? *v : fallback;
}

bool ConfigMap::take_bool(const std::string& key, bool fallback) {
  auto v = take(key);
  if (!v) return fallback;
  std::string s = to_lower(*v);
  if (s == "true" || s == "yes" || s == "on" || s == "1") return true;
  if (s == "false" || s == "no" || s == "off" || s == "0") return false;
  throw ConfigError(config_error(key, "\"" + *v + "\" is not a boolean (true or false)"));
}

int64_t ConfigMap::take_size(const std::string& key, int64_t fallback) {
  auto v = take(key);
  if (!v) return fallback;
  errno = 0;
  char* end = nullptr;
  double n = strtod(v->c_str(), &end);
  std::string unit = to_lower(trim_collapse(end ? end : ""));
  double scale = 0;
  if (unit.empty() || unit == "b") scale = 1;
  else if (unit == "k" || unit == "kib" || unit == "kb") scale = 1024.0;
  else if (unit == "m" || unit == "mib" || unit == "mb") scale = 1024.0 * 1024;
  else if (unit == "g" || unit == "gib" || unit == "gb") scale = 1024.0 * 1024 * 1024;
  if (end == v->c_str() || errno || scale == 0 || !(n >= 0) || n * scale > 5e12)
    throw ConfigError(config_error(key, "\"" + *v + "\" is not a size (bytes, or with KiB, MiB, GiB)"));
  return static_cast<int64_t>(n * scale);
}

long ConfigMap::take_ms(const std::string& key, long fallback_ms) {
  auto v = take(key);
  if (!v) return fallback_ms;
  errno = 0;
  char* end = nullptr;
  double n = strtod(v->c_str(), &end);
  std::string unit = to_lower(trim_collapse(end ? end : ""));
  double scale = unit.empty() || unit == "s" ? 1000.0 : unit == "ms" ? 1.0 : 0.0;
  double ms = n * scale;
  if (end == v->c_str() || errno || scale == 0 || !(ms >= 1) || ms > 86400e3)
    throw ConfigError(config_error(key, "\"" + *v + "\" is not a duration (seconds, e.g. 5 or 2.5 or 500ms)"));
  return static_cast<long>(std::lround(ms));
}

int ConfigMap::take_int(const std::string& key, int fallback, int lowest, int highest) {
  auto v = take(key);
  if (!v) return fallback;
  errno = 0;
  char* end = nullptr;
  long n = strtol(v->c_str(), &end, 10);
  if (end == v->c_str() || *end || errno || n < lowest || n > highest)
    throw ConfigError(config_error(key, "\"" + *v + "\" is not a whole number from " + std::to_string(lowest) +
                                            " to " + std::to_string(highest)));
  return static_cast<int>(n);
}

void ConfigMap::finish(const std::string& known) const {
  if (!values_.empty()) throw ConfigError(config_error(values_.begin()->first, "unknown (known keys: " + known + ")"));
}

bool Endpoint::literal_or_local() const {
  if (host == "localhost" || (!host.empty() && host[0] == '[')) return true;
  in_addr a4{};
  return inet_pton(AF_INET, host.c_str(), &a4) == 1;
}

std::string Endpoint::authority(const std::string& host_prefix) const {
  std::string a = host_prefix.empty() ? host : host_prefix + "." + host;
  if (port) a += ":" + std::to_string(port);
  return a;
}

Endpoint parse_endpoint(const std::string& key, const std::string& text) {
  Endpoint e;
  std::string rest = text;
  size_t sep = rest.find("://");
  e.scheme = sep == std::string::npos ? "https" : to_lower(rest.substr(0, sep));
  if (sep != std::string::npos) rest = rest.substr(sep + 3);
  if (e.scheme != "http" && e.scheme != "https")
    throw ConfigError(config_error(key, "\"" + text + "\": the scheme must be http or https"));
  while (!rest.empty() && rest.back() == '/') rest.pop_back();
  if (rest.find_first_of("/?#@ ") != std::string::npos)
    throw ConfigError(config_error(key, "\"" + text + "\": give scheme://host[:port] only (no path, query or user)"));
  size_t colon = rest.rfind(':');
  if (colon != std::string::npos && rest.find(']', colon) == std::string::npos) {
    std::string port = rest.substr(colon + 1);
    char* end = nullptr;
    long p = strtol(port.c_str(), &end, 10);
    if (port.empty() || *end || p < 1 || p > 65535)
      throw ConfigError(config_error(key, "\"" + text + "\": bad port \"" + port + "\""));
    e.port = static_cast<int>(p);
    rest = rest.substr(0, colon);
  }
  if (rest.empty()) throw ConfigError(config_error(key, "\"" + text + "\": no host"));
  e.host = to_lower(rest);
  return e;
}

}  // namespace objstore
