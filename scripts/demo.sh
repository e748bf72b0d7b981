#!/usr/bin/env bash
# The demo command: installs what it needs, builds hlsfs, makes a sample
# video, renders it to HLS with `hlsfsctl render` (segments made in shuffled
# order, as a player seeking around would ask for them) and checks the result
# the way a player would with hls-check. Then serves it on 127.0.0.1.
set -euo pipefail
repo=$(cd "$(dirname "$0")/.." && pwd)
cd "$repo"
scripts/deps.sh all
scripts/build.sh build

demo=$repo/build/demo
mkdir -p "$demo/media" "$demo/out"
src=$demo/media/sample.mp4
if [ ! -f "$src" ]; then
  echo "making a 30 s 1080p sample video..."
  ffmpeg -nostdin -hide_banner -loglevel error -y -f lavfi -i "testsrc2=size=1920x1080:rate=30" \
    -f lavfi -i "sine=frequency=440:sample_rate=48000" -t 30 -c:v libx264 -preset veryfast -g 60 \
    -c:a aac -b:a 128k "$src"
fi
cat >"$demo/request.json" <<JSON
{"SourceURI":"file://$src","MasterURI":"file://$demo/out/master.m3u8",
 "Targets":[
  {"URI":"file://$demo/out/720p","Duration":10,"InitialSegments":[2,2,2],
   "Video":{"TranscodeVideo":{"CRF":26,"FrameRate":25,"Resolution":"1280x","ScaleType":"fit"}},
   "Audio":{"TranscodeAudio":{"Codec":"aac","Bitrate":128000,"SampleRate":44100}}},
  {"URI":"file://$demo/out/360p","Duration":10,"InitialSegments":[2,2,2],
   "Video":{"TranscodeVideo":{"Bitrate":800000,"Resolution":"640x"}},
   "Audio":{"TranscodeAudio":{"Codec":"aac","Bitrate":64000}}}]}
JSON
echo "request: $demo/request.json"
build/bin/hlsfsctl render "$demo/request.json" --order shuffled --jobs 2
shared=$repo/../shared/tools/hls-check
[ -x "$shared" ] || shared=$repo/tests/tools/hls-check
for p in 720p 360p; do
  echo -n "hls-check $p.m3u8: "
  "$shared" "$demo/out/$p.m3u8" | tail -1
done
port=${HLSFS_DEMO_PORT:-8088}
echo
echo "Play it: http://127.0.0.1:$port/master.m3u8 (e.g. ffplay, mpv, VLC or Safari); Ctrl-C stops."
exec python3 -m http.server "$port" --bind 127.0.0.1 --directory "$demo/out"
