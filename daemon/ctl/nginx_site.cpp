#include "daemon/ctl/nginx_site.h"

namespace hlsfs {

std::string nginx_site(const Config& cfg, const std::string& listen, const std::string& player_dir,
                       const std::string& hls_js) {
  if (cfg.signing_secret.empty())
    throw ConfigError(cfg.path + ": signing.secret is not set: no anonymous playback, so nginx needs it");
  std::string s;
  s += "# hlsfs site, made by `hlsfsctl nginx-site` from " + cfg.path + ".\n";
  s += "# It holds the signing secret: keep it readable by root and nginx only.\n";
  s += "#   hlsfsctl nginx-site --listen 80 >/etc/nginx/conf.d/hlsfs.conf\n";
  s += "#   chmod 640 /etc/nginx/conf.d/hlsfs.conf && nginx -t && nginx -s reload\n";
  s += "# TLS: add `listen 443 ssl;` and the ssl_certificate lines, or end TLS at\n";
  s += "# the CDN or load balancer. nginx's user must be able to read the mount\n";
  s += "# (hlsfsd mounts with allow_other).\n";
  s += "server {\n";
  s += "  listen " + listen + ";\n";
  s += "  root " + cfg.mount + ";\n";
  s += "  set $hlsfs_secret \"" + cfg.signing_secret + "\";\n";
  s += "\n";
  s += "  # /s/<md5>/<expires>/<prefix>/~/<rest>: the signature covers the expiry and\n";
  s += "  # the directory <prefix>, so a signed playlist's relative URIs (renditions,\n";
  s += "  # segments) stay authorized, and nothing outside <prefix> is.\n";
  s += "  location ~ ^/s/(?<hlsfs_sig>[A-Za-z0-9_-]+)/(?<hlsfs_exp>[0-9]+)(?<hlsfs_prefix>/.+?)/~(?<hlsfs_rest>/.+)$ {\n";
  s += "    secure_link $hlsfs_sig,$hlsfs_exp;\n";
  s += "    secure_link_md5 \"$secure_link_expires$hlsfs_prefix $hlsfs_secret\";\n";
  s += "    if ($secure_link = \"\") { return 403; }   # missing or wrong signature\n";
  s += "    if ($secure_link = \"0\") { return 403; }  # expired\n";
  s += "    rewrite ^ $hlsfs_prefix$hlsfs_rest break;\n";
  s += "    # What the mount holds, whatever the server's mime.types knows (WebVTT\n";
  s += "    # is missing from Debian's).\n";
  s += "    types { application/vnd.apple.mpegurl m3u8; video/mp2t ts; text/vtt vtt; }\n";
  s += "    add_header Access-Control-Allow-Origin \"" + cfg.cors_origin + "\" always;\n";
  s += "    # Segments never change under a name, VOD playlists neither: CDNs may\n";
  s += "    # keep both (cache key without the /s/<md5>/<expires> part: see README).\n";
  s += "    add_header Cache-Control \"public, max-age=86400\" always;\n";
  s += "  }\n";
  if (!player_dir.empty()) {
    s += "\n  # The player page (hls.js from npm, no CDN); the playlist it plays is signed.\n";
    s += "  location = /player/hls.min.js { alias " + hls_js + "; }\n";
    s += "  location /player/ { alias " + player_dir + "/; }\n";
    s += "  # Its live readout: which segments were just made (read-only, from the control API).\n";
    s += "  location = /player/events {\n";
    s += "    limit_except GET { deny all; }\n";
    s += "    proxy_pass http://unix:" + cfg.control_socket + ":/v1/events;\n";
    s += "  }\n";
  }
  s += "\n  # No anonymous playback.\n";
  s += "  location / { return 403; }\n";
  s += "}\n";
  return s;
}

}  // namespace hlsfs
