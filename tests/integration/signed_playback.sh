#!/usr/bin/env bash
# No anonymous playback: the mount is served by the nginx site of
# `hlsfsctl nginx-site` (secure_link). A signed URL plays (hls-check, and
# hls.js in chromium through the demo player page: from 0, a quality switch,
# a seek); unsigned, tampered, expired and other-prefix URLs get 403, for
# playlists and segments alike. A world-readable secret is refused.
source "$(dirname "$0")/lib.sh"
source "$(dirname "$0")/daemon_lib.sh"
[ "$(id -u)" -eq 0 ] || fail "needs root (FUSE mount with allow_other, nginx)"
ensure_fixtures
d=$(mktemp -d /tmp/hlsfs-sig.XXXXXX)
cleanup() { stop_nginx; stop_daemon "$d"; rm -rf "$d"; }
trap cleanup EXIT
failed=0
mkdir -p "$d/media"
cp "$FIXTURES/h264_aac_1080p30.mp4" "$d/media/movie.mp4"
mkdir -p "$d/media/out/movie"
cp "$FIXTURES/external.srt" "$d/media/out/movie/movie.srt"
secret=$(head -c 24 /dev/urandom | od -An -tx1 | tr -d ' \n')
NGINX_PORT_WANTED=$(free_port)
start_daemon "$d" "signing: {secret: $secret, base_url: \"http://127.0.0.1:$NGINX_PORT_WANTED\"}"
NGINX_PORT=$NGINX_PORT_WANTED
ctl() { "$BUILD/bin/hlsfsctl" --config "$d/hlsfs.yaml" "$@"; }

echo "== a world-readable secret is refused"
chmod 644 "$d/hlsfs.yaml"
if out=$(ctl sign /media/x/a.m3u8 2>&1); then echo "FAIL: signed with a world-readable secret"; failed=1
else echo "ok   $out"; fi
if "$HLSFSD" --config "$d/hlsfs.yaml" --check-config >/dev/null 2>&1; then echo "FAIL: hlsfsd accepted it"; failed=1
else echo "ok   hlsfsd refuses it too"; fi
chmod 600 "$d/hlsfs.yaml"
# Any secret, not only signing.secret: an object store's keys too.
cat >"$d/s3.yaml" <<YAML
stores:
  s3: {plugin: s3, bucket: b, access_key_id: AKIAEXAMPLE, secret_access_key: not-for-other-users}
YAML
chmod 644 "$d/s3.yaml"
if out=$("$HLSFSD" --config "$d/s3.yaml" --check-config 2>&1); then echo "FAIL: hlsfsd accepted a world-readable S3 secret"; failed=1
elif [[ $out != *stores.s3.secret_access_key*"chmod 640"* ]]; then echo "FAIL: the refusal names neither the key nor the fix: $out"; failed=1
else echo "ok   $out"; fi
out=$("$BUILD/bin/hlsfsctl" --config "$d/s3.yaml" status 2>&1 || true)
[[ $out == *stores.s3.secret_access_key* ]] && echo "ok   hlsfsctl refuses it too" ||
  { echo "FAIL: hlsfsctl did not refuse it: $out"; failed=1; }
chmod 640 "$d/s3.yaml"
"$HLSFSD" --config "$d/s3.yaml" --check-config >/dev/null || { echo "FAIL: mode 640 refused"; failed=1; }

echo "== nginx-site --output: the site holds the secret, so only root reads it"
echo "an older site" >"$d/site.conf"
chmod 644 "$d/site.conf"
(umask 022; ctl nginx-site --listen 127.0.0.1:1 --output "$d/site.conf") || { echo "FAIL: nginx-site --output"; failed=1; }
mode=$(stat -c %a "$d/site.conf")
[ "$mode" = 600 ] && echo "ok   $d/site.conf: mode $mode" || { echo "FAIL: $d/site.conf: mode $mode, wanted 600"; failed=1; }
cmp -s "$d/site.conf" <(ctl nginx-site --listen 127.0.0.1:1) && echo "ok   it is what nginx-site prints" ||
  { echo "FAIL: --output wrote another site"; failed=1; }

echo "== a playlist at a store's root would sign the whole store"
if out=$(ctl sign "file://$d/media/top.m3u8" 2>&1); then echo "FAIL: signed the store root: $out"; failed=1
elif [[ $out != *--allow-store-root* ]]; then echo "FAIL: the refusal does not say how: $out"; failed=1
else echo "ok   $out"; fi
url=$(ctl sign /media/top.m3u8 --allow-store-root) && [[ $url == */media/~/top.m3u8 ]] &&
  echo "ok   --allow-store-root signs it: $url" || { echo "FAIL: --allow-store-root: $url"; failed=1; }

cat >"$d/req.json" <<JSON
{"SourceURI":"file://$d/media/movie.mp4","MasterURI":"file://$d/media/out/movie/master.m3u8",
 "SourceSubtitles":[{"URI":"file://$d/media/out/movie/movie.srt","Language":"eng"}],
 "Targets":[
  {"URI":"file://$d/media/out/movie/hi/720p","Duration":5,"InitialSegments":[2,2,2],
   "Video":{"TranscodeVideo":{"CRF":26,"FrameRate":25,"Resolution":"1280x","ScaleType":"fit"}},
   "Audio":{"TranscodeAudio":{"Codec":"aac","Bitrate":128000,"SampleRate":44100}}},
  {"URI":"file://$d/media/out/movie/lo/360p","Duration":5,"InitialSegments":[2,2,2],
   "Video":{"TranscodeVideo":{"CRF":26,"FrameRate":25,"Resolution":"640x","ScaleType":"fit"}},
   "Audio":{"TranscodeAudio":{"Codec":"aac","Bitrate":64000,"SampleRate":44100}}}]}
JSON
generate "$d" "$d/req.json" >/dev/null || fail "generate"
mkdir -p "$d/nginx"
start_nginx "$d" "$d/hlsfs.yaml"
base=http://127.0.0.1:$NGINX_PORT

master=$(ctl sign "file://$d/media/out/movie/master.m3u8")
media=$(ctl sign /media/out/movie/hi/720p.m3u8 --ttl 10m)
echo "signed master: $master"
tok=$(grep -o '[0-9a-f]\{32\}' "$d/mnt/media/out/movie/hi/720p.m3u8" | head -1)
seg_rel="hi/720p-$tok-1.ts"
mpath=${master#"$base"}         # /s/<sig>/<exp>/media/out/movie/~/master.m3u8
signed_seg="$base${mpath%master.m3u8}$seg_rel"

echo "== signed URLs play"
expect_status 200 "$master" "signed master"
expect_status 200 "${master%master.m3u8}hi/720p.m3u8" "a rendition through the master's signature (relative URI)"
expect_status 200 "$signed_seg" "a segment through the master's signature"
hls_check "$media" "of the signed media playlist"
node "$REPO/tests/browser/play.mjs" "$base/player/" "$master" --switch-level "--cues=2=external srt cue" || failed=1
content_type() { curl -s -o /dev/null -w '%{content_type}' "$1"; }
vtt=$(grep -m1 '\.vtt$' "$d/mnt/media/out/movie/master_subfile0.m3u8")
for pair in "master.m3u8 application/vnd.apple.mpegurl" "$seg_rel video/mp2t" "$vtt text/vtt"; do
  set -- $pair
  got=$(content_type "${master%master.m3u8}$1")
  [ "$got" = "$2" ] && echo "ok   $1: Content-Type $got" || { echo "FAIL: $1: Content-Type '$got', wanted $2"; failed=1; }
done

echo "== everything else: 403"
expect_status 403 "$base/media/out/movie/master.m3u8" "unsigned playlist"
expect_status 403 "$base/media/out/movie/$seg_rel" "unsigned segment"
sig=$(echo "$mpath" | cut -d/ -f3)
flip() { local c=${1:0:1}; [ "$c" = A ] && echo "B${1:1}" || echo "A${1:1}"; }
tampered="$base${mpath/$sig/$(flip "$sig")}"
expect_status 403 "$tampered" "master with a changed signature byte"
expect_status 403 "${tampered%master.m3u8}$seg_rel" "segment with a changed signature byte"
exp=$(echo "$mpath" | cut -d/ -f4)
expect_status 403 "$base${mpath/\/$exp\//\/$((exp + 1))/}" "master with a changed expiry"
other="$base${mpath/\/media\/out\/movie\//\/media\/out\/other\/}"
expect_status 403 "$other" "another prefix with this signature"
expect_status 403 "$base${mpath%/~/master.m3u8}/hi/~/720p.m3u8" "a sub-directory as the signed prefix"
expired=$(ctl sign /media/out/movie/master.m3u8 --ttl 0s)
sleep 2
expect_status 403 "$expired" "expired master"
expect_status 403 "${expired%master.m3u8}$seg_rel" "expired segment"
expect_status 403 "$base/s/x/1/media/out/movie/~/../../../etc/passwd" "path escape"
echo "== the player's readout: signed like the playlist, one token"
tok_lo=$(grep -o '[0-9a-f]\{32\}' "$d/mnt/media/out/movie/lo/360p.m3u8" | head -1)
events="${master%/~/master.m3u8}/~events/$tok"
expect_status 200 "$events?after=0" "events of a token through the master's signature"
curl -s "$events?after=0&token=$tok_lo" | python3 -c '
import json, sys
tok = sys.argv[1]
ev = json.load(sys.stdin)["Events"]
assert ev and all(e["Token"] == tok for e in ev), ev
print("ok   %d events, all of the token in the URL (a token= added by the client is ignored)" % len(ev))' "$tok" ||
  { echo "FAIL: the readout is not limited to the token in its URL"; failed=1; }
grep -q "GET /s/[^ ]*/~events/[0-9a-f]\{32\}?after=[0-9]* HTTP/1.1\" 200 " "$d/nginx/access.log" &&
  echo "ok   the player page read its readout through the signed URL" ||
  { echo "FAIL: the player page never read a signed readout"; failed=1; }
expect_status 403 "$base/media/out/movie/~events/$tok?after=0" "events without signature"
expect_status 403 "${tampered%/~/master.m3u8}/~events/$tok?after=0" "events with a changed signature byte"
expect_status 403 "${expired%/~/master.m3u8}/~events/$tok?after=0" "events with an expired signature"
got=$(curl -s -o /dev/null -w '%{http_code}' "$base/player/events?after=0")
[ "$got" != 200 ] && echo "ok   the old unsigned /player/events -> $got" || { echo "FAIL: /player/events unsigned -> 200"; failed=1; }

[ $failed -eq 0 ] || { echo "--- nginx error log"; tail -20 "$d/nginx/error.log"; }
exit $failed
