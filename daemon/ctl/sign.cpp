#include "daemon/ctl/sign.h"

#include <algorithm>
#include <stdexcept>
#include <string_view>

#include "hlsfs/base64.h"
#include "hlsfs/digest.h"

namespace hlsfs {

std::string secure_link_md5(const std::string& text) {
  return base64url(md5(text));
}

std::string SignedPath::path() const {
  return "/s/" + signature + "/" + std::to_string(expires) + prefix + "/~/" + rest;
}

SignedPath sign_path(const std::string& path, const std::string& secret, int64_t expires, bool allow_store_root) {
  auto not_a_path = [&]() {
    return std::invalid_argument("\"" + path + "\" is not a path under the mount like /media/out/movie/master.m3u8");
  };
  if (path.empty() || path[0] != '/') throw not_a_path();
  // nginx normalizes "//", "." and ".." before matching: a prefix holding
  // them would never verify, and "~" is the separator of signed URLs.
  for (size_t at = 1, end; at <= path.size(); at = end + 1) {
    end = std::min(path.find('/', at), path.size());
    std::string part = path.substr(at, end - at);
    if (part.empty() || part == "." || part == ".." || part == "~") throw not_a_path();
  }
  auto slash = path.rfind('/');
  SignedPath s;
  s.prefix = path.substr(0, slash);
  s.rest = path.substr(slash + 1);
  if (s.prefix.empty())
    throw std::invalid_argument("\"" + path + "\": sign a playlist inside a store, like /media/out/movie/master.m3u8");
  if (s.prefix.find('/', 1) == std::string::npos && !allow_store_root)
    throw std::invalid_argument("\"" + path + "\" is at the root of store \"" + s.prefix.substr(1) +
                                "\": its signed URL would open every file in the store. Keep each title in a "
                                "directory of its own (MasterURI .../out/<title>/master.m3u8), or pass "
                                "--allow-store-root if that is what you want");
  s.expires = expires;
  s.signature = secure_link_md5(std::to_string(expires) + s.prefix + " " + secret);
  return s;
}

}  // namespace hlsfs
