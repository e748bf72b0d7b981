// The nginx site for hlsfs, filled from hlsfs.yaml: serves the mount only
// through signed URLs (secure_link), with CORS and cache headers; anonymous
// requests get 403. `hlsfsctl nginx-site` prints it; etc/nginx/hlsfs.conf is
// the annotated example.
#pragma once
#include <string>
#include <vector>

#include "daemon/config/config.h"

namespace hlsfs {

// listen: "127.0.0.1:8088"; player_dir: a directory served at /player/ ("" = none),
// hls_js: the hls.min.js file served at /player/hls.min.js.
std::string nginx_site(const Config& cfg, const std::string& listen, const std::string& player_dir,
                       const std::string& hls_js);

// The front of a cluster (issue 17; docs/operations.md "Cluster"): one
// nginx before the nodes' own sites (`nodes`: their address:port), routing
// each object to one node by consistent hashing of its path (the signature
// and expiry left out, so every viewer of a segment lands on the same node),
// and retrying the next node when one fails (at most `tries` nodes a request).
// Signatures are checked here and again at the nodes: one secret for all.
std::string nginx_front_site(const Config& cfg, const std::string& listen, const std::vector<std::string>& nodes,
                             int tries);
// "a:8088,b:8088" -> {"a:8088", "b:8088"}; throws ConfigError naming --cluster.
std::vector<std::string> parse_cluster_nodes(const std::string& list);

}  // namespace hlsfs
