#!/usr/bin/env bash
# Segment jobs run in sandboxed worker processes: while one title's
# segments crash their worker, run it out of memory and hang it (one of each,
# by the workers' fail points), another title plays through nginx with
# hls-check passing and no reader waiting more than its normal transcode time
# plus 1 s; the faulting reads get EIO in the stated times; the daemon's RSS
# and thread count are the same before and after; the third fault of a
# source quarantines it (reads and generates fail at once, naming the fault)
# until `hlsfsctl quarantine clear`; no worker has an environment (no store
# credentials, no secret).
source "$(dirname "$0")/lib.sh"
source "$(dirname "$0")/daemon_lib.sh"
[ "$(id -u)" -eq 0 ] || fail "needs root (FUSE mount)"
d=$(mktemp -d /tmp/hlsfs-it.XXXXXX)
cleanup() { stop_nginx; stop_daemon "$d"; [ "${KEEP:-}" ] || rm -rf "$d"; }
trap cleanup EXIT
failed=0
CTL="$BUILD/bin/hlsfsctl --endpoint unix:$d/control.sock"

mkdir -p "$d/media"
ffmpeg -nostdin -hide_banner -loglevel error -y -f lavfi -i testsrc2=size=640x360:rate=25 \
  -f lavfi -i sine=frequency=440 -t 20 -c:v libx264 -preset ultrafast -g 50 -c:a aac "$d/media/base.mp4"
for t in good crash mem hang warm; do cp "$d/media/base.mp4" "$d/media/$t.mp4"; done
request() {  # request TITLE -> a request file
  cat >"$d/req-$1.json" <<JSON
{"SourceURI":"file://$d/media/$1.mp4",
 "Targets":[{"URI":"file://$d/media/out/$1/v","Duration":5,"InitialTranscode":0,
   "Video":{"TranscodeVideo":{"CRF":26,"Resolution":"640x"}},"Audio":{"TranscodeAudio":{"Codec":"aac"}}}]}
JSON
  echo "$d/req-$1.json"
}
PREFETCH=0 TRANSCODER_EXTRA="job_timeout: 3s, job_memory: 1GiB" start_daemon "$d"
for t in base good crash mem hang warm; do generate "$d" "$(request $t)" >/dev/null || fail "generate $t"; done
stop_daemon "$d"
# The fail points are read at start (tests only); the probes are kept.
export HLSFS_WORKER_FAILPOINT="crash:crash.mp4,memory:mem.mp4,hang:hang.mp4"
PREFETCH=0 TRANSCODER_EXTRA="job_timeout: 3s, job_memory: 1GiB" start_daemon "$d"
unset HLSFS_WORKER_FAILPOINT
start_nginx "$d"

seg() { grep -m1 -- "-$2\.ts$" "$d/mnt/media/out/$1/v.m3u8"; }
# timed_segment_read TITLE N -> "<seconds> <ok|errno name>"
timed_segment_read() {
  python3 - "$d/mnt/media/out/$1/$(seg "$1" "$2")" <<'PY'
import errno, sys, time
t0 = time.monotonic()
try:
    with open(sys.argv[1], "rb") as f: f.read(); r = "ok"
except OSError as e:
    r = errno.errorcode.get(e.errno, str(e.errno))
print("%.2f %s" % (time.monotonic() - t0, r))
PY
}
proc() { awk -v k="$1:" '$1==k {print $2}' "/proc/$DAEMON_PID/status"; }

echo "== the normal transcode time (title base, no fault)"
base_max=0
for n in 0 1 2; do
  read -r s r <<<"$(timed_segment_read base $n)"
  [ "$r" = ok ] || fail "base segment $n: $r"
  base_max=$(python3 -c "print(max($base_max, $s))")
done
echo "     slowest cold segment: $base_max s"
# As many cold reads at once as the faults below make: the transcoder starts
# its extra worker actors (a thread each, kept) for readers now, not then.
pids=()
for n in 0 1 2 3; do timed_segment_read warm $n >/dev/null & pids+=($!); done
wait "${pids[@]}"
rss_before=$(proc VmRSS); threads_before=$(proc Threads)

echo "== one title faults three ways while another plays"
timed_segment_read crash 0 >"$d/crash0" & p1=$!
timed_segment_read mem 0 >"$d/mem0" & p2=$!
timed_segment_read hang 0 >"$d/hang0" & p3=$!
good_max=0
for n in 0 1 2 3; do
  read -r s r <<<"$(timed_segment_read good $n)"
  check_that '[ "$r" = ok ]' "good segment $n read while the others fault ($s s)"
  good_max=$(python3 -c "print(max($good_max, $s))")
done
wait $p1 $p2 $p3
hls_check "http://127.0.0.1:$NGINX_PORT/media/out/good/v.m3u8" "the good title through nginx"
check_that "python3 -c 'import sys; sys.exit(0 if $good_max <= $base_max + 1 else 1)'" \
  "no reader of the good title waited beyond its normal time + 1 s ($good_max s vs $base_max s)"
read -r s r <"$d/crash0"; check_that "[ $r = EIO ] && python3 -c 'import sys; sys.exit($s > 2)'" "crash: EIO in $s s"
read -r s r <"$d/mem0"; check_that "[ $r = EIO ] && python3 -c 'import sys; sys.exit($s > 2)'" "memory: EIO in $s s"
read -r s r <"$d/hang0"; check_that "[ $r = EIO ] && python3 -c 'import sys; sys.exit($s > 5)'" "hang: EIO in $s s (job_timeout 3 s)"
check_that "grep -q 'killed by signal 11' '$d/hlsfsd.log'" "the log names the crash's signal"
check_that "grep -q 'crash.mp4' '$d/hlsfsd.log'" "the log names the source"
for k in crash memory timeout; do
  v=$(metric "hlsfs_worker_faults_total{kind=\"$k\"}")
  check_that "[ '$v' = 1 ]" "hlsfs_worker_faults_total{kind=\"$k\"} = $v"
done
# Job threads end a moment after their answer: wait for the count to settle.
for _ in $(seq 50); do [ "$(proc Threads)" -le "$threads_before" ] && break; sleep 0.1; done
rss_after=$(proc VmRSS); threads_after=$(proc Threads)
check_that "[ $threads_after -eq $threads_before ]" "daemon threads before and after: $threads_before, $threads_after"
check_that "python3 -c 'import sys; sys.exit(abs($rss_after - $rss_before) > 0.1 * $rss_before)'" \
  "daemon RSS before and after: $rss_before kB, $rss_after kB"

echo "== the third fault quarantines the source, clear lifts it"
timed_segment_read crash 1 >/dev/null; timed_segment_read crash 2 >/dev/null
read -r s r <<<"$(timed_segment_read crash 3)"
check_that "[ $r = EIO ] && python3 -c 'import sys; sys.exit($s > 0.5)'" "after 3 faults a read fails at once ($s s)"
check_that "grep -q 'quarantined after 3 faults' '$d/hlsfsd.log'" "the log says it is quarantined"
$CTL quarantine list >"$d/qlist" 2>&1 || true
check_that "grep -q '^QUARANTINED.*crash.mp4: 3 fault' '$d/qlist'" "hlsfsctl quarantine list names it"
generate "$d" "$(request crash)" >"$d/gen-crash" 2>&1 || true
check_that "grep -q 'quarantined after 3 worker faults' '$d/gen-crash'" "generate of it fails at once, naming the quarantine"
$CTL quarantine clear "file://$d/media/crash.mp4" >/dev/null || { echo "FAIL: quarantine clear"; failed=1; }
faults=$(metric 'hlsfs_worker_faults_total{kind="crash"}')
timed_segment_read crash 3 >/dev/null
check_that "[ \$(metric 'hlsfs_worker_faults_total{kind=\"crash\"}') -gt $faults ]" \
  "after clear, a read runs a job again (it crashes again: the fail point is still set)"

echo "== workers hold nothing"
pids=$(pgrep -P "$DAEMON_PID" -x hlsfs-worker || true)
check_that "[ -n '$pids' ]" "worker processes run: $(echo $pids)"
for p in $pids; do
  check_that "[ ! -s /proc/$p/environ ]" "worker $p has an empty environment"
  check_that "[ \$(stat -c %U /proc/$p) = nobody ]" "worker $p runs as nobody"
  check_that "grep -q 'Seccomp:[[:space:]]*2' /proc/$p/status && grep -q 'NoNewPrivs:[[:space:]]*1' /proc/$p/status" \
    "worker $p: seccomp filter and no_new_privs"
  check_that "grep -q 'CapEff:[[:space:]]*0000000000000000' /proc/$p/status" "worker $p has no capability"
done
exit $failed
