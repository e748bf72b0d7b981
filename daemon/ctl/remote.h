// hlsfsctl commands that talk to a running hlsfsd over its control API.
#pragma once
#include <string>

namespace hlsfs {

// The control endpoint: --endpoint if given, else from the daemon's YAML
// (control.socket). For an http:// endpoint, the token of the YAML's
// control.token_file (if that YAML exists here) goes with every request of
// the run_* commands below.
std::string control_endpoint(const std::string& config_path, const std::string& endpoint_flag);

struct GenerateOptions {
  std::string request_path;  // the GenerateVideoPlaylist request (JSON)
};
struct StatusOptions {
  bool json = false;  // the daemon's answer as it is, not the summary
};
struct GcOptions {
  bool dry_run = false;  // report what a pass would free, free nothing
};

struct QuarantineOptions {
  bool clear = false;  // else list
  std::string uri;     // clear: the source
  bool json = false;   // list: the daemon's answer as it is
};

// 0 done; 1 failed (no daemon, an error answer); generate: 2 for a 4xx (the
// request is refused).
int run_generate(const std::string& endpoint, const GenerateOptions& options);
int run_status(const std::string& endpoint, const StatusOptions& options);
int run_gc(const std::string& endpoint, const GcOptions& options);
// list: one line per source with faults; clear: 0 when it was known, 1 not.
int run_quarantine(const std::string& endpoint, const QuarantineOptions& options);

}  // namespace hlsfs
