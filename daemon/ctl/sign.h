// Signed playback URLs, checked by nginx's secure_link module (see
// etc/nginx/hlsfs.conf):
//
//   /s/<md5>/<expires>/<prefix>/~/<rest>
//
// The signature covers the expiry and a directory prefix (the playlist's
// directory), so the relative URIs in a playlist (renditions of a master in
// sub-directories, segments) resolve under the same signed prefix and are
// authorized, and nothing outside that directory is. The API keeps every
// target and subtitle URI in MasterURI's directory or below (IMM's rule), so
// the master's directory always covers its renditions.
//   md5 = base64url(MD5(expires + prefix + " " + secret)), no padding
// (nginx: secure_link_md5 "$secure_link_expires$hlsfs_prefix $hlsfs_secret").
#pragma once
#include <cstdint>
#include <string>

namespace hlsfs {

struct SignedPath {
  std::string prefix;   // "/media/out/movie" (no trailing '/')
  std::string rest;     // "master.m3u8"
  int64_t expires = 0;  // unix seconds
  std::string signature;
  std::string path() const;  // "/s/<sig>/<exp><prefix>/~/<rest>"
};

// path: a path under the mount ("/media/out/movie/master.m3u8"). Throws
// std::invalid_argument for anything else, and for a playlist at a store's
// root ("/media/master.m3u8"): its prefix is the store, so its URL would open
// every file in it, unless allow_store_root.
SignedPath sign_path(const std::string& path, const std::string& secret, int64_t expires,
                     bool allow_store_root = false);

std::string secure_link_md5(const std::string& text);  // base64url of MD5, no padding

}  // namespace hlsfs
