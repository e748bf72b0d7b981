#!/usr/bin/env bash
# hlsfsd as a systemd service, without needing systemd as PID 1 here:
# - `systemd-analyze verify` of systemd/hlsfsd.service, as installed by
#   `cmake --install` (staged with DESTDIR; the unit's paths pointed there);
# - the install layout (binaries, plugin, config 0640, nginx site, player, unit);
# - Type=notify: READY=1 arrives only when the mount answers (checked at the
#   moment it arrives); SIGHUP: RELOADING=1 then READY=1, live keys applied,
#   restart-only keys named in the log; SIGTERM: STOPPING=1, unmounted, exit 0;
# - ExecStopPost's `hlsfsd --clean-mount` detaches the mount of a killed daemon.
source "$(dirname "$0")/lib.sh"
source "$(dirname "$0")/daemon_lib.sh"
[ "$(id -u)" -eq 0 ] || fail "needs root (FUSE mount)"
command -v systemd-analyze >/dev/null || fail "systemd-analyze is missing (Debian package systemd)"
d=$(mktemp -d /tmp/hlsfs-sd.XXXXXX)
listener=
cleanup() {
  if [ -n "$listener" ]; then kill "$listener" 2>/dev/null || true; fi
  stop_daemon "$d"
  rm -rf "$d"
}
trap cleanup EXIT
failed=0

echo "== install and systemd-analyze verify"
stage=$d/stage
DESTDIR=$stage cmake --install "$BUILD" >"$d/install.log" || { cat "$d/install.log"; fail "cmake --install"; }
prefix=$(sed -n 's/^CMAKE_INSTALL_PREFIX:PATH=//p' "$BUILD/CMakeCache.txt")
root=$stage$prefix
for f in bin/hlsfsd bin/hlsfsctl lib/hlsfs/backends/libhlsfs-backend-local.so lib/systemd/system/hlsfsd.service \
         share/hlsfs/nginx/hlsfs.conf share/hlsfs/player/index.html; do
  check_that "[ -e '$root/$f' ]" "installed $prefix/$f"
done
conf=$(find "$stage" -name hlsfs.yaml | head -1)
check_that "[ \"\$(stat -c %a '$conf')\" = 640 ]" "config installed mode 0640 (${conf#"$stage"})"
check_that "'$root/bin/hlsfsd' --check-config --config '$conf' >/dev/null" "the installed hlsfsd accepts the installed config"
# The installed unit names $prefix/bin/hlsfsd: point it at the staged copy to verify.
sed "s#$prefix/bin/#$root/bin/#g" "$root/lib/systemd/system/hlsfsd.service" >"$d/hlsfsd.service"
if out=$(systemd-analyze verify "$d/hlsfsd.service" 2>&1); then echo "ok   systemd-analyze verify (installed unit)"
else echo "FAIL: systemd-analyze verify:"; echo "$out"; failed=1; fi
# The repository's own file, with its binary paths pointed at this build.
sed "s#/usr/local/bin/#$BUILD/bin/#g" "$REPO/systemd/hlsfsd.service" >"$d/repo-hlsfsd.service"
if out=$(systemd-analyze verify "$d/repo-hlsfsd.service" 2>&1); then echo "ok   systemd-analyze verify (systemd/hlsfsd.service)"
else echo "FAIL: systemd-analyze verify systemd/hlsfsd.service:"; echo "$out"; failed=1; fi
grep -q '^Type=notify' "$REPO/systemd/hlsfsd.service" || { echo "FAIL: not Type=notify"; failed=1; }

echo "== Type=notify readiness"
write_config "$d" "cache: {max_bytes: 1G}"
python3 "$REPO/tests/integration/notify_listener.py" "$d/notify.sock" "$d/notify.log" &
listener=$!
for _ in $(seq 50); do [ -S "$d/notify.sock" ] && break; sleep 0.1; done
NOTIFY_SOCKET=$d/notify.sock "$HLSFSD" --config "$d/hlsfs.yaml" >>"$d/hlsfsd.log" 2>&1 &
DAEMON_PID=$!
ready_at_mount=
for _ in $(seq 200); do
  if grep -q READY=1 "$d/notify.log" 2>/dev/null; then
    # The mount must answer the moment READY=1 is seen.
    mountpoint -q "$d/mnt" && ls "$d/mnt/media" >/dev/null && ready_at_mount=yes
    break
  fi
  sleep 0.05
done
check_that "[ -n '$ready_at_mount' ]" "READY=1 sent, and the mount answered when it arrived"
check_that "curl -sf --unix-socket '$d/control.sock' http://hlsfs/healthz >/dev/null" "control API answers once ready"

echo "== SIGHUP reload"
max_bytes() { curl -s --unix-socket "$d/control.sock" http://hlsfs/v1/status | python3 -c 'import json,sys; print(json.load(sys.stdin)["cache"]["max_bytes"])'; }
check_that "[ \"\$(max_bytes)\" = $((1 << 30)) ]" "cache.max_bytes 1G before the reload"
sed -i -e 's/max_bytes: 1G/max_bytes: 2G/' -e 's/workers: 2/workers: 3/' -e 's/level: info/level: debug/' "$d/hlsfs.yaml"
kill -HUP "$DAEMON_PID"
for _ in $(seq 100); do [ "$(grep -c READY=1 "$d/notify.log")" -ge 2 ] && break; sleep 0.05; done
check_that "grep -q RELOADING=1 '$d/notify.log' && [ \"\$(grep -c READY=1 '$d/notify.log')\" -ge 2 ]" "RELOADING=1 then READY=1"
check_that "[ \"\$(max_bytes)\" = $((2 << 30)) ]" "cache.max_bytes 2G applied without a restart"
check_that "grep -q 'applied log.level, cache.max_bytes' '$d/hlsfsd.log'" "the log names what was applied"
check_that "grep -q 'after a restart: transcoder.workers' '$d/hlsfsd.log'" "the log names what waits for a restart"
echo "stores: [" >>"$d/hlsfs.yaml"
kill -HUP "$DAEMON_PID"
for _ in $(seq 100); do grep -q "keeping the running configuration" "$d/hlsfsd.log" && break; sleep 0.05; done
check_that "grep -q 'keeping the running configuration' '$d/hlsfsd.log' && kill -0 $DAEMON_PID" "a broken file on SIGHUP: kept running, said why"

echo "== SIGTERM"
kill -TERM "$DAEMON_PID"
rc=0; wait "$DAEMON_PID" || rc=$?
DAEMON_PID=
check_that "[ $rc -eq 0 ]" "exit status 0 after SIGTERM"
check_that "grep -q STOPPING=1 '$d/notify.log'" "STOPPING=1 sent"
check_that "! mountpoint -q '$d/mnt'" "unmounted"

echo "== ExecStopPost: the mount of a killed daemon"
sed -i '$d' "$d/hlsfs.yaml"  # the broken line
"$HLSFSD" --config "$d/hlsfs.yaml" >>"$d/hlsfsd.log" 2>&1 &
DAEMON_PID=$!
for _ in $(seq 100); do mountpoint -q "$d/mnt" && break; sleep 0.1; done
kill -KILL "$DAEMON_PID"; wait "$DAEMON_PID" 2>/dev/null || true
DAEMON_PID=
check_that "! ls '$d/mnt' >/dev/null 2>&1" "a killed daemon leaves a dead mount (ENOTCONN)"
"$HLSFSD" --clean-mount --config "$d/hlsfs.yaml" || { echo "FAIL: hlsfsd --clean-mount exited $?"; failed=1; }
check_that "ls '$d/mnt' >/dev/null 2>&1 && ! mountpoint -q '$d/mnt'" "hlsfsd --clean-mount detached it"
cat "$d/notify.log" | sed 's/^/     notify: /'
[ $failed -eq 0 ] || { echo "--- hlsfsd log"; tail -30 "$d/hlsfsd.log"; }
exit $failed
