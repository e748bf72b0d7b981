#!/usr/bin/env bash
# A reader asking for a cold segment while prefetch and initial work fill
# every worker, against the same read on an idle daemon (target <= 1.3x).
# Source: 60 s 1080p30 H.264 (made once in build/bench/); target 1280x720 25 fps
# CRF 26, Duration 5. Each read is of a new rendition (a new token: cold).
# Usage: tests/bench/reader_priority.sh [RUNS]   (as root: FUSE mount)
source "$(dirname "$0")/../integration/lib.sh"
source "$(dirname "$0")/../integration/daemon_lib.sh"
runs=${1:-3}
src=$BUILD/bench/src60_1080p30.mp4
[ -f "$src" ] || ffmpeg -nostdin -v error -y -f lavfi -i "testsrc2=size=1920x1080:rate=30" \
  -f lavfi -i "sine=frequency=440:sample_rate=48000" -t 60 -c:v libx264 -preset veryfast -g 60 -c:a aac "$src"
d=$(mktemp -d /tmp/hlsfs-bench.XXXXXX)
trap 'stop_daemon "$d"; rm -rf "$d"' EXIT
mkdir -p "$d/media"
cp "$src" "$d/media/src.mp4"
PREFETCH=2 start_daemon "$d"
n=0
request() {  # request NAME INITIAL_TRANSCODE -> token
  n=$((n + 1))
  cat >"$d/req$n.json" <<JSON
{"SourceURI":"file://$d/media/src.mp4","Targets":[{"URI":"file://$d/media/out/$1/v","Duration":5,"InitialSegments":[2,2,2],
 "InitialTranscode":$2,"Video":{"TranscodeVideo":{"CRF":26,"FrameRate":25,"Resolution":"1280x"}},
 "Audio":{"TranscodeAudio":{"Codec":"aac","Bitrate":128000}}}]}
JSON
  generate "$d" "$d/req$n.json" | python3 -c 'import json,sys; print(json.load(sys.stdin)["VideoPlaylist"][0]["Token"])'
}
read_cold() {  # read_cold NAME -> seconds to read segment 7 (31-36 s)
  local tok
  tok=$(request "$1" 0)
  local t0
  t0=$(date +%s.%N)
  cat "$d/mnt/media/out/$1/v-$tok-7.ts" >/dev/null
  echo "$(date +%s.%N) - $t0" | bc -l 2>/dev/null || python3 -c "print($(date +%s.%N) - $t0)"
}
idle=() busy=()
for r in $(seq "$runs"); do
  sleep 8  # let prefetch of the previous reads finish: idle means idle
  idle+=("$(read_cold idle$r)")
  request "filler$r" -1 >/dev/null  # every segment of a whole rendition at initial priority
  sleep 2
  running=$("$BUILD/bin/hlsfsctl" --endpoint "unix:$d/control.sock" status --json | python3 -c 'import json,sys; j=json.load(sys.stdin)["Transcoder"]; print(len(j["Running"]), sum(j["Queued"].values()))')
  busy+=("$(read_cold busy$r)")
  echo "run $r: idle ${idle[-1]} s, busy ${busy[-1]} s (workers busy, queued when the reader came: $running)"
  # Drop the filler's remaining work: a restart loses the queue, not the state.
  stop_daemon "$d"
  PREFETCH=2 start_daemon "$d"
done
python3 - "${idle[@]}" -- "${busy[@]}" <<'PY'
import statistics, sys
args = sys.argv[1:]
k = args.index("--")
idle, busy = [float(x) for x in args[:k]], [float(x) for x in args[k + 1:]]
i, b = statistics.median(idle), statistics.median(busy)
print(f"cold segment (5 s of 1280x720) read: idle daemon {i:.2f} s, every worker busy with initial/prefetch {b:.2f} s "
      f"-> {b / i:.2f}x (target <= 1.3x) {'meets' if b / i <= 1.3 else 'MISSES'}")
PY
