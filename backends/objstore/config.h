// A store's configuration as a plugin receives it (the YAML mapping, values
// as strings), read key by key with typed accessors that name the key in
// every error; keys left unread are reported as unknown.
#pragma once
#include <cstdint>
#include <map>
#include <optional>
#include <stdexcept>
#include <string>

namespace objstore {

struct ConfigError : std::runtime_error {
  using std::runtime_error::runtime_error;
};

class ConfigMap {
 public:
  explicit ConfigMap(const char* const* kv);  // NULL-terminated key, value, key, value, ...

  std::optional<std::string> take(const std::string& key);
  std::string take_or(const std::string& key, const std::string& fallback);
  bool take_bool(const std::string& key, bool fallback);                      // true/false, yes/no, on/off, 1/0
  int64_t take_size(const std::string& key, int64_t fallback);                // 16777216, 16MiB, 16M, 512KiB
  long take_ms(const std::string& key, long fallback_ms);                     // seconds: 5, 2.5, 500ms, 10s
  int take_int(const std::string& key, int fallback, int lowest, int highest);  // bounded integer

  // Throws for the first key not taken; `known` lists the accepted ones.
  void finish(const std::string& known) const;

 private:
  std::map<std::string, std::string> values_;
};

// "config key \"name\": why" — the one-line form of every configuration error.
std::string config_error(const std::string& key, const std::string& why);

// An endpoint URL: scheme://host[:port][/], scheme http or https (https
// when left out).
struct Endpoint {
  std::string scheme;  // http, https
  std::string host;    // name or address ([v6] in brackets)
  int port = 0;        // 0: the scheme's default
  bool literal_or_local() const;  // an IP address or localhost: no virtual hosting possible
  std::string authority(const std::string& host_prefix = "") const;  // [prefix.]host[:port], the Host header
};
Endpoint parse_endpoint(const std::string& key, const std::string& text);  // throws ConfigError

}  // namespace objstore
