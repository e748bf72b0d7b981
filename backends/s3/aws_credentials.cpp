#include "backends/s3/aws_credentials.h"

#include <cstdlib>
#include <fstream>
#include <sstream>

#include "backends/objstore/encode.h"

namespace hlsfs_s3 {

using objstore::ConfigError;
using objstore::config_error;
using objstore::Credentials;

namespace {

std::string env(const char* name) {
  const char* v = getenv(name);
  return v ? v : "";
}

std::string credentials_file() {
  std::string path = env("AWS_SHARED_CREDENTIALS_FILE");
  if (!path.empty()) return path;
  std::string home = env("HOME");
  return home.empty() ? "" : home + "/.aws/credentials";
}

bool read_file(const std::string& path, std::string* text) {
  std::ifstream in(path);
  if (!in) return false;
  std::ostringstream s;
  s << in.rdbuf();
  *text = s.str();
  return true;
}

}  // namespace

bool parse_aws_credentials_file(std::string_view text, const std::string& profile, Credentials* out) {
  Credentials c;
  bool in_section = false, found = false;
  std::istringstream lines{std::string(text)};
  for (std::string line; std::getline(lines, line);) {
    std::string l = objstore::trim_collapse(line.substr(0, line.find_last_not_of("\r") + 1));
    if (l.empty() || l[0] == '#' || l[0] == ';') continue;
    if (l.front() == '[' && l.back() == ']') {
      in_section = objstore::trim_collapse(l.substr(1, l.size() - 2)) == profile;
      found = found || in_section;
      continue;
    }
    size_t eq = l.find('=');
    if (!in_section || eq == std::string::npos) continue;
    std::string k = objstore::to_lower(objstore::trim_collapse(l.substr(0, eq)));
    std::string v = objstore::trim_collapse(l.substr(eq + 1));
    if (k == "aws_access_key_id") c.access_key_id = v;
    else if (k == "aws_secret_access_key") c.secret = v;
    else if (k == "aws_session_token") c.session_token = v;
  }
  if (!found || c.access_key_id.empty() || c.secret.empty()) return false;
  *out = c;
  return true;
}

Credentials resolve_aws_credentials(objstore::ConfigMap& c) {
  Credentials creds;
  auto id = c.take("access_key_id");
  auto secret = c.take("secret_access_key");
  auto token = c.take("session_token");
  auto profile = c.take("profile");
  if (id || secret) {
    if (!id || id->empty()) throw ConfigError(config_error("access_key_id", "required with secret_access_key"));
    if (!secret || secret->empty()) throw ConfigError(config_error("secret_access_key", "required with access_key_id"));
    return Credentials{*id, *secret, token ? *token : ""};
  }
  if (token) throw ConfigError(config_error("session_token", "needs access_key_id and secret_access_key"));

  const std::string file = credentials_file();
  if (profile) {
    std::string text;
    if (file.empty() || !read_file(file, &text))
      throw ConfigError(config_error("profile", "cannot read the credentials file \"" + file + "\""));
    if (!parse_aws_credentials_file(text, *profile, &creds))
      throw ConfigError(config_error("profile", "no key pair for [" + *profile + "] in " + file));
    return creds;
  }
  if (!env("AWS_ACCESS_KEY_ID").empty() || !env("AWS_SECRET_ACCESS_KEY").empty()) {
    creds = Credentials{env("AWS_ACCESS_KEY_ID"), env("AWS_SECRET_ACCESS_KEY"), env("AWS_SESSION_TOKEN")};
    if (creds.access_key_id.empty() || creds.secret.empty())
      throw ConfigError(config_error("access_key_id", "the environment has only one of AWS_ACCESS_KEY_ID and "
                                                      "AWS_SECRET_ACCESS_KEY"));
    return creds;
  }
  std::string wanted = env("AWS_PROFILE").empty() ? "default" : env("AWS_PROFILE");
  std::string text;
  if (!file.empty() && read_file(file, &text) && parse_aws_credentials_file(text, wanted, &creds)) return creds;
  throw ConfigError(config_error(
      "access_key_id", "no credentials: give access_key_id and secret_access_key, or set AWS_ACCESS_KEY_ID and "
                       "AWS_SECRET_ACCESS_KEY, or a [" + wanted + "] profile in " +
                           (file.empty() ? std::string("~/.aws/credentials") : file)));
}

}  // namespace hlsfs_s3
