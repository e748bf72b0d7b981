#include "daemon/imm/access_keys.h"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cctype>
#include <cerrno>
#include <cstdlib>
#include <cstring>
#include <sstream>

#include "daemon/config/credentials.h"

namespace hlsfs::imm {

namespace {

constexpr size_t kMaxFileBytes = 1 << 20;

bool valid_id(const std::string& id) {
  if (id.empty() || id.size() > 128) return false;
  for (unsigned char c : id)
    if (!std::isalnum(c) && c != '.' && c != '_' && c != '-') return false;
  return true;
}

std::string read_private_file(const std::string& path, const std::string& where) {
  auto fail = [&](const std::string& why) -> std::string { throw ConfigError(where + ": " + path + ": " + why); };
  int fd = open(path.c_str(), O_RDONLY | O_CLOEXEC | O_NOCTTY | O_NONBLOCK);
  if (fd < 0) return fail(std::string("cannot open: ") + strerror(errno));
  struct stat st {};
  std::string text;
  bool regular = fstat(fd, &st) == 0 && S_ISREG(st.st_mode);
  // One open: the mode checked is the mode of the file read. Its content is
  // read only when private.
  bool open_to_others = regular && (st.st_mode & (S_IRWXG | S_IRWXO));
  if (regular && !open_to_others) {
    char buf[4096];
    ssize_t n;
    while ((n = read(fd, buf, sizeof buf)) > 0 && text.size() <= kMaxFileBytes) text.append(buf, static_cast<size_t>(n));
  }
  close(fd);
  if (!regular) return fail("not a regular file");
  // Whoever reads a secret can sign requests as that key; whoever writes the
  // file can add a key of their own.
  if (open_to_others) return fail("group or others may access it (chmod 600 " + path + ")");
  if (text.size() > kMaxFileBytes) return fail("larger than 1 MiB: not a key file");
  return text;
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
  return parse_access_keys(read_private_file(c.api_access_keys, where), where + ": " + c.api_access_keys);
}

}  // namespace hlsfs::imm
