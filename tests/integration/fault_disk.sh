#!/usr/bin/env bash
# Disk faults with the real daemon: a cache filesystem that is full (ENOSPC
# while a segment is written; the free-space floor), a source truncated after
# its playlist was made, and a state directory whose filesystem turns
# read-only (ext4 errors=remount-ro on a loop device, the way a failing disk
# does it). Keep it short: small sources, 5 s segments at 640x360.
source "$(dirname "$0")/lib.sh"
source "$(dirname "$0")/daemon_lib.sh"
[ "$(id -u)" -eq 0 ] || fail "needs root (tmpfs, loop device and FUSE mounts)"
d=$(mktemp -d /tmp/hlsfs-fault.XXXXXX)
loopdev=
cleanup() {
  stop_daemon "$d"
  umount "$d/cache" 2>/dev/null || true
  umount "$d/state" 2>/dev/null || true
  [ -z "$loopdev" ] || losetup -d "$loopdev" 2>/dev/null || true
  if [ -n "${KEEP_FAULT_DIR:-}" ]; then echo "kept $d"; else rm -rf "$d"; fi
}
trap cleanup EXIT
failed=0
mkdir -p "$d/media" "$d/cache" "$d/state"

# The cache: a tmpfs of 16 MiB. The state: ext4 on a loop device, mounted
# errors=remount-ro (its trigger_fs_error turns it read-only like a disk error).
mount -t tmpfs -o size=16m hlsfs-fault-cache "$d/cache"
truncate -s 256M "$d/state.img"  # sparse; RocksDB preallocates its WAL
mkfs.ext4 -q -F "$d/state.img"
loopdev=$(losetup -f --show "$d/state.img") || fail "no loop device"
mount -o errors=remount-ro "$loopdev" "$d/state"

ffmpeg -nostdin -v error -y -f lavfi -i "testsrc2=size=640x360:rate=25" -f lavfi -i "sine=frequency=330:sample_rate=48000" \
  -t 90 -c:v libx264 -preset ultrafast -g 50 -c:a aac "$d/media/a.mp4"
cp "$d/media/a.mp4" "$d/media/b.mp4"
cp "$d/media/a.mp4" "$d/media/e.mp4"
# 1280x720 in 10 s segments: a job long enough to cut its source while it runs.
ffmpeg -nostdin -v error -y -f lavfi -i "testsrc2=size=1280x720:rate=25" -f lavfi -i "sine=frequency=330:sample_rate=48000" \
  -t 20 -c:v libx264 -preset ultrafast -g 50 -c:a aac "$d/media/c.mp4"

# Written again (SIGHUP) by the parts below. No free-space floor at first:
# the ENOSPC part must meet a full disk (the floor would make room before).
CACHE_CONF="cache: {gc_interval: 1h, min_free: 0}"
PREFETCH=0 start_daemon "$d" "$CACHE_CONF"
reconfigure() {  # reconfigure CACHE_SECTION: rewrite the configuration, SIGHUP, until it is applied
  local before
  before=$(grep -c 'reloaded' "$d/hlsfsd.log" || true)
  PREFETCH=0 write_config "$d" "$1"
  kill -HUP "$DAEMON_PID"
  for _ in $(seq 50); do [ "$(grep -c 'reloaded' "$d/hlsfsd.log" || true)" -gt "$before" ] && break; sleep 0.1; done
  tail -1 "$d/hlsfsd.log"
}
request() {  # request NAME [DURATION WIDTH]: $d/req-NAME.json, a playlist of media/NAME.mp4 at media/out/NAME/v.m3u8 (5 s, 640x)
  cat >"$d/req-$1.json" <<JSON
{"SourceURI":"file://$d/media/$1.mp4","Targets":[{"URI":"file://$d/media/out/$1/v","Duration":${2:-5},"InitialTranscode":0,
 "Video":{"TranscodeVideo":{"CRF":26,"Resolution":"${3:-640}x"}},"Audio":{"TranscodeAudio":{"Codec":"aac","Bitrate":96000}}}]}
JSON
}
target() {  # target NAME [DURATION WIDTH]: request and generate it
  request "$@"
  generate "$d" "$d/req-$1.json" >/dev/null || fail "generate $1"
}
segment() {  # segment NAME N: the path of segment N of NAME in the mount
  echo "$d/mnt/media/out/$1/$(grep '\.ts$' "$d/mnt/media/out/$1/v.m3u8" | sed -n "$(($2 + 1))p")"
}
read_ok() {  # read_ok NAME N WHAT
  local t0=$SECONDS
  if cat "$(segment "$1" "$2")" >"$d/got.ts" 2>"$d/read.err" && [ -s "$d/got.ts" ]; then
    echo "ok   $3 ($(stat -c %s "$d/got.ts") bytes in $((SECONDS - t0)) s)"
  else
    echo "FAIL: $3 (after $((SECONDS - t0)) s): $(cat "$d/read.err")"; failed=1
  fi
}
show() { grep "$1" "$d/hlsfsd.log" | head -"${2:-1}" | sed 's/^/     /' || true; }  # show PATTERN [LINES]: log lines, indented
free_bytes() { echo $(( $(stat -f -c '%a' "$d/cache") * $(stat -f -c '%S' "$d/cache") )); }
cached() { find "$d/cache" -name '*.ts' | wc -l; }
# A file in the cache filesystem that leaves LEFT bytes free (the GC cannot delete it).
fill_to() {
  local size
  rm -f "$d/cache/filler"
  size=$(( $(free_bytes) - $1 ))
  [ "$size" -le 0 ] || fallocate -l "$size" "$d/cache/filler"
}

target a
target b
target c 10 1280

echo "== ENOSPC while a segment is written: the GC frees room at once and the read succeeds"
for i in 0 1 2 3 4 5; do cat "$(segment a $i)" >/dev/null || fail "read of a/$i"; done
echo "cache: $(cached) segments, $(free_bytes) bytes free"
fill_to 16384
echo "filled: $(free_bytes) bytes free"
read_ok a 10 "a/10 read with 16 KiB free"
check_that "grep -q 'cache full' '$d/hlsfsd.log'" "the log says the cache was full"
show 'cache full' 2
check_that "[ '$(metric hlsfs_cache_enospc_total)' = 1 ]" "hlsfs_cache_enospc_total counts it ($(metric hlsfs_cache_enospc_total))"
check_that "[ '$(metric hlsfs_gc_evicted_total)' -gt 0 ]" "the GC evicted segments for it ($(metric hlsfs_gc_evicted_total))"
read_ok a 0 "a/0 still readable (made again if evicted)"

echo "== cache.min_free: the GC keeps that much free in cache_dir's filesystem"
rm -f "$d/cache/filler"
for i in 1 2 3 4 5 6 7 8 9; do cat "$(segment a $i)" >/dev/null || true; done
before=$(cached)
fill_to 65536
CACHE_CONF="cache: {gc_interval: 1s, min_free: 2MiB}"
reconfigure "$CACHE_CONF"
for _ in $(seq 50); do [ "$(free_bytes)" -ge 2097152 ] && break; sleep 0.1; done
check_that "[ $(free_bytes) -ge 2097152 ]" "free space back above 2 MiB: $(free_bytes) bytes"
check_that "[ $(cached) -gt 0 ] && [ $(cached) -lt $before ]" "by evicting some of the cache's segments: $before -> $(cached)"
check_that "[ '$(metric hlsfs_cache_min_free_bytes)' = 2097152 ]" "hlsfs_cache_min_free_bytes shows the floor"

echo "== a full cache with nothing to evict: the read fails at once, and works once there is room"
CACHE_CONF="cache: {gc_interval: 1s, min_free: 0, max_bytes: 1}"
reconfigure "$CACHE_CONF"
for _ in $(seq 50); do [ "$(cached)" = 0 ] && break; sleep 0.1; done
fill_to 0
t0=$SECONDS
if cat "$(segment a 12)" >/dev/null 2>"$d/read.err"; then
  echo "FAIL: a/12 read from a full cache"; failed=1
else
  check_that "[ $((SECONDS - t0)) -lt 10 ]" "a/12 from a full cache with nothing to evict fails: $(cat "$d/read.err")"
fi
check_that "grep -q 'cache full.*nothing to evict' '$d/hlsfsd.log'" "the log says so"
show 'nothing to evict'
rm -f "$d/cache/filler"
CACHE_CONF="cache: {gc_interval: 1h}"
reconfigure "$CACHE_CONF"
read_ok a 12 "a/12 once there is room"

echo "== a source truncated after its playlist was made"
truncate -s $(( $(stat -c %s "$d/media/b.mp4") / 2 )) "$d/media/b.mp4"
t0=$SECONDS
if cat "$(segment b 12)" >/dev/null 2>"$d/read.err"; then
  echo "FAIL: b/12 read from a truncated source"; failed=1
else
  check_that "[ $((SECONDS - t0)) -lt 10 ]" "b/12 fails within $((SECONDS - t0)) s: $(cat "$d/read.err")"
fi
check_that "grep -q 'cannot make.*b.mp4.*changed' '$d/hlsfsd.log'" "the log names the segment and its source"
show 'cannot make.*b.mp4.*changed'
check_that "kill -0 $DAEMON_PID" "hlsfsd runs"
read_ok a 13 "another title plays"

echo "== a source truncated while a segment of it is made"
last=$(( $(grep -c '\.ts$' "$d/mnt/media/out/c/v.m3u8") - 1 ))
# The source's size at 2 s into its last segment: frames its job has not read
# when it has made only a few.
cut=$(awk -v size="$(stat -c %s "$d/media/c.mp4")" -F'[:,]' '/^#EXTINF/ {t[n++] = $2}
  END {for (i = 0; i < n - 1; i++) start += t[i]; printf "%d", size * (start + 2) / 20}' "$d/mnt/media/out/c/v.m3u8")
cat "$(segment c $last)" >"$d/c.ts" 2>"$d/read.err" &
reader=$!
progress=
for _ in $(seq 100); do
  progress=$("$HLSFSCTL" --endpoint "unix:$d/control.sock" status --json | python3 -c '
import json, sys
for j in json.load(sys.stdin)["Transcoder"]["Running"]:
    if j["Name"].endswith("-'$last'.ts") and "/out/c/" in j["Name"] and j["FramesDone"] > 0:
        print(j["FramesDone"], "of", j["FramesTotal"])' || true)
  [ -n "$progress" ] && break
  sleep 0.05
done
[ -n "$progress" ] || { echo "FAIL: the job of c/$last was not seen running (too fast for this test?)"; failed=1; }
truncate -s "$cut" "$d/media/c.mp4"
echo "cut the source at $cut bytes, its job at frame ${progress:-?}"
if wait $reader; then
  echo "FAIL: c/$last read although its source was cut while it was made ($(stat -c %s "$d/c.ts") bytes)"; failed=1
else
  echo "ok   c/$last fails: $(cat "$d/read.err")"
fi
check_that "grep -q 'cannot make.*c.mp4.*changed' '$d/hlsfsd.log'" "the log says why"
show 'cannot make.*c.mp4.*changed'
check_that "kill -0 $DAEMON_PID" "hlsfsd runs"

echo "== the state directory's filesystem turns read-only"
read_ok a 14 "a/14 made before"
echo x >"/sys/fs/ext4/$(basename "$loopdev")/trigger_fs_error"
grep -q "$d/state .*emergency_ro\|$d/state ext4 ro" /proc/mounts || echo "note: $(grep "$d/state" /proc/mounts)"
sleep 1.5  # a flush of access times
read_ok a 14 "a/14, made before, reads"
sleep 1.5
read_ok a 15 "a/15, a new segment, is made and served"
read_ok a 16 "a/16 too"
sleep 2
check_that "kill -0 $DAEMON_PID" "hlsfsd runs"
check_that "curl -sf --unix-socket '$d/control.sock' http://hlsfs/healthz >/dev/null" "the control API answers"
errors=$(grep -c 'Read-only file system' "$d/hlsfsd.log" || true)
check_that "[ $errors -ge 1 ] && [ $errors -le 2 ]" "the log names the state error $errors time(s) (RocksDB's line and hlsfsd's), no flood"
check_that "[ '$(grep -c 'state writes fail' "$d/hlsfsd.log" || true)' = 1 ]" "one line says what it means and what to do"
show 'Read-only file system' 2
# A request's own failure is its answer (and one log line each).
request e
if out=$(generate "$d" "$d/req-e.json" 2>&1); then
  echo "ok   a new playlist is generated: $out"
else
  check_that "grep -q 'Read-only file system' <<<'$out'" "a new playlist is refused, saying why: $out"
fi
check_that "kill -0 $DAEMON_PID" "hlsfsd runs"

echo "== after a restart on the repaired filesystem, hlsfsd goes on"
stop_daemon "$d"
umount "$d/state"
e2fsck -fy "$loopdev" >/dev/null 2>&1 || true  # 1: errors corrected
mount -o errors=remount-ro "$loopdev" "$d/state"
PREFETCH=0 start_daemon "$d" "$CACHE_CONF"
read_ok a 14 "a/14 reads after the restart"
read_ok a 17 "a/17, a new segment, is made"
check_that "grep -q 'ready' '$d/hlsfsd.log'" "hlsfsd started"

echo "($SECONDS s)"
[ "$failed" = 0 ] || { echo "--- hlsfsd.log (last 40 lines)"; tail -40 "$d/hlsfsd.log"; }
exit $failed
