#!/usr/bin/env bash
# hlsfsd as a systemd service, without needing systemd as PID 1 here:
# - `systemd-analyze verify` of systemd/hlsfsd.service, as installed by
#   `cmake --install` (staged with DESTDIR; the unit's paths pointed there);
# - the install layout (binaries, plugin, config 0640, nginx site, player, unit);
# - Type=notify: READY=1 arrives only when the mount answers (checked at the
#   moment it arrives); SIGHUP: RELOADING=1 then READY=1, live keys applied,
#   restart-only keys named in the log; SIGTERM: STOPPING=1, unmounted, exit 0;
# - ExecStopPost's `hlsfsd --clean-mount` detaches the mount of a killed daemon;
# - the unit's sandbox, as systemd would set it up (systemd is not PID 1
#   here): the daemon runs as a user of its own with the unit's ambient
#   capabilities (setpriv), under its SystemCallFilter= and
#   MemoryDenyWriteExecute= (unit_sandbox, the filters systemd 252 loads),
#   mounts for other users (allow_other), encodes with x264 and x265, sends
#   WATCHDOG=1 from its watchdog actor, and logs to a journal (a journald
#   namespace, connected as systemd connects a service) where
#   `journalctl -p err` shows its errors only;
# - `systemd-analyze security` scores the unit 4.0 or better (5.8 before
#   the sandbox above).
source "$(dirname "$0")/lib.sh"
source "$(dirname "$0")/daemon_lib.sh"
[ "$(id -u)" -eq 0 ] || fail "needs root (FUSE mount)"
command -v systemd-analyze >/dev/null || fail "systemd-analyze is missing (Debian package systemd)"
[ -x "$BUILD/bin/unit_sandbox" ] || fail "$BUILD/bin/unit_sandbox is missing (Debian package libseccomp-dev)"
command -v setpriv >/dev/null || fail "setpriv is missing (Debian package util-linux)"
ensure_fixtures
d=$(mktemp -d /tmp/hlsfs-sd.XXXXXX)
chmod 755 "$d"  # the daemon's user must reach its files, another user the mount
listener= journald=
ns=hlsfs-test-$$
cleanup() {
  if [ -n "$listener" ]; then kill "$listener" 2>/dev/null || true; fi
  stop_daemon "$d"
  # A daemon whose pid was missed would keep the mount and ctest's locks.
  for p in $(pgrep -f -- "--config $d/hlsfs.yaml" || true); do kill -KILL "$p" 2>/dev/null || true; done
  fusermount3 -u -z "$d/mnt" 2>/dev/null || true
  if [ -n "$journald" ]; then kill "$journald" 2>/dev/null || true; wait "$journald" 2>/dev/null || true; fi
  rm -rf "$d" /var/log/journal/*."$ns" "/run/systemd/journal.$ns"
}
trap cleanup EXIT
failed=0
UNIT=$REPO/systemd/hlsfsd.service

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
mkdir -p "$stage/etc"
check_that "[ -e '$root/lib/sysusers.d/hlsfs.conf' ] && systemd-sysusers --root='$stage' '$root/lib/sysusers.d/hlsfs.conf' &&
            grep -q '^hlsfs:' '$stage/etc/passwd'" "lib/sysusers.d/hlsfs.conf makes the unit's user (in the staged root)"
score=$(systemd-analyze security --offline=true "$d/repo-hlsfsd.service" 2>&1 | sed -n 's/.*Overall exposure level for [^:]*: \([0-9.]*\).*/\1/p')
check_that "awk 'BEGIN {exit !(\"$score\" != \"\" && \"$score\" + 0 <= 4.0)}'" \
  "systemd-analyze security: exposure $score (at most 4.0; 5.8 before SystemCallFilter, User=, DevicePolicy, ...)"

echo "== the unit's sandbox without systemd"
# SystemCallFilter= expanded by this machine's systemd; MemoryDenyWriteExecute=.
python3 "$REPO/tests/integration/unit_syscalls.py" "$UNIT" >"$d/syscalls.allowed"
mdwe=; grep -q '^MemoryDenyWriteExecute=yes' "$UNIT" && mdwe=--mdwe
# User= (a uid of its own) with the unit's AmbientCapabilities= and
# CapabilityBoundingSet=, NoNewPrivileges=yes.
caps() { sed -n "s/^$1=//p" "$UNIT" | tr 'A-Z' 'a-z' | sed -e 's/cap_/+/g' -e 's/ /,/g'; }
uid=61234
# A script, so that the command keeps the pid it was started with (exec).
cat >"$d/as-unit" <<SH
#!/bin/sh
exec setpriv --reuid=$uid --regid=$uid --clear-groups --inh-caps=$(caps AmbientCapabilities) \\
  --ambient-caps=$(caps AmbientCapabilities) --bounding-set=-all,$(caps CapabilityBoundingSet) --no-new-privs -- \\
  "$BUILD/bin/unit_sandbox" "$d/syscalls.allowed" $mdwe -- "\$@"
SH
chmod 755 "$d/as-unit"
run_as_unit() { "$d/as-unit" "$@"; }
check_that "grep -qx mount '$d/syscalls.allowed' && ! grep -qx chown '$d/syscalls.allowed'" "the filter allows mount(2), not chown(2)"
# The sandbox bites: a denied call kills (stricter than the unit's EPERM, so
# nothing the daemon needs can hide behind an error), a W+X mapping fails.
# chown of its own file to itself: allowed to any user, not by the filter.
touch "$d/own"; chown $uid "$d/own"
rc=0; run_as_unit /bin/chown $uid "$d/own" 2>/dev/null || rc=$?
check_that "[ $rc -eq 159 ]" "a call outside the filter (chown) kills the process (SIGSYS, exit $rc)"
if [ -n "$mdwe" ]; then
  out=$(run_as_unit /usr/bin/python3 -c 'import mmap; mmap.mmap(-1, 4096, prot=mmap.PROT_READ | mmap.PROT_WRITE | mmap.PROT_EXEC)' 2>&1 || true)
  check_that '[[ $out == *"Operation not permitted"* ]]' "MemoryDenyWriteExecute: a writable and executable mapping is refused"
fi
# The journal: a journald of its own (a namespace), the daemon's output
# connected as systemd connects a service's.
/lib/systemd/systemd-journald "$ns" >"$d/journald.log" 2>&1 &
journald=$!
for _ in $(seq 50); do [ -S "/run/systemd/journal.$ns/stdout" ] && break; sleep 0.1; done
[ -S "/run/systemd/journal.$ns/stdout" ] || { cat "$d/journald.log"; fail "systemd-journald $ns did not start"; }
jlog() { journalctl --namespace="$ns" --no-pager -o cat "$@" 2>/dev/null; }

echo "== Type=notify readiness"
PREFETCH=0 write_config "$d" "cache: {max_bytes: 1G}"
cp "$FIXTURES/h264_aac_1080p30.mp4" "$d/media/"
check_that "run_as_unit '$HLSFSD' --check-config --config '$d/hlsfs.yaml' >/dev/null" "ExecStartPre (--check-config) under the unit's sandbox"
python3 "$REPO/tests/integration/notify_listener.py" "$d/notify.sock" "$d/notify.log" &
listener=$!
for _ in $(seq 50); do [ -S "$d/notify.sock" ] && break; sleep 0.1; done
# WatchdogSec=2s: WATCHDOG=1 every second.
NOTIFY_SOCKET=$d/notify.sock WATCHDOG_USEC=2000000 python3 "$REPO/tests/integration/journal_stream.py" \
  "/run/systemd/journal.$ns/stdout" hlsfsd -- "$d/as-unit" "$HLSFSD" --config "$d/hlsfs.yaml" &
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
[ -n "$ready_at_mount" ] || jlog | tail -20
check_that "curl -sf --unix-socket '$d/control.sock' http://hlsfs/healthz >/dev/null" "control API answers once ready"
check_that "[ \"\$(stat -c %u /proc/$DAEMON_PID)\" = $uid ]" "hlsfsd runs as its own user ($uid), not root"

echo "== encodes under the sandbox (x264, x265), read by another user"
cat >"$d/req.json" <<JSON
{"SourceURI":"file://$d/media/h264_aac_1080p30.mp4","MasterURI":"file://$d/media/out/master.m3u8",
 "Targets":[
  {"URI":"file://$d/media/out/avc","Duration":5,"InitialTranscode":0,"Video":{"TranscodeVideo":{"CRF":28,"Resolution":"320x"}},
   "Audio":{"TranscodeAudio":{"Codec":"aac","Bitrate":64000}}},
  {"URI":"file://$d/media/out/hevc","Duration":5,"InitialTranscode":0,"Video":{"TranscodeVideo":{"Codec":"h265","CRF":30,"Resolution":"320x"}},
   "Audio":{"TranscodeAudio":{"Codec":"aac","Bitrate":64000}}}]}
JSON
generate "$d" "$d/req.json" >"$d/resp.json" || { cat "$d/resp.json"; echo "FAIL: generate"; failed=1; }
for r in avc:h264 hevc:hevc; do
  seg=$(grep -m1 '\.ts$' "$d/mnt/media/out/${r%%:*}.m3u8" || true)
  setpriv --reuid=65534 --regid=65534 --clear-groups cat "$d/mnt/media/out/$seg" >"$d/seg.ts" 2>"$d/read.err" || true
  codec=$(ffprobe -v error -select_streams v:0 -show_entries stream=codec_name -of csv=p=0 "$d/seg.ts" 2>&1 || true)
  codec=${codec%%$'\n'*}  # MPEG-TS: the stream is listed under its program too
  check_that '[ "$codec" = ${r#*:} ]' "${r%%:*}: $seg, made under the filters, read by user nobody: ${codec:-$(cat "$d/read.err")}"
done

echo "== WATCHDOG=1 from the watchdog actor"
sleep 2.5
check_that "[ \"\$(grep -c WATCHDOG=1 '$d/notify.log')\" -ge 3 ]" "keep-alives every second (WatchdogSec=2s): $(grep -c WATCHDOG=1 "$d/notify.log")"

echo "== SIGHUP reload"
max_bytes() { curl -s --unix-socket "$d/control.sock" http://hlsfs/v1/status | python3 -c 'import json,sys; print(json.load(sys.stdin)["Cache"]["MaxBytes"])'; }
check_that "[ \"\$(max_bytes)\" = $((1 << 30)) ]" "cache.max_bytes 1G before the reload"
sed -i -e 's/max_bytes: 1G/max_bytes: 2G/' -e 's/workers: 2/workers: 3/' -e 's/level: info/level: debug/' "$d/hlsfs.yaml"
kill -HUP "$DAEMON_PID"
for _ in $(seq 100); do [ "$(grep -c READY=1 "$d/notify.log")" -ge 2 ] && break; sleep 0.05; done
check_that "grep -q RELOADING=1 '$d/notify.log' && [ \"\$(grep -c READY=1 '$d/notify.log')\" -ge 2 ]" "RELOADING=1 then READY=1"
check_that "[ \"\$(max_bytes)\" = $((2 << 30)) ]" "cache.max_bytes 2G applied without a restart"
check_that "jlog | grep >/dev/null 'applied log.level, cache.max_bytes'" "the log names what was applied"
check_that "jlog | grep >/dev/null 'after a restart: transcoder.workers'" "the log names what waits for a restart"
echo "stores: [" >>"$d/hlsfs.yaml"
kill -HUP "$DAEMON_PID"
for _ in $(seq 100); do jlog | grep >/dev/null "keeping the running configuration" && break; sleep 0.05; done
check_that "jlog | grep >/dev/null 'keeping the running configuration' && kill -0 $DAEMON_PID" "a broken file on SIGHUP: kept running, said why"
# Priorities: the error is in `journalctl -p err`, the info lines are not.
check_that "jlog -p err | grep >/dev/null 'keeping the running configuration' && ! jlog -p err | grep >/dev/null 'ready: mount' &&
            jlog -p info | grep >/dev/null 'ready: mount' && jlog -p warning | grep >/dev/null 'after a restart'" \
  "journalctl -p err shows the errors only (<3> prefixes, JOURNAL_STREAM matched)"

echo "== SIGTERM"
kill -TERM "$DAEMON_PID"
rc=0; wait "$DAEMON_PID" || rc=$?
DAEMON_PID=
check_that "[ $rc -eq 0 ]" "exit status 0 after SIGTERM"
check_that "grep -q STOPPING=1 '$d/notify.log'" "STOPPING=1 sent"
check_that "! mountpoint -q '$d/mnt'" "unmounted"

echo "== ExecStopPost: the mount of a killed daemon"
sed -i '$d' "$d/hlsfs.yaml"  # the broken line
"$d/as-unit" "$HLSFSD" --config "$d/hlsfs.yaml" >>"$d/hlsfsd.log" 2>&1 &  # not a function: $! is hlsfsd
DAEMON_PID=$!
for _ in $(seq 100); do mountpoint -q "$d/mnt" && break; sleep 0.1; done
kill -KILL "$DAEMON_PID"; wait "$DAEMON_PID" 2>/dev/null || true
DAEMON_PID=
check_that "! ls '$d/mnt' >/dev/null 2>&1" "a killed daemon leaves a dead mount (ENOTCONN)"
run_as_unit "$HLSFSD" --clean-mount --config "$d/hlsfs.yaml" || { echo "FAIL: hlsfsd --clean-mount exited $?"; failed=1; }
check_that "ls '$d/mnt' >/dev/null 2>&1 && ! mountpoint -q '$d/mnt'" "hlsfsd --clean-mount detached it"
cat "$d/notify.log" | sed 's/^/     notify: /'
check_that "! grep -q '^<[0-9]>' '$d/hlsfsd.log' && grep -q 'info  fuse: mounted' '$d/hlsfsd.log'" "plain lines (no <N>) when stderr is a file"
[ $failed -eq 0 ] || { echo "--- hlsfsd journal"; jlog | tail -30; echo "--- hlsfsd log"; tail -30 "$d/hlsfsd.log"; }
exit $failed
