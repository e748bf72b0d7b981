// `hlsfsctl render REQUEST.json`: GenerateVideoPlaylist and segment making
// in one process, no daemon, for file:/// URIs.
#pragma once
#include <string>
#include <vector>

namespace hlsfs {

struct RenderOptions {
  std::string request_path;
  std::string segments = "all";  // "all" or "N,M-K"
  bool shuffled = false;
  int jobs = 1;
  std::string preset = "veryfast";
  int threads = 2;
  std::string x264_params;
  bool quiet = false;
  // Segment k of renditions that can share a decode is made in one job (one
  // decode, one encoder each); false: each alone (same bytes, for checking).
  bool share_decode = true;
};

// Which segment indexes "0,3-5" names, checked against count. Throws
// std::invalid_argument with a clear message.
std::vector<size_t> parse_segment_list(const std::string& spec, size_t count);

// Returns the process exit code; prints the response JSON on stdout and one
// clear error line on stderr.
int run_render(const RenderOptions& opt);

}  // namespace hlsfs
