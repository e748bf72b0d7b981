// hlsfsctl commands that talk to a running hlsfsd over its control API.
#pragma once
#include <string>

namespace hlsfs {

// The control endpoint: --endpoint if given, else from the daemon's YAML
// (control.socket, or control.listen).
std::string control_endpoint(const std::string& config_path, const std::string& endpoint_flag);

int run_generate(const std::string& endpoint, const std::string& request_path);
int run_status(const std::string& endpoint, bool as_json);
int run_gc(const std::string& endpoint, bool dry_run);
// Prints a signed URL for a mount path or a file:/// target URI.
int run_sign(const std::string& config_path, const std::string& what, const std::string& ttl);
int run_nginx_site(const std::string& config_path, const std::string& listen, const std::string& player_dir,
                   const std::string& hls_js);

}  // namespace hlsfs
