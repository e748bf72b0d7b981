#!/usr/bin/env bash
# The s3 and oss plugins, loaded as the daemon loads them, against real S3
# servers (moto_server): one with authentication enforced (an IAM user and
# key made first), where the right key reads, writes, lists and uploads in
# parts and a wrong secret is refused with a clear error; one without, for
# the OSS plugin's data path (moto cannot check OSS signatures; the unit
# tests check them against Alibaba's vectors). Outages: a server that stops
# answering (SIGSTOP) and one that is gone (killed) give bounded retries and
# a clear error, and the same store works again once the server is back; a
# server that only answers 503 SlowDown is retried a bounded number of times.
source "$(dirname "$0")/lib.sh"
source "$(dirname "$0")/daemon_lib.sh"  # free_port
source "$(dirname "$0")/moto_lib.sh"
SLOW_PID=
cleanup() {
  stop_moto
  [ -z "$SLOW_PID" ] || kill "$SLOW_PID" 2>/dev/null || true
  rm -rf "$MOTO_STATE_DIR"
}
trap cleanup EXIT
LIVE_TESTS=$BUILD/bin/objstore_live_tests
[ -x "$LIVE_TESTS" ] || fail "$LIVE_TESTS is not built"

S3_PORT=$(free_port)
OPEN_PORT=$(free_port)
SLOW_PORT=$(free_port)

echo "== moto with authentication enforced on port $S3_PORT, and without on port $OPEN_PORT"
start_moto "$S3_PORT" || fail "cannot start moto"
moto_bucket "$MOTO_ENDPOINT" media || fail "cannot create the bucket with the new key"
start_moto_open "$OPEN_PORT" || fail "cannot start the second moto"
moto_bucket "$MOTO_OPEN_ENDPOINT" open || fail "cannot create the bucket on the second moto"
moto_enforced media || fail "moto does not refuse a wrong secret: authentication is not enforced"
echo "ok   moto refuses a wrong secret (boto3: SignatureDoesNotMatch)"

# An overloaded S3: every request answered with S3's 503 SlowDown reply.
python3 - "$SLOW_PORT" <<'PY' &
import sys
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
BODY = (b'<?xml version="1.0" encoding="UTF-8"?>\n<Error><Code>SlowDown</Code>'
        b'<Message>Please reduce your request rate.</Message></Error>')
class SlowDown(BaseHTTPRequestHandler):
    def answer(self, body=True):
        self.rfile.read(int(self.headers.get("Content-Length") or 0))
        self.send_response(503)
        self.send_header("Content-Type", "application/xml")
        self.send_header("Content-Length", str(len(BODY)))
        self.end_headers()
        if body:
            self.wfile.write(BODY)
    do_GET = do_PUT = do_POST = do_DELETE = answer
    def do_HEAD(self):
        self.answer(body=False)
    def log_message(self, *args):
        pass
ThreadingHTTPServer(("127.0.0.1", int(sys.argv[1])), SlowDown).serve_forever()
PY
SLOW_PID=$!
for _ in $(seq 50); do
  [ "$(curl -s -o /dev/null -w '%{http_code}' "http://127.0.0.1:$SLOW_PORT/")" = 503 ] && break
  sleep 0.1
done

export HLSFS_PLUGIN_DIR=$BUILD/lib
export HLSFS_S3_ENDPOINT=$MOTO_ENDPOINT HLSFS_S3_BUCKET=media
export HLSFS_S3_ACCESS_KEY_ID=$MOTO_ACCESS_KEY_ID HLSFS_S3_SECRET_ACCESS_KEY=$MOTO_SECRET_ACCESS_KEY
HLSFS_S3_SERVER_PID=$(moto_pid "$S3_PORT")
export HLSFS_S3_SERVER_PID
export HLSFS_OPEN_ENDPOINT=$MOTO_OPEN_ENDPOINT HLSFS_OPEN_BUCKET=open
export HLSFS_SLOWDOWN_ENDPOINT=http://127.0.0.1:$SLOW_PORT
lib=$(cd "$(dirname "$0")" && pwd)/moto_lib.sh
export HLSFS_OPEN_STOP="bash -c 'source $lib && stop_moto $OPEN_PORT'"
export HLSFS_OPEN_START="bash -c 'source $lib && start_moto_open $OPEN_PORT && moto_bucket $MOTO_OPEN_ENDPOINT open'"

echo "== the plugins against them"
out=$("$LIVE_TESTS" --gtest_color=no 2>&1) && status=0 || status=$?
echo "$out" | grep -vE '^\[ RUN|^$'
[ "$status" -eq 0 ] || fail "objstore_live_tests failed"
if echo "$out" | grep -q '^\[  SKIPPED \]'; then fail "some live tests were skipped"; fi
echo "PASS: s3_backend"
