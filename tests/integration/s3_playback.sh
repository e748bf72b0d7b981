#!/usr/bin/env bash
# The daemon on object storage: source and targets in S3 (moto_server with
# authentication enforced, so every request of the s3 plugin is signed and
# checked). generate writes the playlists into the bucket at once; playback
# through the mount and nginx passes hls-check; made segments are written back
# to the bucket; a segment evicted locally is fetched from there, not made
# again (byte-identical); a wrong secret gives a clear error naming the store;
# a stopped server gives EIO within a bounded time, the daemon stays up and
# serves again once the server is back.
source "$(dirname "$0")/lib.sh"
source "$(dirname "$0")/daemon_lib.sh"
source "$(dirname "$0")/moto_lib.sh"
[ "$(id -u)" -eq 0 ] || fail "needs root (FUSE mount with allow_other, nginx)"
ensure_fixtures
d=$(mktemp -d /tmp/hlsfs-s3.XXXXXX)
cleanup() { stop_nginx; stop_daemon "$d"; stop_moto; rm -rf "$d"; }
trap cleanup EXIT
failed=0

start_moto "$(free_port)" || fail "moto"
moto_bucket "$MOTO_ENDPOINT" media || fail "bucket"
moto_bucket "$MOTO_ENDPOINT" other || fail "bucket"
moto_enforced media || fail "moto does not enforce signatures"
s3() { moto_s3 media "$@"; }
s3 put "$FIXTURES/h264_aac_1080p30.mp4" src/movie.mp4

store() {  # store NAME BUCKET SECRET
  echo "  $1: {plugin: s3, bucket: $2, endpoint: \"$MOTO_ENDPOINT\", region: us-east-1, access_key_id: $MOTO_ACCESS_KEY_ID, secret_access_key: \"$3\", request_timeout: 3, connect_timeout: 2, retries: 1, retry_time_limit: 2}"
}
start_daemon "$d" "$(store s3 media "$MOTO_SECRET_ACCESS_KEY")
$(store s3bad other "wrong$MOTO_SECRET_ACCESS_KEY")"
start_nginx "$d"
base=http://127.0.0.1:$NGINX_PORT

echo "== generate: source and targets in S3"
cat >"$d/req.json" <<'JSON'
{"SourceURI":"s3://media/src/movie.mp4","MasterURI":"s3://media/out/movie/master.m3u8",
 "Targets":[
  {"URI":"s3://media/out/movie/720p","Duration":5,"InitialSegments":[2,2,2],
   "Video":{"TranscodeVideo":{"CRF":26,"FrameRate":25,"Resolution":"1280x"}},
   "Audio":{"TranscodeAudio":{"Codec":"aac","Bitrate":128000,"SampleRate":44100}}},
  {"URI":"s3://media/out/movie/360p","Duration":5,"InitialSegments":[2,2,2],
   "Video":{"TranscodeVideo":{"CRF":26,"FrameRate":25,"Resolution":"640x"}},
   "Audio":{"TranscodeAudio":{"Codec":"aac","Bitrate":64000,"SampleRate":44100}}}]}
JSON
resp=$(generate "$d" "$d/req.json") || { echo "$resp"; fail "generate"; }
printf "%s\n" "${resp:0:300}"  # (a pipe into head may SIGPIPE the echo: pipefail)
# (Segments may already be there: InitialTranscode starts at once.)
check_that "[ \"\$(s3 list out/movie/ | grep -c '\.m3u8\$')\" = 3 ]" "the master and both media playlists are in the bucket"
# A lone node (no cluster.node) writes nothing else: title records are for a cluster.
check_that "[ \"\$(s3 list out/ | grep -c '/\.hlsfs/')\" = 0 ]" "no cluster title records in a lone node's bucket"
s3 get out/movie/720p.m3u8 "$d/720p.from-s3.m3u8"
check_that "cmp -s '$d/720p.from-s3.m3u8' '$d/mnt/s3/out/movie/720p.m3u8'" "the bucket's playlist is the mount's"

echo "== playback through the mount and nginx"
hls_check "$base/s3/out/movie/720p.m3u8" "720p"
segments=$(grep -c '\.ts$' "$d/mnt/s3/out/movie/720p.m3u8")
# InitialTranscode (default 30 s) covers the whole 12 s source, so both
# renditions are made in full: the metric counts the segments of both.
all=$((segments + $(grep -c '\.ts$' "$d/mnt/s3/out/movie/360p.m3u8")))
for _ in $(seq 300); do [ "$(metric hlsfs_segments_written_back_total)" = "$all" ] && break; sleep 0.2; done
check_that "[ \"\$(metric hlsfs_segments_written_back_total)\" = $all ]" "all $all segments of both renditions written back (metric)"
check_that "[ \"\$(s3 count out/movie/720p-)\" = $segments ]" "... and in the bucket"

echo "== a segment evicted here comes back from the bucket"
tok=$(grep -o '[0-9a-f]\{32\}' "$d/mnt/s3/out/movie/720p.m3u8" | head -1)
cp "$d/mnt/s3/out/movie/720p-$tok-1.ts" "$d/seg1.ts"
made=$(metric hlsfs_segments_transcoded_total)
rm "$d/cache/${tok:0:2}/$tok/1.ts"  # the hot tier's file (cache_dir/<t0t1>/<token>/<n>.ts)
check_that "cmp -s '$d/mnt/s3/out/movie/720p-$tok-1.ts' '$d/seg1.ts'" "read again: byte-identical"
check_that "[ \"\$(metric hlsfs_segments_transcoded_total)\" = $made ] && [ \"\$(metric hlsfs_segments_fetched_total)\" -ge 1 ]" \
  "fetched from the bucket, not transcoded ($(metric hlsfs_segments_fetched_total) fetched)"

echo "== a wrong secret: a clear error naming the store"
sed 's#s3://media/src/movie.mp4#s3://other/src/movie.mp4#; s#s3://media/out#s3://other/out#g' "$d/req.json" >"$d/bad.json"
out=$(generate "$d" "$d/bad.json" 2>&1) && { echo "FAIL: generate with a wrong secret succeeded"; failed=1; }
echo "     $out"
check_that "echo '$out' | grep -q 's3bad' && echo '$out' | grep -q 'SignatureDoesNotMatch'" "the error names the store and S3's reason"

echo "== the server stops mid-playback, then comes back"
last=$((segments - 1))
kill -STOP "$(moto_pid "${MOTO_ENDPOINT##*:}")"
t0=$(date +%s)
if cat "$d/mnt/s3/out/movie/360p-$(grep -o '[0-9a-f]\{32\}' "$d/mnt/s3/out/movie/360p.m3u8" | head -1)-$last.ts" >/dev/null 2>"$d/err"; then
  echo "note: the segment was readable without the server (source blocks cached)"
else
  echo "ok   EIO while the server is down: $(cat "$d/err") after $(( $(date +%s) - t0 )) s"
fi
check_that "[ $(( $(date +%s) - t0 )) -lt 60 ]" "bounded: answered within 60 s"
check_that "curl -sf --unix-socket '$d/control.sock' http://hlsfs/healthz >/dev/null" "the daemon stays up"
kill -CONT "$(moto_pid "${MOTO_ENDPOINT##*:}")"
hls_check "$base/s3/out/movie/360p.m3u8" "after the outage (the other rendition)"
[ $failed -eq 0 ] || { echo "--- hlsfsd log"; tail -30 "$d/hlsfsd.log"; }
exit $failed
