#!/usr/bin/env bash
# The transcoder's bounds end to end, with one worker,
# transcoder.max_queue 2 and max_waiters 2: readers of more cold segments
# than can wait get EBUSY at once (counted: hlsfs_jobs_refused_total,
# hlsfs_read_errors_total{errno="EBUSY"}); more readers of one segment than
# may wait get EBUSY (hlsfs_readers_refused_total); an InitialTranscode
# longer than the queue drops the rest (counted by priority); and then every
# segment refused is made when read again.
source "$(dirname "$0")/lib.sh"
source "$(dirname "$0")/daemon_lib.sh"
[ "$(id -u)" -eq 0 ] || fail "needs root (FUSE mount)"
d=$(mktemp -d /tmp/hlsfs-it.XXXXXX)
cleanup() { stop_daemon "$d"; rm -rf "$d"; }
trap cleanup EXIT
failed=0

mkdir -p "$d/media"
# 50 s: 10 segments of 5 s, each long enough to make (about a second) that a
# burst of readers all arrive while the first is being made.
ffmpeg -nostdin -hide_banner -loglevel error -y -f lavfi -i testsrc2=size=960x540:rate=25 \
  -f lavfi -i sine=frequency=440 -t 50 -c:v libx264 -preset ultrafast -g 50 -c:a aac "$d/media/a.mp4"
WORKERS=1 PREFETCH=0 TRANSCODER_EXTRA="threads: 1, max_queue: 2, max_waiters: 2" start_daemon "$d"

request() {  # request NAME INITIAL_TRANSCODE -> a request file
  cat >"$d/req-$1.json" <<JSON
{"SourceURI":"file://$d/media/a.mp4",
 "Targets":[{"URI":"file://$d/media/out/$1/v","Duration":5,"InitialTranscode":$2,
   "Video":{"TranscodeVideo":{"CRF":26,"Resolution":"640x"}},"Audio":{"TranscodeAudio":{"Codec":"aac"}}}]}
JSON
  echo "$d/req-$1.json"
}
refused() { metric "hlsfs_jobs_refused_total{priority=\"$1\",reason=\"queue_full\"}"; }

# burst DIR SEGMENT...: opens and reads every SEGMENT of DIR at once (one
# thread each); one line per reader: "<segment> ok <bytes>" or "<segment> <errno name>".
burst() {
  python3 - "$@" <<'PY'
import errno, os, sys, threading
d, names = sys.argv[1], sys.argv[2:]
out = [None] * len(names)
go = threading.Barrier(len(names))
def read(i):
    go.wait()
    try:
        with open(os.path.join(d, names[i]), "rb") as f:
            out[i] = "ok %d" % len(f.read())
    except OSError as e:
        out[i] = errno.errorcode.get(e.errno, str(e.errno))
ts = [threading.Thread(target=read, args=(i,)) for i in range(len(names))]
for t in ts: t.start()
for t in ts: t.join()
for n, o in zip(names, out):
    print(n, o)
PY
}

# Readers of one directory are looked up one at a time by the kernel, and a
# lookup waits for its segment (its size): a burst needs other directories.
for i in 0 1 2 3 4 5 6 7; do generate "$d" "$(request "t$i" 0)" >/dev/null || fail "generate t$i"; done
generate "$d" "$(request a 0)" >/dev/null || fail "generate a"
burst_paths=()
for i in 0 1 2 3 4 5 6 7; do
  burst_paths+=("t$i/$(grep '\.ts$' "$d/mnt/media/out/t$i/v.m3u8" | sed -n "$((i + 1))p")")
done

echo "== 8 readers of 8 cold segments at once: 1 made, 2 wait, the rest get EBUSY at once"
burst "$d/mnt/media/out" "${burst_paths[@]}" >"$d/burst1"
sed 's/^/     /' "$d/burst1"
busy=$(grep -c ' EBUSY$' "$d/burst1" || true)
ok=$(grep -c ' ok [1-9]' "$d/burst1" || true)
check_that '[ "$busy" -ge 1 ] && [ "$ok" -ge 1 ] && [ $((busy + ok)) = 8 ]' "$ok made, $busy refused with EBUSY, none failed otherwise"
check_that '[ "$(refused on-demand)" = "$busy" ]' "hlsfs_jobs_refused_total{on-demand,queue_full} = $(refused on-demand)"
ebusy_errors='hlsfs_read_errors_total{errno="EBUSY"}'
check_that '[ "$(metric "$ebusy_errors")" = "$busy" ]' "$ebusy_errors = $(metric "$ebusy_errors")"

echo "== 6 readers of one cold segment: 2 wait for it, the rest get EBUSY"
# Its name looked up once (the kernel keeps it for an hour), then its file
# removed: the next opens all reach the daemon at once and wait for it.
seg=$(grep '\.ts$' "$d/mnt/media/out/a/v.m3u8" | sed -n 10p)
tok=$(echo "$seg" | grep -o '[0-9a-f]\{32\}')
head -c 1 "$d/mnt/media/out/a/$seg" >/dev/null || fail "cannot read $seg"
rm "$d/cache/${tok:0:2}/$tok/9.ts"
burst "$d/mnt/media/out/a" "$seg" "$seg" "$seg" "$seg" "$seg" "$seg" >"$d/burst2"
sed 's/^/     /' "$d/burst2"
busy2=$(grep -c ' EBUSY$' "$d/burst2" || true)
ok2=$(grep -c ' ok [1-9]' "$d/burst2" || true)
check_that '[ "$busy2" -ge 1 ] && [ "$ok2" -ge 1 ] && [ $((busy2 + ok2)) = 6 ]' "$ok2 got it, $busy2 refused with EBUSY"
check_that '[ "$(metric hlsfs_readers_refused_total)" = "$busy2" ]' \
  "hlsfs_readers_refused_total = $(metric hlsfs_readers_refused_total)"

echo "== an InitialTranscode of the whole title: jobs beyond the queue are dropped and counted"
wait_idle "$d"
resp=$(generate "$d" "$(request b 1000)") || fail "generate b: $resp"
check_that '[ "$(refused initial)" -ge 1 ]' "generate answered 200; hlsfs_jobs_refused_total{initial,queue_full} = $(refused initial)"
wait_idle "$d"

echo "== recovered: every segment refused above is made when read again"
for s in $(grep ' EBUSY$' "$d/burst1" | cut -d' ' -f1) $(grep -q ' EBUSY$' "$d/burst2" && echo "a/$seg"); do
  got=$(burst "$d/mnt/media/out" "$s")
  check_that '[[ "$got" == *" ok "[1-9]* ]]' "read again: $got"
done
check_that 'kill -0 $DAEMON_PID' "hlsfsd is still running"

[ "$failed" -eq 0 ] || { tail -30 "$d/hlsfsd.log"; fail "queue bounds"; }
echo "PASS queue_bounds"
