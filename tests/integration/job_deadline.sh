#!/usr/bin/env bash
# A job that stops making progress ends. The store "slow"
# is a FUSE filesystem (stall_fs) whose reads block in the kernel while a
# trigger file exists, as on an NFS server gone quiet: nothing in hlsfsd can
# interrupt such a read. With transcoder.job_timeout 3s a reader of one of
# its segments gets EIO in time (not a hang), the log says why and the
# metric counts it; a generate whose probe stalls answers an error; another
# title plays meanwhile; once the store answers again, the threads left
# blocked end and the segment is made.
source "$(dirname "$0")/lib.sh"
source "$(dirname "$0")/daemon_lib.sh"
[ "$(id -u)" -eq 0 ] || fail "needs root (FUSE mounts)"
d=$(mktemp -d /tmp/hlsfs-it.XXXXXX)
STALL_PID=
cleanup() {
  rm -f "$d/STALL"
  stop_daemon "$d"
  if [ -n "$STALL_PID" ]; then kill "$STALL_PID" 2>/dev/null || true; wait "$STALL_PID" 2>/dev/null || true; fi
  fusermount3 -u -z "$d/slow" 2>/dev/null || true
  rm -rf "$d"
}
trap cleanup EXIT
failed=0
LIMIT=3  # transcoder.job_timeout, seconds

mkdir -p "$d/backing" "$d/slow" "$d/media"
ffmpeg -nostdin -hide_banner -loglevel error -y -f lavfi -i testsrc2=size=320x240:rate=25 -f lavfi -i sine=frequency=440 \
  -t 10 -c:v libx264 -preset ultrafast -g 25 -c:a aac "$d/backing/a.mp4"
cp "$d/backing/a.mp4" "$d/backing/b.mp4"
cp "$d/backing/a.mp4" "$d/media/good.mp4"
"$BUILD/bin/stall_fs" "$d/backing" "$d/STALL" "$d/slow" -f 2>"$d/stall_fs.log" &
STALL_PID=$!
for _ in $(seq 50); do mountpoint -q "$d/slow" && break; sleep 0.1; done
mountpoint -q "$d/slow" || fail "stall_fs did not mount"
# (TRANSCODER_EXTRA= runs it without the deadline: the reads then hang.)
PREFETCH=0 TRANSCODER_EXTRA=${TRANSCODER_EXTRA-"job_timeout: ${LIMIT}s"} \
  start_daemon "$d" "  slow: {plugin: local, root: $d/slow}"

request() {  # request SOURCE_URI NAME -> a request file
  cat >"$d/req-$2.json" <<JSON
{"SourceURI":"$1","MasterURI":"file://$d/media/out/$2/master.m3u8",
 "Targets":[{"URI":"file://$d/media/out/$2/v","Duration":5,"InitialTranscode":0,
   "Video":{"TranscodeVideo":{"CRF":30,"FrameRate":25,"Resolution":"320x"}},
   "Audio":{"TranscodeAudio":{"Codec":"aac","Bitrate":64000}}}]}
JSON
  echo "$d/req-$2.json"
}
first_segment() { grep -m1 '\.ts$' "$d/mnt/media/out/$1/v.m3u8"; }


generate "$d" "$(request "file://$d/slow/a.mp4" a)" >"$d/resp-a.json" || fail "generate a: $(cat "$d/resp-a.json")"
generate "$d" "$(request "file://$d/media/good.mp4" good)" >"$d/resp-good.json" ||
  fail "generate good: $(cat "$d/resp-good.json")"
seg_a=$(first_segment a)
seg_good=$(first_segment good)

echo "== the store stalls: a reader of its segment gets EIO within job_timeout + 2 s"
touch "$d/STALL"
got=$(timed_read "$d/mnt/media/out/a/$seg_a" 20)
read -r outcome reason took <<<"$got"
check_that '[ "$outcome" = error ] && [ "$reason" = Input/output_error ] && within "$took" $((LIMIT + 2))' \
  "reader of $seg_a: $got"
check_that 'grep "no progress for" "$d/hlsfsd.log" | grep -q "$seg_a"' "the log names the segment and why"
grep "no progress for" "$d/hlsfsd.log" | sed 's/^/     /' || true
check_that '[ "$(metric hlsfs_segment_timeouts_total)" = 1 ]' \
  "hlsfs_segment_timeouts_total = $(metric hlsfs_segment_timeouts_total)"
check_that '[ "$(metric hlsfs_abandoned_job_threads)" -ge 1 ] 2>/dev/null' \
  "the blocked thread is left behind (hlsfs_abandoned_job_threads = $(metric hlsfs_abandoned_job_threads))"

echo "== another title still plays"
got=$(timed_read "$d/mnt/media/out/good/$seg_good" 60)
check_that '[[ "$got" == "ok "* ]] && [ "$(echo "$got" | cut -d" " -f2)" -gt 1000 ]' "reader of $seg_good: $got"

echo "== a generate whose probe stalls answers an error within job_timeout + 2 s"
t0=$(date +%s.%N)
if timeout 20 "$HLSFSCTL" --endpoint "unix:$d/control.sock" generate "$(request "file://$d/slow/b.mp4" b)" \
  >"$d/resp-b.json" 2>&1; then
  echo "FAIL: generate of a stalled source succeeded: $(cat "$d/resp-b.json")"; failed=1
else
  took=$(awk -v a="$t0" -v b="$(date +%s.%N)" 'BEGIN { printf "%.1f", b - a }')
  check_that 'within "$took" $((LIMIT + 2)) && grep -q "no progress for" "$d/resp-b.json"' \
    "answered in $took s: $(head -c 300 "$d/resp-b.json")"
fi

echo "== the store answers again: the threads left behind end, the segment is made"
rm -f "$d/STALL"
for _ in $(seq 100); do [ "$(metric hlsfs_abandoned_job_threads)" = 0 ] && break; sleep 0.1; done
check_that '[ "$(metric hlsfs_abandoned_job_threads)" = 0 ]' \
  "no thread left behind (hlsfs_abandoned_job_threads = $(metric hlsfs_abandoned_job_threads))"
got=$(timed_read "$d/mnt/media/out/a/$seg_a" 60)
check_that '[[ "$got" == "ok "* ]]' "reader of $seg_a: $got"

[ "$failed" -eq 0 ] || { tail -30 "$d/hlsfsd.log"; fail "job deadline"; }
echo "PASS job_deadline"
