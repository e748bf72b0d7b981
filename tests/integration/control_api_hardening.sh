#!/usr/bin/env bash
# The control API over TCP against hostile clients, on the
# real daemon:
# - control.listen on a non-loopback address without control.token_file is
#   refused at start, naming control.listen; with a token it is accepted;
# - a token file others may read, or a short token, is refused at start;
# - with a token: no or a wrong Authorization header -> 401 with IMM-style
#   JSON, the right one -> 200; hlsfsctl over TCP sends it (read from the
#   token file the config names); the unix socket asks for none;
# - a slowloris (200 loopback TCP connections trickling a request head that
#   never ends) keeps no real client (curl over TCP with the token, curl over
#   the unix socket) from an answer within 2 s, and the daemon closes every
#   one of its connections by control.head_timeout (2 s here).
source "$(dirname "$0")/lib.sh"
source "$(dirname "$0")/daemon_lib.sh"
[ "$(id -u)" -eq 0 ] || fail "needs root (FUSE mount)"
d=$(mktemp -d /tmp/hlsfs-ctlh.XXXXXX)
loris=
cleanup() {
  if [ -n "$loris" ]; then kill "$loris" 2>/dev/null || true; fi
  stop_daemon "$d"
  rm -rf "$d"
}
trap cleanup EXIT
failed=0
port=$(free_port)
token=$(head -c 24 /dev/urandom | od -An -tx1 | tr -d ' \n')

# with_control EXTRA: the config's control section with EXTRA added (flow style).
with_control() {
  sed -i "s#^control: {socket: \([^,}]*\).*}#control: {socket: \1, $1}#" "$d/hlsfs.yaml"
}
# refused WHAT PATTERN: hlsfsd must exit 2 at start, its message matching PATTERN, with no listener.
refused() {
  local rc=0 out
  out=$(timeout 20 "$HLSFSD" --config "$d/hlsfs.yaml" 2>&1) || rc=$?
  if [ $rc -eq 2 ] && grep -q -- "$2" <<<"$out" && ! mountpoint -q "$d/mnt"; then echo "ok   $1: $out"
  else echo "FAIL: $1: exit $rc, wanted 2 and \"$2\": $out"; failed=1; fi
  fusermount3 -u -z "$d/mnt" 2>/dev/null || true
}

echo "== refused at start"
write_config "$d"
with_control "listen: 0.0.0.0:$port"
refused "0.0.0.0 without a token" "control.listen: .*0.0.0.0.*control.token_file"
with_control "listen: '[::]:$port'"
refused "[::] without a token" "control.listen"
printf '%s\n' "$token" >"$d/token"
chmod 644 "$d/token"
with_control "listen: 0.0.0.0:$port, token_file: $d/token"
refused "a token file others may read" "control.token_file: .*$d/token.*chmod"
chmod 600 "$d/token"
printf 'short\n' >"$d/short-token"
chmod 600 "$d/short-token"
with_control "listen: 0.0.0.0:$port, token_file: $d/short-token"
refused "a token of 5 characters" "control.token_file: .*at least 16"
with_control "listen: 0.0.0.0:$port, token_file: $d/token"
check_that "'$HLSFSD' --check-config --config '$d/hlsfs.yaml' >/dev/null" "0.0.0.0 with a private token file is accepted"

echo "== bearer token over TCP"
# The daemon itself listens on loopback only: the test exposes nothing.
write_config "$d"
with_control "listen: 127.0.0.1:$port, token_file: $d/token, head_timeout: 2s"
"$HLSFSD" --config "$d/hlsfs.yaml" >>"$d/hlsfsd.log" 2>&1 &
DAEMON_PID=$!
for _ in $(seq 100); do
  curl -sf --unix-socket "$d/control.sock" http://hlsfs/healthz >/dev/null 2>&1 && mountpoint -q "$d/mnt" && break
  kill -0 $DAEMON_PID 2>/dev/null || { cat "$d/hlsfsd.log"; fail "hlsfsd exited"; }
  sleep 0.1
done
tcp=http://127.0.0.1:$port
code() { curl -s -o "$d/body" -w '%{http_code}' --max-time 5 "$@" || true; }
got=$(code "$tcp/v1/status")
check_that "[ '$got' = 401 ] && grep -q '\"Code\":\"Unauthorized\"' '$d/body'" \
  "no Authorization header -> $got $(cat "$d/body")"
check_that "[ \"\$(code -H 'Authorization: Bearer wrong-$token' '$tcp/v1/status')\" = 401 ]" "a wrong token -> 401"
check_that "[ \"\$(code -H 'Authorization: Bearer $token' '$tcp/v1/status')\" = 200 ]" "the token -> 200"
check_that "[ \"\$(code --unix-socket '$d/control.sock' http://hlsfs/v1/status)\" = 200 ]" "the unix socket asks for no token"
check_that "'$HLSFSCTL' --config '$d/hlsfs.yaml' --endpoint '$tcp' status >/dev/null" \
  "hlsfsctl over TCP sends the token from control.token_file"

echo "== slowloris: 200 half-open connections"
# Opens 200 connections, each sending a request head that never ends, one
# more byte every 0.5 s (an idle timeout alone would not end them); writes
# "ready" once all are open, then waits until the daemon closed every one
# (at most 12 s) and prints how many it closed and when the last went.
python3 - "$port" "$d/loris" <<'PY' &
import socket, sys, time
port, status = int(sys.argv[1]), sys.argv[2]
start = time.monotonic()
socks = []
for _ in range(200):
    s = socket.create_connection(("127.0.0.1", port), timeout=5)
    s.setblocking(False)
    try:
        s.send(b"GET /v1/status HTTP/1.1\r\nHost: x\r\nX-Slow: ")
    except OSError:
        pass
    socks.append(s)
opened = time.monotonic() - start
open(status + ".ready", "w").write("%.2f\n" % opened)
alive, last_close = set(socks), 0.0
while alive and time.monotonic() - start < 12:
    for s in list(alive):
        try:
            if s.recv(4096) == b"":
                raise ConnectionResetError
        except BlockingIOError:
            try:
                s.send(b"a")
                continue
            except BlockingIOError:
                continue
            except OSError:
                pass
        except OSError:
            pass
        alive.discard(s)
        last_close = time.monotonic() - start
    time.sleep(0.5)
open(status, "w").write("%d %d %.1f %.2f\n" % (len(socks), len(socks) - len(alive), last_close, opened))
PY
loris=$!
for _ in $(seq 100); do [ -e "$d/loris.ready" ] && break; sleep 0.1; done
check_that "[ -e '$d/loris.ready' ]" "200 connections opened (in $(cat "$d/loris.ready" 2>/dev/null || echo '?') s)"
t0=$(date +%s.%N)
tcp_code=$(curl -s -o /dev/null -w '%{http_code}' --max-time 2 -H "Authorization: Bearer $token" "$tcp/v1/status" || true)
t1=$(date +%s.%N)
unix_code=$(curl -s -o /dev/null -w '%{http_code}' --max-time 2 --unix-socket "$d/control.sock" http://hlsfs/v1/status || true)
t2=$(date +%s.%N)
check_that "[ '$tcp_code' = 200 ]" "curl over TCP answered during the slowloris: $tcp_code in $(awk "BEGIN {print $t1 - $t0}") s"
check_that "[ '$unix_code' = 200 ]" "curl over the unix socket answered during the slowloris: $unix_code in $(awk "BEGIN {print $t2 - $t1}") s"
wait "$loris" || true
loris=
read -r total closed last opened <"$d/loris" || true
# Each closes by 2 s after it was opened; the check loop looks every 0.5 s.
check_that "[ '${closed:-0}' = 200 ] && [ '${total:-0}' = 200 ] && awk 'BEGIN {exit !($last <= $opened + 3.5)}'" \
  "the daemon closed all of them (${closed:-?} of ${total:-?}, the last ${last:-?} s after the first opened, all open after ${opened:-?} s; head_timeout 2 s)"
check_that "[ \"\$(code -H 'Authorization: Bearer $token' '$tcp/v1/status')\" = 200 ]" "TCP answers after the slowloris"
check_that "kill -0 $DAEMON_PID" "hlsfsd still runs"
check_that "grep -q 'connection slots full (unix socket 128, TCP 64): [1-9][0-9]* idle connection(s) (no request in progress) closed to make room' '$d/hlsfsd.log'" \
  "the log says the slots were full and idle connections were closed"

stop_daemon "$d"
[ $failed -eq 0 ] || { tail -20 "$d/hlsfsd.log"; fail "see above"; }
echo "PASS control_api_hardening"
