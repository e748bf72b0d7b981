# Helpers to run moto_server, a real S3 (and IAM) server, for the tests of
# the s3/oss plugins and of the daemon on object storage. Source it (needs
# python3 with moto and boto3; the aws CLI is not needed).
#
#   start_moto PORT       moto_server (its own main, with the fixes below) on
#                         127.0.0.1:PORT with authentication ENFORCED: an IAM
#                         user with an s3:* policy is made in the first, unauthenticated
#                         calls, then every request must carry a valid signature of its
#                         key. Exports MOTO_ENDPOINT, MOTO_ACCESS_KEY_ID, MOTO_SECRET_ACCESS_KEY.
#   start_moto_open PORT  moto without authentication (any signature, or none, is
#                         accepted): for the OSS plugin's data path, whose signatures moto
#                         cannot check. Exports MOTO_OPEN_ENDPOINT.
#   moto_bucket ENDPOINT BUCKET   creates a bucket (signed with MOTO_* keys when ENDPOINT
#                                 is the enforcing server).
#   moto_enforced BUCKET  succeeds when the enforcing server refuses a wrong secret
#                         (SignatureDoesNotMatch) and takes the right one
#   moto_s3 BUCKET OP ARGS  boto3 on the enforcing server with MOTO_* keys:
#                         put FILE KEY | get KEY FILE | list PREFIX (keys) | count PREFIX
#   moto_pid PORT         the server's pid (for SIGSTOP/SIGCONT outages)
#   stop_moto [PORT]      stops that server, or every server started here
#   start_stall_proxy LOG PORT ARGS...  tests/integration/stall_proxy.py on PORT
#                         (ARGS: its arguments after the port: the server's port, the
#                         stall flag file, the stalled path, [a file counting replies]),
#                         its stderr in LOG; returns once it listens (1 if it never does)
#   stop_stall_proxies    stops every proxy started here
# Servers keep their pid in $MOTO_STATE_DIR/moto-PORT.pid, so a helper run from
# another process (bash -c 'source moto_lib.sh; stop_moto PORT') finds them.

MOTO_STATE_DIR=${MOTO_STATE_DIR:-$(mktemp -d /tmp/hlsfs-moto.XXXXXX)}
export MOTO_STATE_DIR

# The calls start_moto makes before authentication is enforced.
MOTO_SETUP_CALLS=3

# moto_server with two fixes, made when it starts (without the hooks, in
# another moto, it runs as it is and says so):
#  - moto checks a signature against the URL as werkzeug rebuilds it, which
#    un-escapes %2F and other characters a correct client escapes (a query
#    prefix=a%2Fb, a key with '$' or '+'): every such request fails, boto3's
#    too (getmoto/moto#5948). The check is given the request target as
#    received (werkzeug's RAW_URI), which is what AWS verifies.
#  - moto picks the service from the credential scope of the Authorization
#    header; OSS V4's scope names "oss", which moto does not know. It is
#    routed to S3 (moto cannot check OSS signatures: use the open server).
_moto_server_script() {
  cat >"$MOTO_STATE_DIR/moto_server_for_hlsfs.py" <<'PY'
import sys
from urllib.parse import urlsplit, urlunsplit

try:
    from moto.core.authorization import ActionAuthenticatorMixin as _Mixin
    _check = _Mixin._authenticate_and_authorize_action

    def _check_raw_uri(self, *args, **kwargs):
        environ = getattr(getattr(self, "request", None), "environ", None) or {}
        raw = environ.get("RAW_URI") or environ.get("REQUEST_URI")
        if not raw:
            return _check(self, *args, **kwargs)
        rebuilt, target = urlsplit(self.uri), urlsplit(raw)
        saved, self.uri = self.uri, urlunsplit((rebuilt.scheme, rebuilt.netloc, target.path, target.query, ""))
        try:
            return _check(self, *args, **kwargs)
        finally:
            self.uri = saved

    _Mixin._authenticate_and_authorize_action = _check_raw_uri
except (ImportError, AttributeError) as e:
    print(f"moto_lib: signatures checked against moto's rebuilt URL ({e})", file=sys.stderr)

try:
    from moto.moto_server import werkzeug_app
    werkzeug_app.SIGNING_ALIASES["oss"] = "s3"
except (ImportError, AttributeError) as e:
    print(f"moto_lib: OSS V4 requests not routed to S3 ({e})", file=sys.stderr)

from moto.server import main

sys.exit(main())
PY
  echo "$MOTO_STATE_DIR/moto_server_for_hlsfs.py"
}

_moto_launch() {  # _moto_launch PORT NO_AUTH_COUNT ("" = never enforce)
  local port=$1 count=$2 log=$MOTO_STATE_DIR/moto-$1.log
  if (exec 3<>"/dev/tcp/127.0.0.1/$port") 2>/dev/null; then
    echo "moto: port $port is already taken" >&2
    return 1
  fi
  local script
  script=$(_moto_server_script)
  if [ -n "$count" ]; then
    INITIAL_NO_AUTH_ACTION_COUNT=$count setsid python3 "$script" -H 127.0.0.1 -p "$port" >"$log" 2>&1 &
  else
    env -u INITIAL_NO_AUTH_ACTION_COUNT setsid python3 "$script" -H 127.0.0.1 -p "$port" >"$log" 2>&1 &
  fi
  echo $! >"$MOTO_STATE_DIR/moto-$port.pid"
  local _
  for _ in $(seq 150); do
    # /moto-api/ is not an S3 or IAM action: it does not count against the free calls.
    if curl -sf -o /dev/null "http://127.0.0.1:$port/moto-api/"; then return 0; fi
    kill -0 "$(cat "$MOTO_STATE_DIR/moto-$port.pid")" 2>/dev/null || break
    sleep 0.1
  done
  cat "$log" >&2
  echo "moto: the server on port $port did not start" >&2
  return 1
}

start_moto() {
  local port=$1
  _moto_launch "$port" "$MOTO_SETUP_CALLS" || return 1
  local keys
  keys=$(python3 - "$port" <<'PY'
import json, sys
import boto3
iam = boto3.client("iam", endpoint_url=f"http://127.0.0.1:{sys.argv[1]}", region_name="us-east-1",
                   aws_access_key_id="setup", aws_secret_access_key="setup")
# Exactly MOTO_SETUP_CALLS calls; from the next one on, moto checks signatures.
iam.create_user(UserName="hlsfs")
key = iam.create_access_key(UserName="hlsfs")["AccessKey"]
iam.put_user_policy(UserName="hlsfs", PolicyName="s3-all", PolicyDocument=json.dumps(
    {"Version": "2012-10-17", "Statement": [{"Effect": "Allow", "Action": "s3:*", "Resource": "*"}]}))
print(key["AccessKeyId"], key["SecretAccessKey"])
PY
  ) || { echo "moto: cannot create the IAM user" >&2; return 1; }
  export MOTO_ENDPOINT=http://127.0.0.1:$port
  export MOTO_ACCESS_KEY_ID=${keys%% *}
  export MOTO_SECRET_ACCESS_KEY=${keys#* }
}

start_moto_open() {
  _moto_launch "$1" "" || return 1
  export MOTO_OPEN_ENDPOINT=http://127.0.0.1:$1
}

moto_bucket() {
  local endpoint=$1 bucket=$2 id=dummy secret=dummy
  if [ "$endpoint" = "${MOTO_ENDPOINT:-}" ]; then id=$MOTO_ACCESS_KEY_ID; secret=$MOTO_SECRET_ACCESS_KEY; fi
  python3 - "$endpoint" "$bucket" "$id" "$secret" <<'PY'
import sys
import boto3
s3 = boto3.client("s3", endpoint_url=sys.argv[1], region_name="us-east-1",
                  aws_access_key_id=sys.argv[3], aws_secret_access_key=sys.argv[4])
s3.create_bucket(Bucket=sys.argv[2])
PY
}

moto_enforced() {
  python3 - "$MOTO_ENDPOINT" "$1" "$MOTO_ACCESS_KEY_ID" "$MOTO_SECRET_ACCESS_KEY" <<'PY'
import sys
import boto3, botocore
endpoint, bucket, key, secret = sys.argv[1:]
def s3(secret):
    return boto3.client("s3", endpoint_url=endpoint, region_name="us-east-1",
                        aws_access_key_id=key, aws_secret_access_key=secret)
s3(secret).list_objects_v2(Bucket=bucket)
try:
    s3(secret + "x").list_objects_v2(Bucket=bucket)
except botocore.exceptions.ClientError as e:
    sys.exit(0 if e.response["Error"]["Code"] == "SignatureDoesNotMatch" else 1)
sys.exit(1)
PY
}

moto_s3() {
  python3 - "$@" <<'PY'
import os, sys, boto3
c = boto3.client("s3", endpoint_url=os.environ["MOTO_ENDPOINT"], region_name="us-east-1",
                 aws_access_key_id=os.environ["MOTO_ACCESS_KEY_ID"],
                 aws_secret_access_key=os.environ["MOTO_SECRET_ACCESS_KEY"])
bucket, op, args = sys.argv[1], sys.argv[2], sys.argv[3:]
def keys(prefix):
    for p in c.get_paginator("list_objects_v2").paginate(Bucket=bucket, Prefix=prefix):
        for o in p.get("Contents", []):
            yield o["Key"]
if op == "put":
    c.upload_file(args[0], bucket, args[1])
elif op == "get":
    c.download_file(bucket, args[0], args[1])
elif op == "list":
    for k in keys(args[0]):
        print(k)
elif op == "count":
    print(sum(1 for _ in keys(args[0])))
else:
    sys.exit("moto_s3: unknown operation " + op)
PY
}

moto_pid() { cat "$MOTO_STATE_DIR/moto-$1.pid"; }

stop_moto() {
  local f pid
  for f in "$MOTO_STATE_DIR"/moto-${1:-*}.pid; do
    [ -f "$f" ] || continue
    pid=$(cat "$f")
    kill -CONT "$pid" 2>/dev/null || true  # a paused server cannot die of SIGTERM
    kill -TERM "$pid" 2>/dev/null || true
    for _ in $(seq 50); do kill -0 "$pid" 2>/dev/null || break; sleep 0.1; done
    kill -KILL "$pid" 2>/dev/null || true
    rm -f "$f"
  done
}

STALL_PROXY_PIDS=()
_MOTO_LIB_DIR=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)

start_stall_proxy() {
  local log=$1 port=$2
  shift 2
  python3 "$_MOTO_LIB_DIR/stall_proxy.py" "$port" "$@" 2>"$log" &
  STALL_PROXY_PIDS+=($!)
  for _ in $(seq 50); do (exec 3<>"/dev/tcp/127.0.0.1/$port") 2>/dev/null && return 0; sleep 0.1; done
  return 1
}

stop_stall_proxies() {
  local pid
  for pid in "${STALL_PROXY_PIDS[@]}"; do kill "$pid" 2>/dev/null || true; done
  STALL_PROXY_PIDS=()
}
