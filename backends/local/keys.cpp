#include "keys.h"

#include <cstring>

namespace hlsfs_local {

std::string key_problem(const char* key) {
  if (!key) return "no key given";
  size_t n = strlen(key);
  if (n == 0) return "empty key";
  if (n > 4000) return "key too long";
  if (key[0] == '/') return "leading '/' (keys are relative to the store)";
  for (const char* c = key; *c; ++c)
    if (static_cast<unsigned char>(*c) < 0x20 || *c == 0x7f) return "control character in the key";
  const char* p = key;
  while (true) {
    const char* slash = strchr(p, '/');
    size_t len = slash ? static_cast<size_t>(slash - p) : strlen(p);
    if (len == 0) return "empty path element";
    if ((len == 1 && p[0] == '.') || (len == 2 && p[0] == '.' && p[1] == '.'))
      return std::string("'") + std::string(p, len) + "' element";
    if (strncmp(p, kTempPrefix, strlen(kTempPrefix)) == 0 && len >= strlen(kTempPrefix))
      return std::string("names starting with ") + kTempPrefix + " are reserved";
    if (!slash) return "";
    p = slash + 1;
  }
}

std::pair<std::string, std::string> split_key(const std::string& key) {
  size_t slash = key.rfind('/');
  if (slash == std::string::npos) return {"", key};
  return {key.substr(0, slash), key.substr(slash + 1)};
}

}  // namespace hlsfs_local
