#!/usr/bin/env bash
# An object store that stalls in the middle of a reply's body: a source in
# S3 (moto, signatures enforced) read through
# stall_proxy.py, which on request forwards the head and part of the body of
# each ranged GET of the source and then sends nothing, the connection left
# open. With the store's stall_timeout 2 s (and a whole-request timeout and
# job_timeout far longer), a reader of a segment that needs those bytes gets
# EIO within the stall bound (two tries and a backoff), the log names the
# object and why, no thread is left stuck, another title plays meanwhile, and
# once the store answers again the segment is made.
source "$(dirname "$0")/lib.sh"
source "$(dirname "$0")/daemon_lib.sh"
source "$(dirname "$0")/moto_lib.sh"
[ "$(id -u)" -eq 0 ] || fail "needs root (FUSE mount)"
d=$(mktemp -d /tmp/hlsfs-it.XXXXXX)
cleanup() {
  rm -f "$d/STALL"
  stop_daemon "$d"
  stop_stall_proxies
  stop_moto
  rm -rf "$d" "$MOTO_STATE_DIR"
}
trap cleanup EXIT
failed=0
STALL=2  # the store's stall_timeout, seconds

mkdir -p "$d/media"
ff="ffmpeg -nostdin -hide_banner -loglevel error -y"
$ff -f lavfi -i testsrc2=size=640x480:rate=25 -f lavfi -i sine=frequency=440 \
  -t 20 -c:v libx264 -preset ultrafast -b:v 2M -g 25 -c:a aac "$d/a.mp4"
cp "$d/a.mp4" "$d/media/good.mp4"

start_moto "$(free_port)" || fail "moto"
moto_bucket "$MOTO_ENDPOINT" media || fail "bucket"
moto_s3 media put "$d/a.mp4" src/a.mp4
PROXY_PORT=$(free_port)
start_stall_proxy "$d/proxy.log" "$PROXY_PORT" "${MOTO_ENDPOINT##*:}" "$d/STALL" /src/a.mp4 || fail "proxy"

request() {  # request SOURCE_URI NAME -> a request file
  cat >"$d/req-$2.json" <<JSON
{"SourceURI":"$1",
 "Targets":[{"URI":"file://$d/media/out/$2/v","Duration":5,"InitialTranscode":0,
   "Video":{"TranscodeVideo":{"CRF":30,"FrameRate":25,"Resolution":"320x"}},
   "Audio":{"TranscodeAudio":{"Codec":"aac","Bitrate":64000}}}]}
JSON
  echo "$d/req-$2.json"
}

# (STALL_KEY= runs it without stall_timeout: the stalled reads then wait out
# job_timeout.)
start() {
  PREFETCH=0 TRANSCODER_EXTRA="job_timeout: 30s" start_daemon "$d" \
  "  s3: {plugin: s3, bucket: media, endpoint: \"http://127.0.0.1:$PROXY_PORT\", region: us-east-1,
       access_key_id: $MOTO_ACCESS_KEY_ID, secret_access_key: \"$MOTO_SECRET_ACCESS_KEY\",
       ${STALL_KEY-stall_timeout: $STALL,} request_timeout: 60, retries: 1, retry_time_limit: 10}"
}
start

generate "$d" "$(request s3://media/src/a.mp4 a)" >"$d/resp-a.json" || fail "generate a: $(cat "$d/resp-a.json")"
generate "$d" "$(request "file://$d/media/good.mp4" good)" >"$d/resp-good.json" || fail "generate good"
seg_a=$(grep '\.ts$' "$d/mnt/media/out/a/v.m3u8" | sed -n 3p)
seg_good=$(grep -m1 '\.ts$' "$d/mnt/media/out/good/v.m3u8")
[ -n "$seg_a" ] && [ -n "$seg_good" ] || fail "no segments in the playlists"
# generate read the whole source into the daemon's block cache: a new
# daemon must fetch a segment's bytes again.
stop_daemon "$d"
start
echo "== the store stalls mid-body: a reader gets EIO within 2 x stall_timeout + 4 s"
touch "$d/STALL"
got=$(timed_read "$d/mnt/media/out/a/$seg_a" 15)
read -r outcome reason took <<<"$got"
check_that '[ "$outcome" = error ] && [ "$reason" = Input/output_error ] && within "$took" $((2 * STALL + 4))' \
  "reader of $seg_a: $got"
check_that 'grep -q "^stalled GET" "$d/proxy.log"' "the proxy stalled the source's body: $(head -1 "$d/proxy.log")"
check_that 'grep "src/a.mp4" "$d/hlsfsd.log" | grep -qi "stall"' "the log names the object and why"
grep "src/a.mp4" "$d/hlsfsd.log" | grep -i "stall" | head -2 | sed 's/^/     /' || true
check_that '[ "$(metric hlsfs_abandoned_job_threads)" = 0 ]' \
  "no thread is left stuck (hlsfs_abandoned_job_threads = $(metric hlsfs_abandoned_job_threads))"

echo "== another title still plays meanwhile"
got=$(timed_read "$d/mnt/media/out/good/$seg_good" 60)
check_that '[[ "$got" == "ok "* ]] && [ "$(echo "$got" | cut -d" " -f2)" -gt 1000 ]' "reader of $seg_good: $got"

echo "== the store answers again: the segment is made"
rm -f "$d/STALL"
got=$(timed_read "$d/mnt/media/out/a/$seg_a" 60)
check_that '[[ "$got" == "ok "* ]] && [ "$(echo "$got" | cut -d" " -f2)" -gt 1000 ]' "reader of $seg_a: $got"
check_that 'kill -0 $DAEMON_PID' "hlsfsd is still running"

[ "$failed" -eq 0 ] || { tail -30 "$d/hlsfsd.log"; fail "object store stall"; }
echo "PASS objstore_stall"
