// hlsfsctl commands that talk to a running hlsfsd over its control API.
#pragma once
#include <string>

namespace hlsfs {

// The control endpoint: --endpoint if given, else from the daemon's YAML
// (control.socket). For an http:// endpoint, the token of the YAML's
// control.token_file (if that YAML exists here) goes with every request of
// the run_* commands below.
std::string control_endpoint(const std::string& config_path, const std::string& endpoint_flag);

int run_generate(const std::string& endpoint, const std::string& request_path);
int run_status(const std::string& endpoint, bool as_json);
int run_gc(const std::string& endpoint, bool dry_run);

}  // namespace hlsfs
