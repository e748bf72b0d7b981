#!/usr/bin/env bash
# What the worker processes cost: the same cold segment read
# through the mount from a daemon whose jobs run in sandboxed worker
# processes (transcoder.isolation: process, the default) and from one whose
# jobs run in its own threads (inline), interleaved pairs, each pair on a
# fresh daemon, the source's probe paid before the timing starts. Prints the
# median of the pairwise ratios (process / inline) with min and max.
# Source: 60 s 1080p30 H.264 + AAC (build/bench/, shared with the other
# benchmarks); segment 7 (36-41 s) of a 1280x720 25 fps CRF 26 target, and
# the whole-file total (12 segments read one after another).
# Usage: tests/bench/worker_overhead.sh [PAIRS]   (as root: FUSE mount)
source "$(dirname "$0")/../integration/lib.sh"
source "$(dirname "$0")/../integration/daemon_lib.sh"
pairs=${1:-7}
src=$BUILD/bench/src60_1080p30.mp4
mkdir -p "$BUILD/bench"
[ -f "$src" ] || ffmpeg -nostdin -v error -y -f lavfi -i "testsrc2=size=1920x1080:rate=30" \
  -f lavfi -i "sine=frequency=440:sample_rate=48000" -t 60 -c:v libx264 -preset veryfast -g 60 \
  -pix_fmt yuv420p -c:a aac -b:a 128k "$src"
d=$(mktemp -d /tmp/hlsfs-bench-workers.XXXXXX)
cleanup() { stop_daemon "$d"; rm -rf "$d"; }
trap cleanup EXIT

# one MODE WHAT -> seconds: a fresh daemon, generate (probe paid), then the
# timed reads: "seg" segment 7 alone, "file" every segment in order.
one() {
  stop_daemon "$d"
  rm -rf "$d/state" "$d/cache" "$d/media"
  mkdir -p "$d/media"
  ln "$src" "$d/media/a.mp4" 2>/dev/null || cp "$src" "$d/media/a.mp4"
  PREFETCH=0 TRANSCODER_EXTRA="isolation: $1" start_daemon "$d" >/dev/null
  cat >"$d/req.json" <<JSON
{"SourceURI":"file://$d/media/a.mp4","Targets":[{"URI":"file://$d/media/out/v","Duration":5,"InitialSegments":[5],
 "InitialTranscode":0,"Video":{"TranscodeVideo":{"CRF":26,"FrameRate":25,"Resolution":"1280x"}},
 "Audio":{"TranscodeAudio":{"Codec":"aac","Bitrate":128000}}}]}
JSON
  generate "$d" "$d/req.json" >/dev/null || fail "generate ($1)"
  local list=$d/mnt/media/out/v.m3u8 names
  if [ "$2" = seg ]; then names=$(grep '\.ts$' "$list" | sed -n 8p); else names=$(grep '\.ts$' "$list"); fi
  python3 - "$d/mnt/media/out" $names <<'PY'
import sys, time
t0 = time.monotonic()
for n in sys.argv[2:]:
    with open(sys.argv[1] + "/" + n, "rb") as f: f.read()
print("%.3f" % (time.monotonic() - t0))
PY
}

for what in seg file; do
  n=$pairs; [ $what = file ] && n=$(( (pairs + 1) / 2 ))
  ratios=()
  for i in $(seq "$n"); do
    if [ $((i % 2)) = 1 ]; then p=$(one process $what); l=$(one inline $what)
    else l=$(one inline $what); p=$(one process $what); fi
    r=$(python3 -c "print('%.3f' % ($p / $l))")
    echo "  $what pair $i: process ${p}s, inline ${l}s, ratio $r"
    ratios+=("$r")
  done
  python3 - "$what" "${ratios[@]}" <<'PY'
import statistics, sys
r = [float(x) for x in sys.argv[2:]]
print("%s: process/inline median %.3fx (min %.3f, max %.3f, %d pairs)" % (sys.argv[1], statistics.median(r), min(r), max(r), len(r)))
PY
done
