#!/usr/bin/env bash
# The daemon as nginx serves it, each figure a ratio in the same run:
#  - first segment: from `generate` (a source never seen: the probe is paid)
#    to the last byte of segment 0 through nginx, vs the ffmpeg CLI making
#    the same 2 s segment with the same settings                target <= 1.2x
#    (InitialTranscode 0: the read makes it; then again with InitialTranscode
#    30, where generate queues it ahead and the read joins that job);
#  - cached segments through nginx over the mount vs the same nginx over a
#    plain directory holding the same files (wrk)               target >= 0.8x
#  - the daemon's memory (peak VmRSS, sampled; idle before) and CPU under
#    that load.
# Source: 60 s 1080p30 H.264 + AAC (build/bench/, shared with the other
# benchmarks). Target: 1280x720 25 fps CRF 26, AAC 128k, Duration 5,
# InitialSegments [2,2,2].
# Usage: tests/bench/daemon_serving.sh [RUNS]   (as root: FUSE mount; installs wrk)
source "$(dirname "$0")/../integration/lib.sh"
source "$(dirname "$0")/../integration/daemon_lib.sh"
runs=${1:-3}
command -v wrk >/dev/null || DEBIAN_FRONTEND=noninteractive apt-get install -y -qq wrk >/dev/null
src=$BUILD/bench/src60_1080p30.mp4
mkdir -p "$BUILD/bench"
[ -f "$src" ] || ffmpeg -nostdin -v error -y -f lavfi -i "testsrc2=size=1920x1080:rate=30" \
  -f lavfi -i "sine=frequency=440:sample_rate=48000" -t 60 -c:v libx264 -preset veryfast -g 60 \
  -pix_fmt yuv420p -c:a aac -b:a 128k "$src"
d=$(mktemp -d /tmp/hlsfs-bench-serve.XXXXXX)
plain_nginx=
cleanup() {
  [ -n "$plain_nginx" ] && kill "$plain_nginx" 2>/dev/null
  stop_nginx; stop_daemon "$d"; rm -rf "$d"
}
trap cleanup EXIT
PREFETCH=0 start_daemon "$d"
start_nginx "$d"
base=http://127.0.0.1:$NGINX_PORT/media

request() {  # request NAME SOURCE INITIAL_TRANSCODE -> request file
  cat >"$d/$1.json" <<JSON
{"SourceURI":"file://$d/media/$2","Targets":[{"URI":"file://$d/media/out/$1/v","Duration":5,"InitialSegments":[2,2,2],
 "InitialTranscode":$3,"Video":{"TranscodeVideo":{"CRF":26,"FrameRate":25,"Resolution":"1280x"}},
 "Audio":{"TranscodeAudio":{"Codec":"aac","Bitrate":128000}}}]}
JSON
  echo "$d/$1.json"
}
first_segment() {  # first_segment NAME INITIAL_TRANSCODE -> seconds
  cp "$src" "$d/media/$1.mp4"  # a new file: generate probes it, as for a new upload
  local req t0 seg
  req=$(request "$1" "$1.mp4" "$2")
  t0=$EPOCHREALTIME
  curl -sf --unix-socket "$d/control.sock" -X POST --data-binary @"$req" \
    http://hlsfs/v1/GenerateVideoPlaylist >"$d/$1.resp" || fail "generate $1: $(cat "$d/$1.resp")"
  seg=$(curl -sf "$base/out/$1/v.m3u8" | grep -m1 '\.ts$')
  curl -sf -o "$d/$1.ts" "$base/out/$1/$seg" || fail "segment 0 of $1"
  python3 -c "print(f'{$EPOCHREALTIME - $t0:.3f}')"
}
cli_segment() {  # the same 2 s segment from the ffmpeg CLI -> seconds
  local t0=$EPOCHREALTIME
  ffmpeg -nostdin -v error -y -i "$src" -t 2 -vf fps=25,scale=1280:720 -c:v libx264 -preset veryfast -crf 26 \
    -c:a aac -b:a 128k -f mpegts "$d/cli.ts"
  python3 -c "print(f'{$EPOCHREALTIME - $t0:.3f}')"
}
median() { printf '%s\n' "$@" | sort -n | awk '{v[NR]=$1} END {print (NR % 2) ? v[(NR+1)/2] : (v[NR/2] + v[NR/2+1]) / 2}'; }
ratio() { python3 -c "print(f'{$1 / $2:.2f}')"; }

echo "== first segment: generate -> last byte of segment 0 through nginx, vs the ffmpeg CLI"
cli=() ondemand=() ahead=()
for r in $(seq "$runs"); do
  wait_idle "$d"
  cli+=("$(cli_segment)")
  ondemand+=("$(first_segment ondemand$r 0)")
  wait_idle "$d"
  ahead+=("$(first_segment ahead$r 30)")
  echo "run $r: CLI ${cli[-1]} s, hlsfs on demand ${ondemand[-1]} s, with InitialTranscode 30 ${ahead[-1]} s"
done
c=$(median "${cli[@]}") o=$(median "${ondemand[@]}") a=$(median "${ahead[@]}")
echo "median: CLI $c s; hlsfs $o s -> $(ratio "$o" "$c")x (target <= 1.2x); with InitialTranscode 30: $a s -> $(ratio "$a" "$c")x"

echo "== cached segments: nginx over the mount vs nginx over a plain directory (wrk)"
wait_idle "$d"
generate "$d" "$(request serve ondemand1.mp4 60)" >/dev/null
wait_initial_transcode "$d/mnt/media/out/serve" 600 || fail "the segments were not made"
mkdir -p "$d/plain/mnt/media/out"
cp -r "$d/mnt/media/out/serve" "$d/plain/mnt/media/out/"
(cd "$d/plain/mnt/media/out/serve" && ls ./*.ts | sed 's|^\./|/media/out/serve/|') >"$d/paths"
mount_port=$NGINX_PORT mount_nginx=$NGINX_PID
NGINX_PORT= start_nginx "$d/plain"
plain_port=$NGINX_PORT plain_nginx=$NGINX_PID
NGINX_PORT=$mount_port NGINX_PID=$mount_nginx
cat >"$d/paths.lua" <<'LUA'
-- Every request asks for the next segment of the list, round robin.
local paths, i = {}, 0
function init(args) for line in io.lines(args[1]) do paths[#paths + 1] = line end end
function request() i = i % #paths + 1; return wrk.format("GET", paths[i]) end
LUA
bytes=$(cd "$d/plain/mnt/media/out/serve" && cat ./*.ts | wc -c)
echo "$(wc -l <"$d/paths") segments, $((bytes / 1024)) KiB in all"
load() {  # load PORT -> "requests/s MiB/s"
  wrk -t2 -c16 -d10s -s "$d/paths.lua" "http://127.0.0.1:$1" -- "$d/paths" >"$d/wrk.out"
  grep -q "Non-2xx" "$d/wrk.out" && { cat "$d/wrk.out"; fail "errors under load"; }
  awk '/^Requests\/sec/ {r=$2} /^Transfer\/sec/ {t=$2} END {
    if (t ~ /GB$/) t = t * 1024; else if (t ~ /KB$/) t = t / 1024; else t = t + 0; print r, t}' "$d/wrk.out"
}
sample_rss() {  # in the background: the daemon's VmRSS every 0.2 s, the peak in $d/rss
  local peak=0 kb
  while kill -0 "$DAEMON_PID" 2>/dev/null; do
    kb=$(awk '/^VmRSS/ {print $2}' "/proc/$DAEMON_PID/status")
    [ "$kb" -gt "$peak" ] && { peak=$kb; echo "$peak" >"$d/rss"; }
    sleep 0.2
  done
}
cpu_ticks() { awk '{print $14 + $15}' "/proc/$DAEMON_PID/stat"; }
sleep 11  # the daemon gives its free heap back after 10 s without a job
idle_rss=$(awk '/^VmRSS/ {print $2}' "/proc/$DAEMON_PID/status")
sample_rss & sampler=$!
mount_rps=() plain_rps=() mount_mib=() plain_mib=() ticks=0
load "$mount_port" >/dev/null  # warm both: the page cache holds every segment
load "$plain_port" >/dev/null
for r in $(seq "$runs"); do
  t=$(cpu_ticks)
  read -r rps mib < <(load "$mount_port"); mount_rps+=("$rps") mount_mib+=("$mib")
  ticks=$((ticks + $(cpu_ticks) - t))
  read -r rps mib < <(load "$plain_port"); plain_rps+=("$rps") plain_mib+=("$mib")
  echo "run $r: mount ${mount_rps[-1]} req/s (${mount_mib[-1]} MiB/s), plain directory ${plain_rps[-1]} req/s (${plain_mib[-1]} MiB/s)"
done
kill "$sampler" 2>/dev/null
mr=$(median "${mount_rps[@]}") pr=$(median "${plain_rps[@]}")
echo "median: mount $mr req/s ($(median "${mount_mib[@]}") MiB/s), plain $pr req/s ($(median "${plain_mib[@]}") MiB/s) -> $(ratio "$mr" "$pr")x (target >= 0.8x)"
hz=$(getconf CLK_TCK)
echo "daemon under load: peak RSS $(( $(cat "$d/rss") / 1024 )) MiB (idle $((idle_rss / 1024)) MiB before)," \
  "CPU $(python3 -c "print(f'{$ticks / $hz / (10 * $runs):.2f}')") s per second of load" \
  "(HWM over the whole run, transcodes included: $(awk '/^VmHWM/ {print int($2 / 1024)}' "/proc/$DAEMON_PID/status") MiB)"
