#!/usr/bin/env bash
# What the worker processes cost: the same cold segment read
# through the mount from a daemon whose jobs run in sandboxed worker
# processes (transcoder.isolation: process, the default) and from one whose
# jobs run in its own threads (inline), interleaved pairs, each pair on a
# fresh daemon, the source's probe paid before the timing starts. Prints the
# median of the pairwise ratios (process / inline) with min and max.
# Source: 60 s 1080p30 H.264 + AAC (build/bench/, shared with the other
# benchmarks); segment 7 (36-41 s) of a 1280x720 25 fps CRF 26 target, and
# the whole-file total (12 segments read one after another). The ffmpeg CLI
# making the same span (-ss 35 -t 5; for the whole file one pass to HLS) runs
# in the same interleaving, so the run also gives process / CLI.
# "file" reads the whole file with prefetch off (each segment's own cost, one
# after another); "play" reads it the same way with the shipped prefetch (2),
# as a player does: the next segments are made while one is read.
# Usage: tests/bench/worker_overhead.sh [PAIRS [seg|file|play]]   (as root: FUSE mount)
source "$(dirname "$0")/../integration/lib.sh"
source "$(dirname "$0")/../integration/daemon_lib.sh"
pairs=${1:-7}
parts=${2:-seg file}
src=$BUILD/bench/src60_1080p30.mp4
mkdir -p "$BUILD/bench"
[ -f "$src" ] || ffmpeg -nostdin -v error -y -f lavfi -i "testsrc2=size=1920x1080:rate=30" \
  -f lavfi -i "sine=frequency=440:sample_rate=48000" -t 60 -c:v libx264 -preset veryfast -g 60 \
  -pix_fmt yuv420p -c:a aac -b:a 128k "$src"
d=$(mktemp -d /tmp/hlsfs-bench-workers.XXXXXX)
cleanup() { pkill -f "$d/hlsfs.yaml" 2>/dev/null; sleep 0.5; stop_daemon "$d"; rm -rf "$d"; }
trap cleanup EXIT

# one MODE WHAT -> seconds: a fresh daemon, generate (probe paid), then the
# timed reads: "seg" segment 7 alone, "file" every segment in order.
one() {
  rm -rf "$d/state" "$d/cache" "$d/media"
  mkdir -p "$d/media"
  ln "$src" "$d/media/a.mp4" 2>/dev/null || cp "$src" "$d/media/a.mp4"
  local prefetch=0
  [ "$2" = play ] && prefetch=2
  PREFETCH=$prefetch TRANSCODER_EXTRA="isolation: $1" start_daemon "$d" >/dev/null
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
  stop_daemon "$d"  # here: one runs in $( ), so the caller never sees DAEMON_PID
}

VF="fps=25,scale=1280:720"
X264="-c:v libx264 -preset veryfast -crf 26 -c:a aac -b:a 128k"
# cli WHAT -> seconds of the ffmpeg CLI making what the daemon made.
cli() {
  rm -rf "$d/cli"; mkdir -p "$d/cli"
  local t0 t1
  t0=$(date +%s.%N)
  if [ "$1" = seg ]; then
    ffmpeg -nostdin -v error -y -ss 35 -t 5 -i "$src" -vf "$VF" $X264 -f mpegts "$d/cli/s.ts"
  else
    ffmpeg -nostdin -v error -y -i "$src" -vf "$VF" $X264 -force_key_frames "expr:gte(t,n_forced*5)" \
      -f hls -hls_time 5 -hls_playlist_type vod -hls_segment_filename "$d/cli/s%d.ts" "$d/cli/x.m3u8"
  fi
  t1=$(date +%s.%N)
  python3 -c "print('%.3f' % ($t1 - $t0))"
}

for what in $parts; do
  n=$pairs
  ratios=() cratios=()
  for i in $(seq "$n"); do
    # the order rotates so that no side always runs first (page cache, clocks)
    case $((i % 3)) in
      1) p=$(one process $what); l=$(one inline $what); c=$(cli $what) ;;
      2) l=$(one inline $what); c=$(cli $what); p=$(one process $what) ;;
      0) c=$(cli $what); p=$(one process $what); l=$(one inline $what) ;;
    esac
    r=$(python3 -c "print('%.3f' % ($p / $l))")
    rc=$(python3 -c "print('%.3f' % ($p / $c))")
    echo "  $what $i: process ${p}s, inline ${l}s, cli ${c}s; process/inline $r, process/cli $rc"
    ratios+=("$r"); cratios+=("$rc")
  done
  python3 - "$what" "${ratios[*]}" "${cratios[*]}" <<'PY'
import statistics, sys
for name, arg in (("process/inline", sys.argv[2]), ("process/cli", sys.argv[3])):
    r = [float(x) for x in arg.split()]
    print("%s: %s median %.3fx (min %.3f, max %.3f, %d pairs)" % (sys.argv[1], name, statistics.median(r), min(r), max(r), len(r)))
PY
done
