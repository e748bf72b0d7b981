# Helpers to run a real hlsfsd, its mount and nginx in a temp directory.
# Source after lib.sh. Needs root (FUSE mount) and nginx.
HLSFSD=$BUILD/bin/hlsfsd

# free_port: a TCP port free now, and not handed out before to this test
# (ports picked before any is bound could otherwise come out twice).
free_port() {
  local given=${TMPDIR:-/tmp}/hlsfs-test-ports.$$ p f
  for f in "${given%.*}".*; do  # lists of tests that ended
    if [ -e "$f" ] && ! kill -0 "${f##*.}" 2>/dev/null; then rm -f "$f"; fi
  done
  while :; do
    p=$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])')
    grep -qx "$p" "$given" 2>/dev/null || break
  done
  echo "$p" >>"$given"
  echo "$p"
}

# write_config DIR [extra yaml]: DIR/hlsfs.yaml (mode 0600) for a daemon in
# DIR (mount DIR/mnt, media root DIR/media, metrics on $METRICS_PORT,
# $WORKERS workers (2), prefetch $PREFETCH segments (1), more transcoder keys $TRANSCODER_EXTRA
# ("key: value, ..."), log level $LOG_LEVEL (info)).
write_config() {
  local d=$1 extra=${2:-}
  mkdir -p "$d/media"; mkdir -p "$d/mnt" 2>/dev/null || true  # a stale mount answers ENOTCONN
  METRICS_PORT=${METRICS_PORT:-$(free_port)}
  cat >"$d/hlsfs.yaml" <<YAML
mount: $d/mnt
state_dir: $d/state
cache_dir: $d/cache
control: {socket: $d/control.sock}
metrics: {listen: 127.0.0.1:$METRICS_PORT}
transcoder: {workers: ${WORKERS:-2}, prefetch_segments: ${PREFETCH:-1}${TRANSCODER_EXTRA:+, $TRANSCODER_EXTRA}}
log: {level: ${LOG_LEVEL:-info}}
stores:
  media: {plugin: local, root: $d/media}
$extra
YAML
  chmod 600 "$d/hlsfs.yaml"  # it may hold the signing secret
}

# start_daemon DIR [extra yaml]: write_config, then hlsfsd until it answers.
start_daemon() {
  local d=$1
  write_config "$@"
  "$HLSFSD" --config "$d/hlsfs.yaml" >>"$d/hlsfsd.log" 2>&1 &
  DAEMON_PID=$!
  for _ in $(seq 100); do
    if curl -sf --unix-socket "$d/control.sock" http://hlsfs/healthz >/dev/null 2>&1 && mountpoint -q "$d/mnt"; then
      return 0
    fi
    kill -0 $DAEMON_PID 2>/dev/null || { cat "$d/hlsfsd.log"; fail "hlsfsd exited"; }
    sleep 0.1
  done
  cat "$d/hlsfsd.log"
  fail "hlsfsd did not become ready"
}

stop_daemon() {
  local d=$1
  if [ -n "${DAEMON_PID:-}" ] && kill -0 "$DAEMON_PID" 2>/dev/null; then
    kill -TERM "$DAEMON_PID"
    for _ in $(seq 100); do kill -0 "$DAEMON_PID" 2>/dev/null || break; sleep 0.1; done
    kill -KILL "$DAEMON_PID" 2>/dev/null || true
  fi
  # Whether or not `mountpoint` can still tell (a dead mount fails its stat).
  fusermount3 -u -z "$d/mnt" 2>/dev/null || true
  DAEMON_PID=
}

# start_nginx DIR [HLSFS_CONFIG]: serves DIR/mnt on 127.0.0.1:$NGINX_PORT;
# with HLSFS_CONFIG, only through signed URLs (hlsfsctl nginx-site).
start_nginx() {
  local d=$1 signed=${2:-}
  NGINX_PORT=${NGINX_PORT:-$(free_port)}
  mkdir -p "$d/nginx"
  HLSFSCTL=$BUILD/bin/hlsfsctl "$REPO/scripts/nginx-conf.sh" "$d/nginx" "$NGINX_PORT" "$d/mnt" $signed >"$d/nginx/nginx.conf"
  nginx -c "$d/nginx/nginx.conf" &
  NGINX_PID=$!
  for _ in $(seq 50); do curl -s -o /dev/null "http://127.0.0.1:$NGINX_PORT/" && return 0; sleep 0.1; done
  cat "$d/nginx/error.log"
  fail "nginx did not start"
}

stop_nginx() {
  [ -n "${NGINX_PID:-}" ] || return 0
  kill "$NGINX_PID" 2>/dev/null || true
  wait "$NGINX_PID" 2>/dev/null || true
  NGINX_PID=
}

generate() {  # generate DIR REQUEST_FILE -> response on stdout
  "$BUILD/bin/hlsfsctl" --endpoint "unix:$1/control.sock" generate "$2"
}

# wait_idle DIR: until the daemon in DIR has no job running or queued.
wait_idle() {
  for _ in $(seq 600); do
    "$BUILD/bin/hlsfsctl" --endpoint "unix:$1/control.sock" status --json | python3 -c '
import json, sys
t = json.load(sys.stdin)["Transcoder"]
sys.exit(0 if not t["Running"] and not sum(t["Queued"].values()) else 1)' && return 0
    sleep 0.5
  done
  fail "the daemon did not become idle"
}

# wait_initial_transcode DIR SECONDS: until every segment of every media
# playlist in DIR (a directory of the mount) exists there (readdir lists the
# segments made): what InitialTranscode makes when it covers the source.
wait_initial_transcode() {
  local dir=$1 deadline=$((SECONDS + $2))
  while [ $SECONDS -lt $deadline ]; do
    python3 - "$dir" <<'PY' && return 0
import os, sys
d = sys.argv[1]
have = set(os.listdir(d))
want = {l.strip() for f in have if f.endswith(".m3u8")
        for l in open(os.path.join(d, f)) if l.strip().endswith((".ts", ".m4s"))}
sys.exit(0 if want and want <= have else 1)
PY
    sleep 0.5
  done
  return 1
}

metric() {  # metric NAME -> value
  curl -s "http://127.0.0.1:$METRICS_PORT/metrics" | awk -v n="$1" '$1==n {print $2}'
}

# expect_status CODE URL WHAT: one ok/FAIL line; a mismatch sets failed=1.
expect_status() {
  local got
  got=$(curl -s -o /dev/null -w '%{http_code}' "$2" || true)
  if [ "$got" = "$1" ]; then echo "ok   $3 -> $got"; else echo "FAIL: $3 -> $got (wanted $1)"; failed=1; fi
}

# timed_read PATH WAIT: reads PATH in the background for at most WAIT
# seconds: "ok BYTES SECONDS", "error REASON SECONDS", or "hung" (the reader
# is left blocked; stopping the daemon ends it). Uses $d (the test's directory).
timed_read() {
  python3 - "$1" >"$d/read.out" 2>&1 <<'PY' &
import sys, time
t0 = time.monotonic()
try:
    with open(sys.argv[1], "rb") as f:
        what = "ok %d" % len(f.read())
except OSError as e:
    what = "error " + (e.strerror or str(e)).replace(" ", "_")
print(what, "%.1f" % (time.monotonic() - t0))
PY
  local pid=$!
  for _ in $(seq $(($2 * 10))); do kill -0 $pid 2>/dev/null || break; sleep 0.1; done
  if kill -0 $pid 2>/dev/null; then echo hung; else wait $pid || true; cat "$d/read.out"; fi
}
# within SECONDS LIMIT: true when SECONDS <= LIMIT (fractions allowed).
within() { awk -v t="$1" -v l="$2" 'BEGIN { exit !(t <= l) }'; }
