#!/usr/bin/env bash
# The demo command: installs what it needs, builds hlsfs, makes a sample
# video, starts hlsfsd on a local store (mounted at build/demo/mnt), nginx on
# 127.0.0.1 serving the mount, generates a playlist, and prints URLs that play.
# Every segment is made when the player first reads it. Ctrl-C stops it all.
set -euo pipefail
repo=$(cd "$(dirname "$0")/.." && pwd)
cd "$repo"
[ "$(id -u)" -eq 0 ] || { echo "demo: run as root (FUSE mount with allow_other, nginx)"; exit 1; }
scripts/deps.sh all
scripts/build.sh build

demo=$repo/build/demo
port=${HLSFS_DEMO_PORT:-8088}
mkdir -p "$demo/media" "$demo/nginx"
mountpoint -q "$demo/mnt" 2>/dev/null && fusermount3 -u -z "$demo/mnt" || true
mkdir -p "$demo/mnt" 2>/dev/null || fusermount3 -u -z "$demo/mnt"
src=$demo/media/sample.mp4
if [ ! -f "$src" ]; then
  echo "demo: making a 60 s 1080p sample video..."
  ffmpeg -nostdin -hide_banner -loglevel error -y -f lavfi -i "testsrc2=size=1920x1080:rate=30" \
    -f lavfi -i "sine=frequency=440:sample_rate=48000" -t 60 -c:v libx264 -preset veryfast -g 60 \
    -c:a aac -b:a 128k "$src"
fi
cat >"$demo/hlsfs.yaml" <<YAML
mount: $demo/mnt
state_dir: $demo/state
cache_dir: $demo/cache
control: {socket: $demo/control.sock}
metrics: {listen: 127.0.0.1:9480}
transcoder: {workers: 2, prefetch_segments: 2}
stores:
  media: {plugin: local, root: $demo/media}
YAML
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
scripts/nginx-conf.sh "$demo/nginx" "$port" "$demo/mnt" >"$demo/nginx/nginx.conf"
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
build/bin/hlsfsctl --endpoint "unix:$demo/control.sock" generate "$demo/request.json"
cat <<EOF

  Player (hls.js):  http://127.0.0.1:$port/player/?src=/media/out/sample/master.m3u8
  Playlist:         http://127.0.0.1:$port/media/out/sample/master.m3u8   (ffplay, mpv, VLC, Safari)
  The mount:        ls $demo/mnt/media/out/sample
  Status:           build/bin/hlsfsctl --endpoint unix:$demo/control.sock status
  Metrics:          curl -s http://127.0.0.1:9480/metrics

  Ctrl-C stops hlsfsd (unmounting) and nginx.
EOF
wait
