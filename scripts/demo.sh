#!/usr/bin/env bash
# The demo command: installs what it needs, builds hlsfs, makes a sample
# video, starts hlsfsd on a local store (mounted at build/demo/mnt) and nginx
# on 127.0.0.1 (its workers as www-data) serving the mount through signed
# URLs only, generates a master playlist (720p + 360p) and prints the signed
# URL of the player page; a library store (two small clips) beside it plays
# with no API call (its URL is printed too).
# Every segment is made when the player first reads it. Ctrl-C stops it all
# and unmounts.
# Environment: HLSFS_DEMO_PORT (8088), HLSFS_DEMO_METRICS_PORT (9480),
# HLSFS_DEMO_DIR (build/demo; /var/tmp/hlsfs-demo when www-data cannot
# enter the repository, e.g. under /root), HLSFS_DEMO_TTL (12h).
set -euo pipefail
repo=$(cd "$(dirname "$0")/.." && pwd)
cd "$repo"
[ "$(id -u)" -eq 0 ] || { echo "demo: run as root (FUSE mount with allow_other, nginx)"; exit 1; }
scripts/deps.sh all
scripts/build.sh build

port=${HLSFS_DEMO_PORT:-8088}
metrics_port=${HLSFS_DEMO_METRICS_PORT:-9480}
# nginx's workers run as www-data, not root: they read the mount (hlsfsd
# mounts it with allow_other), the player page and the control socket (the
# player's readout), all in the demo's directory, so www-data must be able
# to enter it.
web_user=www-data
can_enter() { mkdir -p "$1" && chmod o+x "$1" && runuser -u "$web_user" -- test -x "$1"; }
demo=${HLSFS_DEMO_DIR:-$repo/build/demo}
if ! can_enter "$demo"; then
  [ -z "${HLSFS_DEMO_DIR:-}" ] || { echo "demo: $web_user (nginx's workers) cannot enter $demo: choose another HLSFS_DEMO_DIR"; exit 1; }
  echo "demo: $web_user (nginx's workers) cannot enter $demo (a private parent such as /root): using /var/tmp/hlsfs-demo"
  demo=/var/tmp/hlsfs-demo
  can_enter "$demo" || { echo "demo: $web_user cannot enter $demo either: set HLSFS_DEMO_DIR"; exit 1; }
fi
mkdir -p "$demo/media" "$demo/nginx"
mountpoint -q "$demo/mnt" 2>/dev/null && fusermount3 -u -z "$demo/mnt" || true
mkdir -p "$demo/mnt" 2>/dev/null || fusermount3 -u -z "$demo/mnt"
src=$demo/media/sample.mp4
if [ ! -f "$src" ]; then
  echo "demo: making a 60 s 1080p sample video..."
  # ultrafast: made in about 15 s instead of 40 (a larger file, which is all
  # it changes: hlsfs transcodes it either way).
  ffmpeg -nostdin -hide_banner -loglevel error -y -f lavfi -i "testsrc2=size=1920x1080:rate=30" \
    -f lavfi -i "sine=frequency=440:sample_rate=48000" -t 60 -c:v libx264 -preset ultrafast -g 60 \
    -c:a aac -b:a 128k "$src"
fi
# A library store: every video file in it plays with no API call, as
# <mount>/movies/<dir>/<file>.hls/master.m3u8 (docs/media.md "Library mode").
if [ ! -f "$demo/library/clips/bars.mp4" ]; then
  echo "demo: making a small library (two clips and a text file)..."
  mkdir -p "$demo/library/clips"
  ffmpeg -nostdin -hide_banner -loglevel error -y -f lavfi -i "testsrc2=size=1280x720:rate=25" \
    -f lavfi -i "sine=frequency=660:sample_rate=48000" -t 20 -c:v libx264 -preset ultrafast -g 50 \
    -pix_fmt yuv420p -c:a aac -b:a 96k "$demo/library/clips/bars.mp4"
  ffmpeg -nostdin -hide_banner -loglevel error -y -f lavfi -i "smptehdbars=size=854x480:rate=25" \
    -f lavfi -i "sine=frequency=330:sample_rate=48000" -t 10 -c:v libx264 -preset ultrafast -g 50 \
    -pix_fmt yuv420p -c:a aac -b:a 96k "$demo/library/smpte.mkv"
  echo "not a video: not shown in the mount" >"$demo/library/readme.txt"
fi
# The signing secret: made once, kept beside the demo's state.
[ -s "$demo/secret" ] || (umask 077; head -c 24 /dev/urandom | od -An -tx1 | tr -d " \n" >"$demo/secret")
(umask 077; cat >"$demo/hlsfs.yaml" <<YAML
mount: $demo/mnt
state_dir: $demo/state
cache_dir: $demo/cache
control: {socket: $demo/control.sock}
metrics: {listen: 127.0.0.1:$metrics_port}
transcoder: {workers: 2, prefetch_segments: 2}
signing: {secret: $(cat "$demo/secret"), base_url: "http://127.0.0.1:$port", default_ttl: ${HLSFS_DEMO_TTL:-12h}}
stores:
  media: {plugin: local, root: $demo/media}
  movies:
    plugin: local
    root: $demo/library
    library: {renditions: [720, 360], duration: 6}
YAML
)
ctl() { build/bin/hlsfsctl --config "$demo/hlsfs.yaml" "$@"; }
pids=()
stop() {
  echo; echo "demo: stopping"
  for p in "${pids[@]}"; do kill -TERM "$p" 2>/dev/null || true; done
  wait 2>/dev/null || true
  mountpoint -q "$demo/mnt" 2>/dev/null && fusermount3 -u -z "$demo/mnt" || true
}
trap stop EXIT
trap 'exit 0' INT TERM

build/bin/hlsfsd --config "$demo/hlsfs.yaml" 2>&1 | sed -u 's/^/hlsfsd: /' &
pids+=($!)
for _ in $(seq 100); do
  curl -sf --unix-socket "$demo/control.sock" http://hlsfs/healthz >/dev/null 2>&1 && break
  sleep 0.1
done
# The readout's requests reach the control socket (0660) through its group.
# That is the whole control API for www-data: fine on a demo machine.
chgrp "$web_user" "$demo/control.sock"
# The player page, where www-data can read it wherever the repository is.
install -d -m 755 "$demo/player"
install -m 644 etc/player/index.html tests/browser/node_modules/hls.js/dist/hls.min.js "$demo/player/"
# The site holds the signing secret: --output writes it 0600 (nginx's master
# reads its configuration as root, before starting the workers).
ctl nginx-site --listen "127.0.0.1:$port" --player "$demo/player" --hls-js "$demo/player/hls.min.js" \
  --output "$demo/nginx/site.conf"
# Temporary files (request bodies, large proxied replies) go where the
# workers may write.
install -d -m 700 -o "$web_user" "$demo/nginx/tmp"
cat >"$demo/nginx/nginx.conf" <<CONF
daemon off;
worker_processes 8;  # a worker waits while a cold segment is made: several per core
user $web_user;
pid $demo/nginx/nginx.pid;
error_log $demo/nginx/error.log warn;
events { worker_connections 256; }
http {
  include /etc/nginx/mime.types;
  access_log $demo/nginx/access.log;
  sendfile on;
  client_body_temp_path $demo/nginx/tmp; proxy_temp_path $demo/nginx/tmp; fastcgi_temp_path $demo/nginx/tmp;
  uwsgi_temp_path $demo/nginx/tmp; scgi_temp_path $demo/nginx/tmp;
  include $demo/nginx/site.conf;
}
CONF
nginx -c "$demo/nginx/nginx.conf" &
pids+=($!)
cat >"$demo/request.json" <<JSON
{"SourceURI":"file://$src","MasterURI":"file://$demo/media/out/sample/master.m3u8",
 "Targets":[
  {"URI":"file://$demo/media/out/sample/720p","Duration":10,"InitialSegments":[2,2,2],"InitialTranscode":6,
   "Video":{"TranscodeVideo":{"CRF":26,"FrameRate":25,"Resolution":"1280x","ScaleType":"fit"}},
   "Audio":{"TranscodeAudio":{"Codec":"aac","Bitrate":128000,"SampleRate":44100}}},
  {"URI":"file://$demo/media/out/sample/360p","Duration":10,"InitialSegments":[2,2,2],"InitialTranscode":6,
   "Video":{"TranscodeVideo":{"CRF":26,"FrameRate":25,"Resolution":"640x","ScaleType":"fit"}},
   "Audio":{"TranscodeAudio":{"Codec":"aac","Bitrate":64000,"SampleRate":44100}}}]}
JSON
echo "demo: GenerateVideoPlaylist $demo/request.json"
ctl generate "$demo/request.json"
master=$(ctl sign /media/out/sample/master.m3u8)
master_path=/${master#http://*/}
player="http://127.0.0.1:$port/player/?src=$(python3 -c 'import sys, urllib.parse; print(urllib.parse.quote(sys.argv[1], safe=""))' "$master_path")"
# A library title: no generate, its master appears on first access.
library_master=$(ctl sign /movies/clips/bars.mp4.hls/master.m3u8)
library_player="http://127.0.0.1:$port/player/?src=$(python3 -c 'import sys, urllib.parse; print(urllib.parse.quote(sys.argv[1], safe=""))' "/${library_master#http://*/}")"
cat <<EOF

  Player (hls.js, signed):  $player
  Library title (signed):   $library_player
                            (no API call: ls $demo/mnt/movies $demo/mnt/movies/clips)
  Signed master playlist:   $master
                            (ffplay, mpv, VLC, Safari; valid ${HLSFS_DEMO_TTL:-12h})
  Anything unsigned:        http://127.0.0.1:$port/media/out/sample/master.m3u8  -> 403
  The mount:                ls $demo/mnt/media/out/sample
  Status:                   build/bin/hlsfsctl --config $demo/hlsfs.yaml status
  Metrics:                  curl -s http://127.0.0.1:$metrics_port/metrics

  Ctrl-C stops hlsfsd (unmounting) and nginx.
EOF
wait
