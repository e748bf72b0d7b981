#!/usr/bin/env bash
# Expiry of segment copies in an object store ("remote copies follow
# their own policy: keep, or evict after an age"), against moto_server with
# authentication enforced. Two stores: "s3" whose copies expire after
# cache.remote_max_age of no use, and "keep" (remote_max_age: 0) which keeps
# them. A segment read all along survives, the others are deleted from the
# bucket (never the playlist); one evicted here too is made again on read,
# byte-identical, and written back; the kept store still holds every copy.
source "$(dirname "$0")/lib.sh"
source "$(dirname "$0")/daemon_lib.sh"
source "$(dirname "$0")/moto_lib.sh"
[ "$(id -u)" -eq 0 ] || fail "needs root (FUSE mount with allow_other, nginx)"
ensure_fixtures
d=$(mktemp -d /tmp/hlsfs-s3exp.XXXXXX)
reader=
cleanup() {
  if [ -n "$reader" ]; then kill "$reader" 2>/dev/null || true; fi
  stop_nginx; stop_daemon "$d"; stop_moto; rm -rf "$d"
}
trap cleanup EXIT
failed=0
AGE=8  # seconds without use before a copy in "s3" is deleted

start_moto "$(free_port)" || fail "moto"
moto_bucket "$MOTO_ENDPOINT" media || fail "bucket"
moto_bucket "$MOTO_ENDPOINT" kept || fail "bucket"
moto_enforced media || fail "moto does not enforce signatures"
moto_s3 media put "$FIXTURES/h264_aac_1080p30.mp4" src/movie.mp4
moto_s3 kept put "$FIXTURES/h264_aac_1080p30.mp4" src/movie.mp4

store() {  # store NAME BUCKET [more yaml]
  echo "  $1: {plugin: s3, bucket: $2, endpoint: \"$MOTO_ENDPOINT\", region: us-east-1, access_key_id: $MOTO_ACCESS_KEY_ID, secret_access_key: \"$MOTO_SECRET_ACCESS_KEY\"${3:+, $3}}"
}
start_daemon "$d" "$(store s3 media)
$(store keep kept 'remote_max_age: 0')
cache: {remote_max_age: ${AGE}s, gc_interval: 1s}"
start_nginx "$d"

request() {  # request BUCKET: one 640x target, segments 2,2,5,3 s, all made at once (InitialTranscode)
  cat <<JSON
{"SourceURI":"s3://$1/src/movie.mp4","Targets":[{"URI":"s3://$1/out/360p","Duration":5,"InitialSegments":[2,2],
 "Video":{"TranscodeVideo":{"CRF":30,"FrameRate":25,"Resolution":"640x"}},
 "Audio":{"TranscodeAudio":{"Codec":"aac","Bitrate":64000,"SampleRate":44100}}}]}
JSON
}
request media >"$d/media.json"
request kept >"$d/kept.json"
generate "$d" "$d/media.json" >/dev/null || fail "generate (s3)"
generate "$d" "$d/kept.json" >/dev/null || fail "generate (keep)"
pl=$d/mnt/s3/out/360p.m3u8
segments=$(grep -c '\.ts$' "$pl")
tok=$(grep -o '[0-9a-f]\{32\}' "$pl" | head -1)
# Segment 0 is read all along from now on: its copy's age must never reach
# AGE, even while the other segments are still being made and written back.
( set +e; while :; do cat "$d/mnt/s3/out/360p-$tok-0.ts" >/dev/null 2>&1; sleep 0.5; done ) &
reader=$!
for _ in $(seq 600); do [ "$(metric hlsfs_segments_written_back_total)" = $((2 * segments)) ] && break; sleep 0.2; done
check_that "[ \"\$(metric hlsfs_segments_written_back_total)\" = $((2 * segments)) ]" "all $segments segments of both stores written back"
cp "$d/mnt/s3/out/360p-$tok-2.ts" "$d/seg2.ts"

echo "== segment 0 is read all along; the others are not"
for _ in $(seq 120); do [ "$(moto_s3 media count out/360p-)" = 1 ] && break; sleep 0.5; done
check_that "[ \"\$(moto_s3 media list out/360p-)\" = 'out/360p-$tok-0.ts' ]" \
  "after ${AGE}s unused, every copy but the one being read is deleted from the bucket"
check_that "[ \"\$(metric hlsfs_gc_remote_deleted_total)\" = $((segments - 1)) ]" "metric: $((segments - 1)) copies deleted"
check_that "[ \"\$(moto_s3 media list out/ | grep -c '\.m3u8\$')\" = 1 ]" "the playlist stays in the bucket"
check_that "[ \"\$(moto_s3 kept count out/360p-)\" = $segments ]" "the store with remote_max_age: 0 keeps all $segments copies"
kill "$reader" 2>/dev/null || true; reader=

echo "== a segment gone from both tiers is made again, and written back again"
made=$(metric hlsfs_segments_transcoded_total)
rm "$d/cache/${tok:0:2}/$tok/2.ts"
check_that "cmp -s '$d/mnt/s3/out/360p-$tok-2.ts' '$d/seg2.ts'" "read again: byte-identical"
check_that "[ \"\$(metric hlsfs_segments_transcoded_total)\" = $((made + 1)) ]" "made again (not fetched: the bucket has no copy)"
for _ in $(seq 100); do moto_s3 media list out/360p- | grep -q -- "-2.ts\$" && break; sleep 0.2; done
check_that "moto_s3 media list out/360p- | grep -q -- '-$tok-2.ts\$'" "its copy is in the bucket again"
out=$("$BUILD/bin/hlsfsctl" --endpoint "unix:$d/control.sock" gc --dry-run 2>&1)
check_that "[ -n \"\$out\" ]" "hlsfsctl gc --dry-run answers: $(echo "$out" | head -1)"
hls_check "http://127.0.0.1:$NGINX_PORT/s3/out/360p.m3u8" "after expiry"
check_that "curl -sf --unix-socket '$d/control.sock' http://hlsfs/healthz >/dev/null" "the daemon stays up"
[ $failed -eq 0 ] || { echo "--- hlsfsd log"; tail -30 "$d/hlsfsd.log"; }
exit $failed
