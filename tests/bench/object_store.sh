#!/usr/bin/env bash
# Sources in S3 (moto_server, signatures enforced) against the same file in
# a local store, on the daemon:
#  - bytes fetched from the store to make the LAST segment of a >= 500 MB
#    source, as a fraction of the source size, against that segment's share
#    of the file (target: under 2x the share);
#  - first-segment latency with the source in S3 vs in the local store
#    (target <= 1.3x), median of RUNS cold reads each, alternating, on the
#    60 s 1080p30 source of media_core.py (41 MB).
# Targets are local for both, so only the source's path differs.
# moto reads a whole object for every ranged GET (1.8 s per request on a
# 540 MB object, 0.1 s on 41 MB): latencies measure moto as much as hlsfs, and
# the generate of the 540 MB source (its probe reads every packet once)
# takes minutes (214 s here, 2026-12-02). Bytes are exact either way.
# Usage: tests/bench/object_store.sh [RUNS]   (as root: FUSE mount)
#        HLSFS_BENCH_BIG=0 skips the 540 MB part
source "$(dirname "$0")/../integration/lib.sh"
source "$(dirname "$0")/../integration/daemon_lib.sh"
source "$(dirname "$0")/../integration/moto_lib.sh"
runs=${1:-3}
src=$BUILD/bench/src72_1080p30_60mbps.mp4
small=$BUILD/bench/src60_1080p30.mp4
mkdir -p "$BUILD/bench"
[ -f "$small" ] || ffmpeg -nostdin -v error -y -f lavfi -i "testsrc2=size=1920x1080:rate=30" \
  -f lavfi -i "sine=frequency=440:sample_rate=48000" -t 60 -c:v libx264 -preset veryfast -g 60 -c:a aac "$small"
if [ ! -f "$src" ]; then
  echo "making a 72 s 1080p30 source at 60 Mbit/s (about 540 MB)..."
  ffmpeg -nostdin -v error -y -f lavfi -i "testsrc2=size=1920x1080:rate=30" \
    -f lavfi -i "sine=frequency=440:sample_rate=48000" -t 72 -c:v libx264 -preset ultrafast -g 60 \
    -b:v 60M -minrate 60M -maxrate 60M -bufsize 60M -x264-params nal-hrd=cbr -c:a aac "$src"
fi
d=$(mktemp -d /tmp/hlsfs-bench-s3.XXXXXX)
trap 'stop_daemon "$d"; stop_moto; rm -rf "$d"' EXIT
start_moto "$(free_port)" >/dev/null || fail "moto"
moto_bucket "$MOTO_ENDPOINT" media || fail "bucket"
python3 - "$src" "$small" <<'PY'
import os, sys, boto3
c = boto3.client("s3", endpoint_url=os.environ["MOTO_ENDPOINT"], region_name="us-east-1",
                 aws_access_key_id=os.environ["MOTO_ACCESS_KEY_ID"],
                 aws_secret_access_key=os.environ["MOTO_SECRET_ACCESS_KEY"])
c.upload_file(sys.argv[1], "media", "big.mp4")
c.upload_file(sys.argv[2], "media", "small.mp4")
PY
mkdir -p "$d/media"
ln "$small" "$d/media/small.mp4" 2>/dev/null || cp "$small" "$d/media/small.mp4"
store="  s3: {plugin: s3, bucket: media, endpoint: \"$MOTO_ENDPOINT\", region: us-east-1, access_key_id: $MOTO_ACCESS_KEY_ID, secret_access_key: \"$MOTO_SECRET_ACCESS_KEY\"}"
PREFETCH=0 start_daemon "$d" "$store"
# Every measurement starts on a fresh daemon: the daemon's block cache (which
# keeps what the probe and earlier jobs read) starts empty; the probes stay in
# the state, so nothing is probed again.
# A first job warms the new process up (threads, libav, x264) on another
# segment of the local rendition, so that only the source's path differs.
restart() {
  stop_daemon "$d"
  PREFETCH=0 start_daemon "$d" "$store"
  [ -z "${tok_local:-}" ] || cold_read local "$tok_local" 3 >/dev/null
}
request() {  # request NAME SOURCE_URI -> token
  cat >"$d/$1.json" <<JSON
{"SourceURI":"$2","Targets":[{"URI":"file://$d/media/out/$1/v","Duration":10,"InitialSegments":[2,2,2],
 "InitialTranscode":0,"Video":{"TranscodeVideo":{"CRF":26,"FrameRate":25,"Resolution":"1280x"}},
 "Audio":{"TranscodeAudio":{"Codec":"aac","Bitrate":128000}}}]}
JSON
  # curl, not hlsfsctl: the big source's generate outlasts hlsfsctl's 600 s.
  curl -sf --max-time 3600 --unix-socket "$d/control.sock" --data-binary "@$d/$1.json" \
    http://hlsfs/v1/GenerateVideoPlaylist >"$d/$1.out" 2>&1 || { cat "$d/$1.out" >&2; fail "generate $1"; }
  python3 -c 'import json,sys; print(json.load(open(sys.argv[1]))["VideoPlaylist"][0]["Token"])' "$d/$1.out"
}
tok_local=$(request local "file://$d/media/small.mp4")
tok_s3=$(request s3 "s3://media/small.mp4")
cold_read() {  # cold_read NAME TOKEN N -> seconds
  rm -f "$d/cache/${2:0:2}/$2/$3.ts"
  python3 - "$d/mnt/media/out/$1/v-$2-$3.ts" <<'PY'
import sys, time
t0 = time.monotonic()
with open(sys.argv[1], "rb") as f:
    while f.read(1 << 20):
        pass
print(f"{time.monotonic() - t0:.3f}")
PY
}
local_t=() s3_t=()
after_generate=$(cold_read s3 "$tok_s3" 0)
echo "segment 0 from S3 right after generate (blocks the probe read still cached): $after_generate s"
for r in $(seq "$runs"); do
  restart
  local_t+=("$(cold_read local "$tok_local" 0)")
  restart
  s3_t+=("$(cold_read s3 "$tok_s3" 0)")
  echo "run $r: segment 0 from the local store ${local_t[-1]} s, from S3 ${s3_t[-1]} s"
done
python3 - "${local_t[@]}" -- "${s3_t[@]}" <<'PY'
import statistics, sys
i = sys.argv.index("--")
local, s3 = [float(x) for x in sys.argv[1:i]], [float(x) for x in sys.argv[i + 1:]]
ml, ms = statistics.median(local), statistics.median(s3)
print(f"first segment: local {ml:.3f} s, S3 {ms:.3f} s (medians of {len(local)}): {ms / ml:.2f}x (target <= 1.3x)")
PY
[ "${HLSFS_BENCH_BIG:-1}" = 1 ] || exit 0  # HLSFS_BENCH_BIG=0: the latency part only
size=$(stat -c %s "$src")
echo "generate on the $((size / 1000000)) MB source in S3 (its probe reads it once)..."
t0=$(date +%s)
tok_big=$(request big "s3://media/big.mp4")
echo "generate took $(( $(date +%s) - t0 )) s"
last=$(($(grep -c '\.ts$' "$d/mnt/media/out/big/v.m3u8") - 1))
last_dur=$(grep '^#EXTINF' "$d/mnt/media/out/big/v.m3u8" | tail -1 | sed 's/#EXTINF:\([0-9.]*\),.*/\1/')
total_dur=$(grep '^#EXTINF' "$d/mnt/media/out/big/v.m3u8" | sed 's/#EXTINF:\([0-9.]*\),.*/\1/' | paste -sd+ | bc -l)
restart
before=$(metric hlsfs_source_bytes_fetched_total); before=${before:-0}
t_last=$(cold_read big "$tok_big" "$last")
after=$(metric hlsfs_source_bytes_fetched_total)
python3 - "$size" "$((after - before))" "$last_dur" "$total_dur" "$t_last" <<'PY'
import sys
size, fetched, last_dur, total_dur, t_last = int(sys.argv[1]), int(sys.argv[2]), float(sys.argv[3]), float(sys.argv[4]), sys.argv[5]
share = last_dur / total_dur
frac = fetched / size
print(f"source {size / 1e6:.0f} MB, {total_dur:.1f} s; last segment {last_dur:.2f} s = {share:.2%} of the file")
print(f"last segment from S3 ({t_last} s): fetched {fetched / 1e6:.1f} MB = {frac:.2%} of the source "
      f"= {frac / share:.2f}x its share (target < 2x)")
PY
