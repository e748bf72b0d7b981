#!/usr/bin/env bash
# Cache lifecycle with the real daemon: InitialTranscode, a reader raising
# the job made ahead that it waits for, a byte budget far below what is
# played, evicted segments coming back byte-identical, and SIGKILL during GC
# passes and writes.
source "$(dirname "$0")/lib.sh"
source "$(dirname "$0")/daemon_lib.sh"
[ "$(id -u)" -eq 0 ] || fail "needs root (FUSE mount with allow_other, nginx)"
ensure_fixtures
d=$(mktemp -d /tmp/hlsfs-gc.XXXXXX)
cleanup() { stop_nginx; stop_daemon "$d"; rm -rf "$d"; }
trap cleanup EXIT
failed=0
mkdir -p "$d/media"
cp "$FIXTURES/h264_aac_1080p30.mp4" "$d/media/movie.mp4"
ffmpeg -nostdin -v error -y -f lavfi -i "testsrc2=size=640x360:rate=25" -f lavfi -i "sine=frequency=330:sample_rate=48000" \
  -t 60 -c:v libx264 -preset ultrafast -g 50 -c:a aac "$d/media/long.mp4"
BUDGET=2500000
PREFETCH=0 start_daemon "$d"  # no budget yet: InitialTranscode first

target() {  # target SOURCE NAME INITIAL_TRANSCODE
  cat >"$d/req-$2.json" <<JSON
{"SourceURI":"file://$d/media/$1","Targets":[{"URI":"file://$d/media/out/$2/v","Duration":10,"InitialSegments":[2,2,2],
 "InitialTranscode":$3,"Video":{"TranscodeVideo":{"CRF":26,"FrameRate":25,"Resolution":"960x"}},
 "Audio":{"TranscodeAudio":{"Codec":"aac","Bitrate":96000}}}]}
JSON
  generate "$d" "$d/req-$2.json" >/dev/null || fail "generate $2"
}
segments_made() { find "$d/cache" -name '*.ts' | wc -l; }
# Sizes of the segment files in the cache; files the GC deletes meanwhile are skipped.
segment_sizes() { find "$d/cache" -ignore_readdir_race -name '*.ts' -printf '%s\n'; }
segment_bytes() { segment_sizes | awk '{s += $1} END {print s + 0}'; }

echo "== InitialTranscode 36: the segments of the first 36 s are made ahead, nothing else"
t0=$(date +%s)
target long.mp4 initial 36
want=6  # boundaries 0,2,4,6,16,26,36: segments 0-5 start before 36 s
for _ in $(seq 240); do [ "$(segments_made)" -ge $want ] && break; sleep 0.5; done
took=$(( $(date +%s) - t0 ))
sleep 3  # anything more would show up now
made=$(segments_made)
n=$(metric hlsfs_segments_transcoded_total)
if [ "$made" -eq $want ] && [ "$n" -eq $want ]; then
  echo "ok   $made segments made ahead in ${took}s, and no others"
else
  echo "FAIL: $made files, $n transcodes (wanted $want) after ${took}s"; failed=1
fi
for i in 0 1 2 3 4 5; do
  f=$(compgen -G "$d/cache/*/*/$i.ts" | head -1 || true)
  [ -n "$f" ] || { echo "FAIL: segment $i of the first 36 s missing"; failed=1; }
done

echo "== a reader who comes to wait for a segment being made ahead gives its job a reader's CPU priority"
# Two 6 s segments of 1080p at 1920x, made ahead by InitialTranscode at nice
# 19: two jobs of seconds at once (2 workers), each with threads of its own
# (the job's, the decoder's, x264's), all named after the job.
# A job's threads: in hlsfsd, named after the job (hlsfs-job<N>: the thread
# that drives it, and with transcoder.isolation inline the decoder's and
# x264's); with worker processes (the default), every thread of the worker
# that makes it ("worker<pid>"). A job has 3 threads or more; an idle
# worker, or the driving thread alone, has one.
job_nices() {  # one line per job: its name, then the nice value of each of its threads
  {
    for t in /proc/"$DAEMON_PID"/task/*; do
      c=$(cat "$t/comm" 2>/dev/null) || continue
      if [[ $c == hlsfs-job* ]]; then echo "$c $(awk '{print $19}' "$t/stat" 2>/dev/null)"; fi
    done
    for w in $(pgrep -P "$DAEMON_PID" -x hlsfs-worker); do
      for t in /proc/"$w"/task/*; do echo "worker$w $(awk '{print $19}' "$t/stat" 2>/dev/null)"; done
    done
  } | awk '{n[$1] = n[$1] " " $2} END {for (j in n) if (split(n[j], v, " ") >= 3) print j ":" n[j]}' | sort
}
made_ahead() {  # made_ahead NAME: a playlist of two 6 s segments at 1920x, made ahead; until both jobs run
  cat >"$d/req-$1.json" <<JSON
{"SourceURI":"file://$d/media/movie.mp4","Targets":[{"URI":"file://$d/media/out/$1/v","Duration":6,
 "InitialSegments":[6],"InitialTranscode":12,"Video":{"TranscodeVideo":{"CRF":23,"Resolution":"1920x"}}}]}
JSON
  generate "$d" "$d/req-$1.json" >/dev/null || fail "generate $1"
  # Until both jobs have opened their decoder and encoder (threads of their own).
  for _ in $(seq 100); do
    before=$(job_nices)
    [ "$(grep -c . <<<"$before" || true)" = 2 ] && return 0
    sleep 0.1
  done
}
read_first_segment() {  # read_first_segment NAME: in the background ($reader), until its job is raised ($during)
  seg0=$(grep -m1 '\.ts$' "$d/mnt/media/out/$1/v.m3u8")
  cat "$d/mnt/media/out/$1/$seg0" >"$d/$1-seg0.ts" 2>/dev/null &
  reader=$!
  for _ in $(seq 30); do  # for at most 3 s
    sleep 0.1
    during=$(job_nices)
    grep -q '^[a-z-]*[0-9]*: 0 0\( 0\)*$' <<<"$during" && return 0
  done
}
made_ahead raise
read_first_segment raise
wait $reader || { echo "FAIL: read of $seg0"; failed=1; }
echo "jobs before the reader: $(echo $before)"
echo "jobs with the reader waiting: $(echo $during)"
all_low=$(grep -c '^[a-z-]*[0-9]*: 19 19\( 19\)*$' <<<"$before" || true)
raised=$(grep -c '^[a-z-]*[0-9]*: 0 0\( 0\)*$' <<<"$during" || true)
left=$(grep -c '^[a-z-]*[0-9]*: 19 19\( 19\)*$' <<<"$during" || true)
jobs=$(grep -c . <<<"$during" || true)
check_that "[ $all_low = 2 ]" "made ahead: two jobs, every thread of each (the job started others) at nice 19"
check_that "[ $raised = 1 ]" "with a reader waiting: every thread of the reader's job at nice 0"
check_that "[ $left = 1 ] && [ $jobs = 2 ]" "the job nobody waits for stays at nice 19; no job is half raised"
check_that "[ '$(metric hlsfs_jobs_raised_total)' = 1 ]" "hlsfs_jobs_raised_total counts the raise"
wait_initial_transcode "$d/mnt/media/out/raise" 300 || { echo "FAIL: the raise playlist was not made ahead"; failed=1; }

echo "== SIGTERM while a reader waits for its segment and a background job pauses for it: hlsfsd stops at once"
# Both jobs end at their next frame and the reader gets an error: hlsfsd
# does not wait for segments nobody will get (it used to wait for the
# reader's job, and the paused job could wait for it forever once the
# scheduler had stopped).
made_ahead stop
read_first_segment stop
check_that "grep -q '^[a-z-]*[0-9]*: 0 0\( 0\)*$' <<<'$during'" "a reader's job runs: $(echo $during)"
t0=$SECONDS
kill -TERM "$DAEMON_PID"
for _ in $(seq 50); do kill -0 "$DAEMON_PID" 2>/dev/null || break; sleep 0.1; done
if kill -0 "$DAEMON_PID" 2>/dev/null; then
  echo "FAIL: hlsfsd still runs 5 s after SIGTERM"; failed=1
else
  rc=0; wait "$DAEMON_PID" || rc=$?
  check_that "[ $rc = 0 ]" "hlsfsd stopped within $((SECONDS - t0 + 1)) s after SIGTERM, exit status $rc"
  check_that "grep -q 'abandoning 2 running segment job' '$d/hlsfsd.log'" "and said it abandoned the 2 jobs"
fi
check_that "! wait $reader" "the reader waiting for its segment got an error"
stop_daemon "$d"
# Out of the budget checks below (the restart's reconciliation forgets them).
for p in raise stop; do
  rm -f "$d"/cache/*/"$(grep -o '[0-9a-f]\{32\}' "$d/media/out/$p/v.m3u8" | head -1)"/*.ts
done

PREFETCH=0 start_daemon "$d" "cache: {max_bytes: $BUDGET, high_water: 0.9, low_water: 0.6, gc_interval: 2s}"
start_nginx "$d"
base=http://127.0.0.1:$NGINX_PORT/media

echo "== a workload over several playlists with max_bytes far below it"
# Keep the cache's size under watch while players read.
( set +e; while :; do curl -s "http://127.0.0.1:$METRICS_PORT/metrics" | awk '$1=="hlsfs_cache_bytes"{print $2}'; sleep 0.2; done ) \
  >"$d/cache_bytes.log" 2>/dev/null &
watcher=$!
read_all() {  # read_all NAME: the checksum of each segment of playlist NAME, read through nginx
  for s in $(grep '\.ts' "$d/mnt/media/out/$1/v.m3u8"); do
    curl -sf "$base/out/$1/$s" | md5sum || echo "read of $s failed"
  done
}
declare -A first_pass
for p in a b c d; do
  target movie.mp4 "$p" 0
  hls_check "$base/out/$p/v.m3u8" "played $p"
  first_pass[$p]=$(read_all "$p")
done
kill $watcher 2>/dev/null || true
largest=$(segment_sizes | sort -n | tail -1)
peak=$(sort -n "$d/cache_bytes.log" | tail -1)
peak=${peak%.*}
total=$(segment_bytes)
if [ "$peak" -le $((BUDGET + largest)) ]; then
  echo "ok   cache peaked at $peak bytes (budget $BUDGET, largest segment $largest); now $total bytes"
else
  echo "FAIL: cache reached $peak bytes, budget $BUDGET + one segment $largest"; failed=1
fi
evicted=$(metric hlsfs_gc_evicted_total)
[ "${evicted:-0}" -gt 0 ] && echo "ok   $evicted segments evicted" || { echo "FAIL: nothing was evicted"; failed=1; }
# The playlist played last is the one that survives.
last_token=$(grep -o '[0-9a-f]\{32\}' "$d/mnt/media/out/d/v.m3u8" | head -1)
kept=$(compgen -G "$d/cache/*/$last_token/*.ts" | wc -l || true)
[ "$kept" -gt 0 ] && echo "ok   $kept segments of the playlist played last are cached" ||
  { echo "FAIL: the recently played playlist was evicted"; failed=1; }

echo "== evicted segments come back byte-identical"
again=$(read_all a)
[ "$again" = "${first_pass[a]}" ] && echo "ok   playlist a read again: same bytes" || { echo "FAIL: playlist a changed"; failed=1; }
hls_check "$base/out/a/v.m3u8" "a again"

echo "== hlsfsctl gc --dry-run reports without evicting"
before=$(find "$d/cache" -name '*.ts' | wc -l)
"$BUILD/bin/hlsfsctl" --endpoint "unix:$d/control.sock" gc --dry-run || failed=1
after=$(find "$d/cache" -name '*.ts' | wc -l)
[ "$before" -eq "$after" ] && echo "ok   dry run removed nothing" || { echo "FAIL: dry run removed files"; failed=1; }

echo "== SIGKILL during GC passes and writes: the index matches the disk after a restart"
for round in 1 2 3; do
  target long.mp4 "kill$round" -1  # the whole file ahead: writes, and GC passes under the budget
  sleep $((2 + RANDOM % 4))
  kill -KILL "$DAEMON_PID"; wait "$DAEMON_PID" 2>/dev/null || true; DAEMON_PID=
  stop_nginx
  PREFETCH=0 start_daemon "$d" "cache: {max_bytes: $BUDGET, high_water: 0.9, low_water: 0.6, gc_interval: 2s}"
  start_nginx "$d"
  base=http://127.0.0.1:$NGINX_PORT/media
  # The GC's first pass after the start may be evicting while we count:
  # until both agree, for at most 10 s (a real mismatch stays).
  for _ in $(seq 50); do
    on_disk=$(segment_bytes)
    indexed=$(metric hlsfs_cache_bytes)
    indexed=${indexed%.*}
    strays=$(find "$d/cache" -ignore_readdir_race -type f ! -name '*.ts' | wc -l)
    [ "$on_disk" = "$indexed" ] && [ "$strays" -eq 0 ] && break
    sleep 0.2
  done
  if [ "$on_disk" = "$indexed" ] && [ "$strays" -eq 0 ]; then
    echo "ok   round $round: index $indexed bytes = files on disk $on_disk bytes, no temp files"
  else
    echo "FAIL round $round: index $indexed bytes, disk $on_disk bytes, $strays temp files"; failed=1
  fi
done
hls_check "$base/out/kill3/v.m3u8" "after the restarts"
[ $failed -eq 0 ] || { echo "--- hlsfsd log (last 40 lines)"; tail -40 "$d/hlsfsd.log"; }
exit $failed
