// The nginx site for hlsfs, filled from hlsfs.yaml: serves the mount only
// through signed URLs (secure_link), with CORS and cache headers; anonymous
// requests get 403. `hlsfsctl nginx-site` prints it; etc/nginx/hlsfs.conf is
// the annotated example.
#pragma once
#include <string>

#include "daemon/config/config.h"

namespace hlsfs {

// listen: "127.0.0.1:8088"; player_dir: a directory served at /player/ ("" = none),
// hls_js: the hls.min.js file served at /player/hls.min.js.
std::string nginx_site(const Config& cfg, const std::string& listen, const std::string& player_dir,
                       const std::string& hls_js);

}  // namespace hlsfs
