#!/usr/bin/env bash
# One fMP4 segment against the MPEG-TS segment of the same span (issue 19:
# target <= 1.02x): the same target in both containers, segment SEG made by
# `hlsfsctl render --segments SEG`, in interleaved pairs (TS, fMP4, TS, ...),
# each timed by render's own line for the segment (the encode and the mux,
# not the probe). The fMP4 process also makes the init segment (its own
# job, not in the figure) — and the segment checks itself against it, which
# in a fresh process derives it once (in the figure; hlsfsd keeps it).
# Usage: fmp4_vs_ts.sh BUILD_DIR [SOURCE [PAIRS [SEG]]]
#   defaults: the 1080p fixture, 9 pairs, segment 3 (a 5 s one).
# Run it under the cpu lock: flock /tmp/hlsfs-cpu.lock tests/bench/fmp4_vs_ts.sh build
set -euo pipefail
BUILD=${1:?usage: fmp4_vs_ts.sh BUILD_DIR [SOURCE [PAIRS [SEG]]]}
SRC=${2:-${HLSFS_FIXTURES:-$BUILD/fixtures}/h264_aac_1080p30.mp4}
PAIRS=${3:-9}
SEG=${4:-3}
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
for c in ts fmp4; do
  mkdir -p "$work/$c"
  cat >"$work/$c/req.json" <<JSON
{"SourceURI":"file://$SRC","Targets":[{"URI":"file://$work/$c/v","Container":"$c","Duration":5,"InitialSegments":[2,2],
  "Video":{"TranscodeVideo":{"CRF":23,"Resolution":"1280x"}},"Audio":{"TranscodeAudio":{"Bitrate":128000}}}]}
JSON
done
time_one() {  # time_one ts|fmp4 -> ms of segment SEG
  "$BUILD/bin/hlsfsctl" render "$work/$1/req.json" --segments "$SEG" --jobs 1 2>&1 >/dev/null |
    sed -n "s/^made v-[0-9a-f]*-$SEG\.[a-z0-9]* (.*, \([0-9]*\) ms.*/\1/p"
}
ts=() fm=()
for ((i = 0; i < PAIRS; i++)); do
  ts+=("$(time_one ts)")
  fm+=("$(time_one fmp4)")
done
python3 - "${ts[*]}" "${fm[*]}" "$(stat -c %s "$work"/ts/v-*-"$SEG".ts)" "$(stat -c %s "$work"/fmp4/v-*-"$SEG".m4s)" <<'PY'
import statistics, sys
ts = [float(x) for x in sys.argv[1].split()]
fm = [float(x) for x in sys.argv[2].split()]
ratios = [f / t for t, f in zip(ts, fm)]
s = lambda xs, u: "median %.0f%s (min %.0f, max %.0f)" % (statistics.median(xs), u, min(xs), max(xs))
print("MPEG-TS segment:", s(ts, " ms"), "%s bytes" % sys.argv[3])
print("fMP4 segment:   ", s(fm, " ms"), "%s bytes" % sys.argv[4])
print("fMP4 / TS per pair: median %.3fx (min %.3f, max %.3f), %d pairs" % (statistics.median(ratios), min(ratios),
                                                                          max(ratios), len(ratios)))
PY
