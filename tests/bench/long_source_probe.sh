#!/usr/bin/env bash
# The probe of a generate on two-hour sources, side by side with
# ffprobe of the same file: median, min and max of RUNS runs, and bytes read.
# Each source is a clip concatenated by stream copy (seconds to make) and is
# deleted after. Needs about 7 GB free in the scratch directory.
# Usage: long_source_probe.sh BUILD_DIR [CLIP_MP4 [CLIP_AVI [RUNS [SCRATCH]]]]
#   defaults: the 1080p fixture and the MPEG-4 AVI fixture, 5 runs, /tmp.
set -euo pipefail
BUILD=${1:?usage: long_source_probe.sh BUILD_DIR [CLIP_MP4 [CLIP_AVI [RUNS [SCRATCH]]]]}
FIX=${HLSFS_FIXTURES:-$BUILD/fixtures}
CLIP=${2:-$FIX/h264_aac_1080p30.mp4}
CLIP_AVI=${3:-$FIX/mpeg4_mp3.avi}
RUNS=${4:-5}
work=$(mktemp -d "${5:-/tmp}/long_probe.XXXXXX")
trap 'rm -rf "$work"' EXIT

for fmt in mp4 mkv ts avi; do
  clip=$CLIP
  [ "$fmt" = avi ] && clip=$CLIP_AVI
  d=$(ffprobe -v error -show_entries format=duration -of csv=p=0 "$clip")
  loops=$(python3 -c "import math; print(math.ceil(7200 / $d) - 1)")
  src=$work/long.$fmt
  t0=$(date +%s.%N)
  ffmpeg -nostdin -loglevel error -y -stream_loop "$loops" -i "$clip" -c copy "$src"
  made=$(echo "$(date +%s.%N) - $t0" | bc)
  index=$(python3 "$(dirname "$0")/../tools/container-index-size" "$src")
  python3 - "$BUILD/bin/probe_bench" "$src" "$RUNS" "$made" "$BUILD/lib" "$index" <<'PY'
import json, os, statistics, subprocess, sys, time
bench, src, runs, made, plugins = sys.argv[1], sys.argv[2], int(sys.argv[3]), float(sys.argv[4]), sys.argv[5]
index = int(sys.argv[6])
def stats(xs):
    return "median %.3f s (min %.3f, max %.3f)" % (statistics.median(xs), min(xs), max(xs))
def ours(extra):
    out = subprocess.run([bench, src, str(runs)] + extra, capture_output=True, text=True, check=True).stdout
    return [json.loads(l) for l in out.splitlines()]
def ffprobe_bytes():
    # rchar of a shell that ran ffprobe and reaped it, less one that did not
    sh = lambda cmd: int(subprocess.run(["bash", "-c", cmd + "; grep ^rchar /proc/$$/io"], capture_output=True,
                                        text=True).stdout.split()[-1])
    return sh("ffprobe -v error -show_format -show_streams '%s' >/dev/null" % src) - sh("true")
file_runs, store_runs = ours([]), ours(["--store", "--plugin-dir", plugins])
ff = []
for _ in range(runs):
    t = time.monotonic()
    subprocess.run(["ffprobe", "-v", "error", "-show_format", "-show_streams", src], capture_output=True, check=True)
    ff.append(time.monotonic() - t)
r = file_runs[0]
print("%s: %.0f MiB, %.0f s (made in %.1f s), probe method %s, container index %.2f MiB" %
      (r["format"], r["size"] / 2**20, r["end"] - r["start"], made, r["method"], index / 2**20))
print("  hlsfs probe, local file : %s, read %.2f MiB" % (stats([x["seconds"] for x in file_runs]), r["bytes_read"] / 2**20))
print("  hlsfs probe, via store  : %s, fetched %.2f MiB" % (stats([x["seconds"] for x in store_runs]), store_runs[0]["bytes_read"] / 2**20))
print("  ffprobe -show_format -show_streams: %s, read %.2f MiB" % (stats(ff), ffprobe_bytes() / 2**20))
PY
  rm -f "$src"
done
