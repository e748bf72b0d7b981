#include "daemon/config/credentials.h"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>

namespace hlsfs {

namespace {
constexpr size_t kMaxCredentialBytes = 64 * 1024;  // keys and tokens, not files
}

bool is_credential_ref(const std::string& value) { return value.rfind(kCredentialPrefix, 0) == 0; }

std::string credential_name_problem(const std::string& value) {
  const std::string name = value.substr(std::strlen(kCredentialPrefix));
  if (name.empty()) return "credential: needs a name (credential:NAME, as in LoadCredential=NAME)";
  if (name.size() > 255) return "the credential name is longer than 255 bytes";
  if (name == "." || name == ".." || name.find('/') != std::string::npos)
    return "the credential name \"" + name + "\" may not be . or .. or hold '/'";
  for (unsigned char ch : name)
    if (ch <= ' ' || ch == 0x7f) return "the credential name may hold no spaces or control characters";
  return "";
}

const std::vector<std::string>& default_credential_stores() {
  static const std::vector<std::string> dirs{"/etc/credstore", "/run/credstore", "/usr/lib/credstore"};
  return dirs;
}

std::string read_credential(const Config& c, const std::string& key, const std::string& name,
                            const char* credentials_directory, const std::vector<std::string>& stores) {
  auto fail = [&](const std::string& why) -> std::string {
    throw ConfigError(c.path + ": " + key + ": credential " + name + ": " + why);
  };
  const bool in_unit = credentials_directory != nullptr && *credentials_directory != '\0';
  std::vector<std::string> dirs = in_unit ? std::vector<std::string>{credentials_directory} : stores;
  std::string looked;
  for (const auto& dir : dirs) {
    const std::string path = dir + "/" + name;
    int fd = open(path.c_str(), O_RDONLY | O_CLOEXEC | O_NOCTTY | O_NONBLOCK);
    if (fd < 0) {
      if (errno == ENOENT) {
        looked += (looked.empty() ? "" : ", ") + dir;
        continue;
      }
      const bool denied = errno == EACCES;
      return fail(path + ": cannot open: " + strerror(errno) +
                  (denied && !in_unit ? " (a credential store is root's: run this as root)" : ""));
    }
    struct stat st {};
    std::string text;
    bool regular = fstat(fd, &st) == 0 && S_ISREG(st.st_mode);
    if (regular) {
      char buf[4096];
      ssize_t n;
      while ((n = read(fd, buf, sizeof buf)) > 0 && text.size() <= kMaxCredentialBytes)
        text.append(buf, static_cast<size_t>(n));
    }
    close(fd);
    if (!regular) return fail(path + ": not a regular file");
    // The same rule as for a configuration file holding secrets.
    if (st.st_mode & (S_IROTH | S_IWOTH | S_IWGRP))
      return fail(path + ": every user can read it, or others than its owner can change it (chmod 600 " + path + ")");
    if (text.size() > kMaxCredentialBytes) return fail(path + ": longer than 64 KiB");
    if (!text.empty() && text.back() == '\n') text.pop_back();
    if (!text.empty() && text.back() == '\r') text.pop_back();
    if (text.empty()) return fail(path + ": empty");
    return text;
  }
  return fail(in_unit ? "not in $CREDENTIALS_DIRECTORY (" + looked + "): add LoadCredential=" + name +
                            " to the unit (systemctl edit hlsfsd) and put the secret in /etc/credstore/" + name
                      : "not found in " + looked + " ($CREDENTIALS_DIRECTORY is not set: not run by systemd)");
}

void resolve_credentials(Config& c, const char* credentials_directory, const std::vector<std::string>& stores) {
  auto resolve = [&](const std::string& key, std::string& value) {
    if (!is_credential_ref(value)) return;
    if (std::string why = credential_name_problem(value); !why.empty()) throw ConfigError(c.path + ": " + key + ": " + why);
    value = read_credential(c, key, value.substr(std::strlen(kCredentialPrefix)), credentials_directory, stores);
  };
  if (is_credential_ref(c.signing_secret)) {
    resolve("signing.secret", c.signing_secret);
    if (std::string why = signing_secret_problem(c.signing_secret); !why.empty())
      throw ConfigError(c.path + ": signing.secret: (from its credential) " + why);
  }
  for (auto& s : c.stores)
    for (auto& [k, v] : s.options) resolve("stores." + s.name + "." + k, v);
}

}  // namespace hlsfs
