#!/usr/bin/env bash
# Prints an nginx configuration that serves an hlsfs mount on 127.0.0.1, with
# the player page (hls.js from npm, no CDN) at /player/. Used by the tests
# (scripts/demo.sh writes its own, with unprivileged workers). With HLSFS_CONFIG, the server is the signed site of
# `hlsfsctl nginx-site` (no anonymous playback); without, the mount is open
# (tests of the mount itself).
# Usage: nginx-conf.sh STATE_DIR PORT MOUNT [HLSFS_CONFIG]
set -euo pipefail
state=$1 port=$2 mount=$3 hlsfs_config=${4:-}
repo=$(cd "$(dirname "$0")/.." && pwd)
hls_js=$repo/tests/browser/node_modules/hls.js/dist/hls.min.js
if [ -n "$hlsfs_config" ]; then
  server=$("${HLSFSCTL:-$repo/build/bin/hlsfsctl}" --config "$hlsfs_config" nginx-site --listen "127.0.0.1:$port" \
    --player "$repo/etc/player" --hls-js "$hls_js")
else
  server="server {
    listen 127.0.0.1:$port;
    root $mount;
    add_header Access-Control-Allow-Origin *;
    location /player/ { alias $repo/etc/player/; }
    location = /player/hls.min.js { alias $hls_js; }
    location /test-player/ { alias $repo/tests/browser/; index player.html; }
    location = /test-player/hls.min.js { alias $hls_js; }
  }"
fi
cat <<CONF
daemon off;
worker_processes 8;  # a worker waits while a cold segment is made: several per core
user root;
pid $state/nginx.pid;
error_log $state/error.log warn;
events { worker_connections 256; }
http {
  include /etc/nginx/mime.types;
  access_log $state/access.log;
  sendfile on;
  client_body_temp_path $state; proxy_temp_path $state; fastcgi_temp_path $state;
  uwsgi_temp_path $state; scgi_temp_path $state;
$server
}
CONF
