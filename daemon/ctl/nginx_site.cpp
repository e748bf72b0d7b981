#include "daemon/ctl/nginx_site.h"

namespace hlsfs {

namespace {

// The signature check of every signed location (media and the player's
// readout): one text, so that the two can never drift apart.
// A signed URL, /s/<signature>/<expires><prefix>/~<rest>: the node's site and
// the cluster front match it alike (the front hashes prefix + rest).
constexpr const char* kSignedLocation =
    "  location ~ ^/s/(?<hlsfs_sig>[A-Za-z0-9_-]+)/(?<hlsfs_exp>[0-9]+)(?<hlsfs_prefix>/.+?)/~(?<hlsfs_rest>/.+)$ {\n";
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
  // A library's playlists change when its files do (same names, new
  // tokens): never kept by a cache. Everything else may be.
  std::string libraries;
  for (const auto& st : cfg.stores)
    if (st.library) libraries += (libraries.empty() ? "" : "|") + st.name;
  if (!libraries.empty()) {
    s += "map $uri $hlsfs_cache_control {\n";
    s += "  \"~^/(" + libraries + ")/.*\\.m3u8$\" \"no-store\";  # library stores: a replaced file, a new playlist\n";
    s += "  default \"public, max-age=86400\";\n";
    s += "}\n";
  }
  s += "server {\n";
  s += "  listen " + listen + ";\n";
  s += "  root " + cfg.mount + ";\n";
  s += "  set $hlsfs_secret \"" + cfg.signing_secret + "\";\n";
  s += "\n";
  s += "  # /s/<md5>/<expires>/<prefix>/~/<rest>: the signature covers the expiry and\n";
  s += "  # the directory <prefix>, so a signed playlist's relative URIs (renditions,\n";
  s += "  # segments) stay authorized, and nothing outside <prefix> is.\n";
  s += kSignedLocation;
  s += kCheckSignature;
  s += "    rewrite ^ $hlsfs_prefix$hlsfs_rest break;\n";
  s += "    # What the mount holds, whatever the server's mime.types knows (WebVTT\n";
  s += "    # is missing from Debian's).\n";
  s += "    types { application/vnd.apple.mpegurl m3u8; video/mp2t ts; text/vtt vtt; video/mp4 mp4 m4s; image/jpeg jpg; }\n";
  s += "    add_header Access-Control-Allow-Origin \"" + cfg.cors_origin + "\" always;\n";
  s += "    # Segments never change under a name, VOD playlists neither: CDNs may\n";
  s += "    # keep both (cache key without the /s/<md5>/<expires> part: see docs/operations.md).\n";
  s += libraries.empty() ? "    add_header Cache-Control \"public, max-age=86400\" always;\n"
                         : "    add_header Cache-Control $hlsfs_cache_control always;\n";
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

std::vector<std::string> parse_cluster_nodes(const std::string& list) {
  std::vector<std::string> nodes;
  size_t start = 0;
  while (start <= list.size()) {
    size_t comma = list.find(',', start);
    std::string node = list.substr(start, comma == std::string::npos ? std::string::npos : comma - start);
    // Inside the nginx configuration: host (name, IPv4, [IPv6]) and port only.
    if (node.empty() ||
        node.find_first_not_of("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789.-:[]_") != std::string::npos)
      throw ConfigError("--cluster: \"" + node + "\" is not a node's address (HOST:PORT, comma-separated)");
    nodes.push_back(node);
    if (comma == std::string::npos) break;
    start = comma + 1;
  }
  return nodes;
}

std::string nginx_front_site(const Config& cfg, const std::string& listen, const std::vector<std::string>& nodes,
                             int tries) {
  if (cfg.signing_secret.empty())
    throw ConfigError(cfg.path + ": signing.secret is not set: no anonymous playback, so nginx needs it");
  if (nodes.empty()) throw ConfigError("--cluster: no nodes");
  if (tries < 1 || tries > static_cast<int>(nodes.size()))
    throw ConfigError("--tries: must be between 1 and the number of nodes (" + std::to_string(nodes.size()) + ")");
  std::string s;
  s += "# hlsfs cluster front, made by `hlsfsctl nginx-site --cluster` from " + cfg.path + ".\n";
  s += "# Before the nodes' own sites (`hlsfsctl nginx-site` on each, same signing\n";
  s += "# secret). Holds the secret: write it with --output (mode 0600).\n";
  s += "# Adding or removing a node: change --cluster, regenerate, nginx -s reload;\n";
  s += "# consistent hashing moves only that node's share of the segments.\n";
  s += "upstream hlsfs_nodes {\n";
  s += "  # The object's path, without signature and expiry: every viewer of a\n";
  s += "  # segment reaches the node that made it (or will make it) while it is up.\n";
  s += "  hash $hlsfs_prefix$hlsfs_rest consistent;\n";
  for (const std::string& n : nodes)
    s += "  server " + n + " max_fails=1 fail_timeout=10s;  # down: skipped 10 s, then tried again\n";
  s += "  keepalive 32;\n";
  s += "}\n";
  s += "server {\n";
  s += "  listen " + listen + ";\n";
  s += "  set $hlsfs_secret \"" + cfg.signing_secret + "\";\n";
  s += kSignedLocation;
  s += kCheckSignature;
  s += "    proxy_pass http://hlsfs_nodes;  # the URI as it came: the node checks it again\n";
  s += "    proxy_http_version 1.1;\n";
  s += "    proxy_set_header Connection \"\";\n";
  s += "    # A node that is gone (refused, timed out, its nginx answering 502/503,\n";
  s += "    # or 500: its nginx up but its hlsfsd dead, the mount not connected):\n";
  s += "    # the next node on the ring makes or fetches the segment. Bounded.\n";
  s += "    proxy_next_upstream error timeout http_500 http_502 http_503;\n";
  s += "    proxy_next_upstream_tries " + std::to_string(tries) + ";\n";
  s += "    proxy_next_upstream_timeout 120s;\n";
  s += "    proxy_connect_timeout 2s;\n";
  s += "    proxy_read_timeout 120s;  # a cold segment takes its transcode time\n";
  s += "  }\n";
  s += "  # No anonymous playback.\n";
  s += "  location / { return 403; }\n";
  s += "}\n";
  return s;
}

}  // namespace hlsfs
