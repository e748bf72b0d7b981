#!/usr/bin/env bash
# The README's demo command, run as a user would (scripts/demo.sh, in a temp
# directory and on free ports): its printed player URL plays in chromium
# (hls.js: from 0, a forced quality switch, a seek) with the live readout
# showing segments made while the player waited, then, for a second viewer,
# segments from the cache; the printed library title (no API call) plays;
# that URL with a changed signature byte, expired, or without signature gets
# 403 for the playlist and a segment; nginx's workers are not root and the
# secret is in no world-readable file; Ctrl-C stops everything and unmounts.
source "$(dirname "$0")/lib.sh"
source "$(dirname "$0")/daemon_lib.sh"
[ "$(id -u)" -eq 0 ] || fail "needs root (FUSE mount with allow_other, nginx)"
d=$(mktemp -d /tmp/hlsfs-demo.XXXXXX)
demo_pid=
cleanup() {
  if [ -n "$demo_pid" ]; then
    kill -INT -- "-$demo_pid" 2>/dev/null || true
    wait "$demo_pid" 2>/dev/null || true
  fi
  fusermount3 -u -z "$d/mnt" 2>/dev/null || true
  rm -rf "$d"
}
trap cleanup EXIT
failed=0
port=$(free_port)
: >"$d.out"
# The demo builds build/ (a no-op once built) whatever $BUILD this test runs from.
HLSFS_DEMO_DIR=$d HLSFS_DEMO_PORT=$port HLSFS_DEMO_METRICS_PORT=$(free_port) \
  setsid bash "$REPO/scripts/demo.sh" >"$d.out" 2>&1 &
demo_pid=$!
player=
for _ in $(seq 600); do
  player=$(sed -n 's/^  Player (hls.js, signed): *//p' "$d.out")
  [ -n "$player" ] && break
  kill -0 "$demo_pid" 2>/dev/null || { cat "$d.out"; fail "the demo exited"; }
  sleep 0.5
done
[ -n "$player" ] || { cat "$d.out"; fail "the demo printed no player URL"; }
master=$(sed -n 's/^  Signed master playlist: *//p' "$d.out")
echo "demo player: $player"
base=http://127.0.0.1:$port

# Signed now, expired by the time it is tried (the plays take longer than
# its second): no sleep for it.
expired=$("$REPO/build/bin/hlsfsctl" --config "$d/hlsfs.yaml" sign /media/out/sample/master.m3u8 --ttl 0s)

echo "== the printed player URL plays"
# A first viewer waits for segments being made; a second one, in a new page,
# gets the same start from the cache. (Which of the first viewer's segments
# were made ahead by InitialTranscode depends on the machine's speed.)
node "$REPO/tests/browser/play.mjs" "$player" --switch-level --readout=made || failed=1
echo "== a second viewer"
node "$REPO/tests/browser/play.mjs" "$player" --readout=cache || failed=1
echo "== the printed library title plays, with no API call"
library=$(sed -n 's/^  Library title (signed): *//p' "$d.out")
if [ -z "$library" ]; then echo "FAIL: the demo printed no library title"; failed=1
else node "$REPO/tests/browser/play.mjs" "$library" --switch-level || failed=1; fi

echo "== nginx's workers are not root, and no file others can read holds the secret"
workers=$(ps -o user= --ppid "$(cat "$d/nginx/nginx.pid")" | sort -u | tr '\n' ' ')
[ "$workers" = "www-data " ] && echo "ok   nginx workers run as $workers" ||
  { echo "FAIL: nginx workers run as '$workers', wanted www-data"; failed=1; }
grep -q "GET /s/[^ ]*/~events/[0-9a-f]\{32\}?after=[0-9]* HTTP/1.1\" 200 " "$d/nginx/access.log" &&
  echo "ok   the readout came through its signed URL (as www-data, by the control socket's group)" ||
  { echo "FAIL: the player page never read its readout"; failed=1; }
leaks=$(find "$d" -path "$d/mnt" -prune -o -path "$d/media" -prune -o -type f -perm /o=r \
  -exec grep -lF "$(cat "$d/secret")" {} + || true)
[ -z "$leaks" ] && echo "ok   the secret is in no world-readable file" ||
  { echo "FAIL: world-readable files hold the secret: $leaks"; failed=1; }

echo "== and nothing else does"
mpath=${master#"$base"}  # /s/<sig>/<exp>/media/out/sample/~/master.m3u8
tok=$(grep -o '[0-9a-f]\{32\}' "$d/mnt/media/out/sample/720p.m3u8" | head -1)
seg=720p-$tok-0.ts
expect_status 200 "$master" "signed master"
expect_status 200 "${master%master.m3u8}$seg" "a segment under the master's signature"
sig=$(echo "$mpath" | cut -d/ -f3)
flipped=$( [ "${sig:0:1}" = A ] && echo "B${sig:1}" || echo "A${sig:1}")
expect_status 403 "$base${mpath/$sig/$flipped}" "master with a changed byte"
expect_status 403 "${base}${mpath%master.m3u8}" "the signed directory itself"
tampered_seg="$base${mpath/$sig/$flipped}"
expect_status 403 "${tampered_seg%master.m3u8}$seg" "segment with a changed byte"
expect_status 403 "$base/media/out/sample/master.m3u8" "master without signature"
expect_status 403 "$base/media/out/sample/$seg" "segment without signature"
exp=$(echo "${expired#"$base"}" | cut -d/ -f4)
while [ "$(date +%s)" -le "$exp" ]; do sleep 0.2; done  # past its second (not waited for, as a rule)
expect_status 403 "$expired" "expired master"
expect_status 403 "${expired%master.m3u8}$seg" "expired segment"

echo "== Ctrl-C stops it all"
kill -INT -- "-$demo_pid"
for _ in $(seq 200); do kill -0 "$demo_pid" 2>/dev/null || break; sleep 0.1; done
if kill -0 "$demo_pid" 2>/dev/null; then echo "FAIL: the demo still runs after Ctrl-C"; failed=1
else echo "ok   the demo stopped"; demo_pid=; fi
if mountpoint -q "$d/mnt"; then echo "FAIL: still mounted"; failed=1; else echo "ok   unmounted"; fi
if curl -s -o /dev/null "$base/"; then echo "FAIL: nginx still answers"; failed=1; else echo "ok   nginx stopped"; fi
[ $failed -eq 0 ] || { echo "--- demo output"; tail -30 "$d.out"; }
rm -f "$d.out"
exit $failed
