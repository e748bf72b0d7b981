// hlsfsctl's commands for signed playback: they read hlsfs.yaml (and its
// secret), never the daemon.
#pragma once
#include <string>

namespace hlsfs {

struct SignRequest {
  std::string what;               // a path under the mount, or a file:/// (s3://, oss://) target URI
  std::string ttl;                // "" = signing.default_ttl
  bool allow_store_root = false;  // sign a playlist at a store's root (authorizes the whole store)
};
// Prints a signed URL. 2: a usage error (no secret, not in a store, a store root).
int sign_command(const std::string& config_path, const SignRequest& request);

struct NginxSiteRequest {
  std::string listen = "127.0.0.1:8088";
  std::string player_dir, hls_js;  // "" = no player page
  std::string output;              // "" = stdout; else written mode 0600
  std::string cluster;             // "host:port,...": the front of a cluster of these nodes instead
  int tries = 2;                   // with cluster: nodes a request may try
};
int nginx_site_command(const std::string& config_path, const NginxSiteRequest& request);

}  // namespace hlsfs
