#include "daemon/ctl/nginx_site.h"

namespace hlsfs {

namespace {

// The signature check of every signed location (media and the player's
// readout): one text, so that the two can never drift apart.
constexpr const char* kCheckSignature =
    "    secure_link $hlsfs_sig,$hlsfs_exp;\n"
    "    secure_link_md5 \"$secure_link_expires$hlsfs_prefix $hlsfs_secret\";\n"
    "    if ($secure_link = \"\") { return 403; }   # missing or wrong signature\n"
    "    if ($secure_link = \"0\") { return 403; }  # expired\n";

}  // namespace

std::string nginx_site(const Config& cfg, const std::string& listen, const std::string& player_dir,
                       const std::string& hls_js) {
  if (cfg.signing_secret.empty())
    throw ConfigError(cfg.path + ": signing.secret is not set: no anonymous playback, so nginx needs it");
  std::string s;
  s += "# hlsfs site, made by `hlsfsctl nginx-site` from " + cfg.path + ".\n";
  s += "# It holds the signing secret: readable by root only (nginx's master\n";
  s += "# process reads its configuration as root). --output writes it mode 0600:\n";
  s += "#   hlsfsctl nginx-site --listen 80 --output /etc/nginx/conf.d/hlsfs.conf\n";
  s += "#   nginx -t && nginx -s reload\n";
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
  s += kCheckSignature;
  s += "    rewrite ^ $hlsfs_prefix$hlsfs_rest break;\n";
  s += "    # What the mount holds, whatever the server's mime.types knows (WebVTT\n";
  s += "    # is missing from Debian's).\n";
  s += "    types { application/vnd.apple.mpegurl m3u8; video/mp2t ts; text/vtt vtt; }\n";
  s += "    add_header Access-Control-Allow-Origin \"" + cfg.cors_origin + "\" always;\n";
  s += "    # Segments never change under a name, VOD playlists neither: CDNs may\n";
  s += "    # keep both (cache key without the /s/<md5>/<expires> part: see docs/operations.md).\n";
  s += "    add_header Cache-Control \"public, max-age=86400\" always;\n";
  s += "  }\n";
  if (!player_dir.empty()) {
    s += "\n  # The player page (hls.js from npm, no CDN); the playlist it plays is signed.\n";
    s += "  location = /player/hls.min.js { alias " + hls_js + "; }\n";
    s += "  location /player/ { alias " + player_dir + "/; }\n";
    s += "  # Its live readout: the segments of one rendition (<token>, as in its\n";
    s += "  # segment names) just made, from the control API (GET /v1/events, read\n";
    s += "  # only). Signed like the media: <signed prefix>/~events/<token>?after=ID,\n";
    s += "  # so only a viewer holding a signed URL asks, and only about a token it\n";
    s += "  # has read in a playlist; any other query argument is dropped.\n";
    s += "  location ~ \"^/s/(?<hlsfs_sig>[A-Za-z0-9_-]+)/(?<hlsfs_exp>[0-9]+)(?<hlsfs_prefix>/.+?)/~events/(?<hlsfs_token>[0-9a-f]{32})$\" {\n";
    s += "    limit_except GET { deny all; }\n";
    s += kCheckSignature;
    s += "    rewrite ^ /v1/events?token=$hlsfs_token&after=$arg_after? break;\n";
    s += "    add_header Access-Control-Allow-Origin \"" + cfg.cors_origin + "\" always;\n";
    s += "    add_header Cache-Control \"no-store\" always;\n";
    s += "    proxy_pass http://unix:" + cfg.control_socket + ";\n";
    s += "  }\n";
  }
  s += "\n  # No anonymous playback.\n";
  s += "  location / { return 403; }\n";
  s += "}\n";
  return s;
}

}  // namespace hlsfs
