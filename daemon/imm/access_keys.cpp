#include "daemon/imm/access_keys.h"

#include <cctype>
#include <cstdlib>
#include <cstring>
#include <sstream>

#include "daemon/config/credentials.h"
#include "daemon/config/secret_file.h"

namespace hlsfs::imm {

namespace {

constexpr size_t kMaxFileBytes = 1 << 20;

bool valid_id(const std::string& id) {
  if (id.empty() || id.size() > 128) return false;
  for (unsigned char c : id)
    if (!std::isalnum(c) && c != '.' && c != '_' && c != '-') return false;
  return true;
}

}  // namespace

AccessKeys parse_access_keys(const std::string& text, const std::string& where) {
  AccessKeys keys;
  std::istringstream in(text);
  std::string line;
  int n = 0;
  while (std::getline(in, line)) {
    ++n;
    if (!line.empty() && line.back() == '\r') line.pop_back();
    std::istringstream words(line);
    std::string id, secret, extra;
    words >> id;
    if (id.empty() || id[0] == '#') continue;
    words >> secret >> extra;
    auto fail = [&](const std::string& why) { throw ConfigError(where + ": line " + std::to_string(n) + ": " + why); };
    if (secret.empty() || !extra.empty()) fail("wanted \"AccessKeyId AccessKeySecret\"");
    if (!valid_id(id)) fail("AccessKeyId \"" + id + "\": 1-128 letters, digits, '.', '_' or '-'");
    if (secret.size() < 16) fail("the secret of " + id + " is too short: use at least 16 random characters");
    for (unsigned char c : secret)
      if (c <= ' ' || c == 0x7f) fail("the secret of " + id + " may hold only visible characters");
    if (!keys.emplace(id, secret).second) fail("AccessKeyId " + id + " is given twice");
  }
  if (keys.empty()) throw ConfigError(where + ": holds no \"AccessKeyId AccessKeySecret\" line");
  return keys;
}

AccessKeys load_access_keys(const Config& c) {
  if (c.api_access_keys.empty()) return {};
  const std::string where = c.path + ": api.access_keys";
  if (is_credential_ref(c.api_access_keys)) {
    std::string name = c.api_access_keys.substr(std::strlen(kCredentialPrefix));
    return parse_access_keys(read_credential(c, "api.access_keys", name, getenv("CREDENTIALS_DIRECTORY")),
                             where + " (credential " + name + ")");
  }
  return parse_access_keys(read_secret_file(c.api_access_keys, where, kMaxFileBytes, "a key file"), where + ": " + c.api_access_keys);
}

}  // namespace hlsfs::imm
