#!/usr/bin/env bash
# Every field of a GenerateVideoPlaylist request does what it says (issue 18):
# TranscodeAhead (segments made ahead of a reader, per target; YAML
# prefetch_segments otherwise), Tags and UserData (status, events, the
# webhook, S3 object tags checked with boto3 against moto with signatures
# enforced), OverwritePolicy (skip-existing leaves playlist, record and mount
# entry as they were, across a restart; overwrite replaces all three), and
# Notification: the configured webhook gets one HMAC-signed POST per event
# (PlaylistGenerated, InitialTranscodeFinished, SegmentFailed), and a post
# the receiver fails (500) is tried again.
source "$(dirname "$0")/lib.sh"
source "$(dirname "$0")/daemon_lib.sh"
source "$(dirname "$0")/moto_lib.sh"
[ "$(id -u)" -eq 0 ] || fail "needs root (FUSE mount)"
d=$(mktemp -d /tmp/hlsfs-fields.XXXXXX)
HOOK_PID=
cleanup() {
  stop_daemon "$d"
  stop_moto
  [ -z "$HOOK_PID" ] || kill "$HOOK_PID" 2>/dev/null || true
  rm -rf "$d"
}
trap cleanup EXIT
failed=0
ctl() { "$BUILD/bin/hlsfsctl" --endpoint "unix:$d/control.sock" "$@"; }
api() { curl -sf --unix-socket "$d/control.sock" "http://hlsfs$1"; }
js() { python3 -c "import json,sys; j=json.load(sys.stdin); print($1)"; }

echo "== a 60 s source, moto (signatures enforced), a webhook receiver"
mkdir -p "$d/media/out"
ffmpeg -nostdin -hide_banner -loglevel error -f lavfi -i "testsrc2=size=320x180:rate=25" -t 60 \
  -c:v libx264 -preset ultrafast -g 25 "$d/media/clip.mp4"
start_moto "$(free_port)" || fail "moto"
moto_bucket "$MOTO_ENDPOINT" media || fail "bucket"
moto_enforced media || fail "moto does not enforce signatures"
HOOK_PORT=$(free_port)
openssl rand -hex 32 >"$d/webhook.key"
chmod 600 "$d/webhook.key"
python3 "$(dirname "$0")/webhook_receiver.py" "$HOOK_PORT" "$d/webhook.key" "$d/hooks.jsonl" &
HOOK_PID=$!
for _ in $(seq 50); do curl -s -o /dev/null "http://127.0.0.1:$HOOK_PORT/" && break; sleep 0.1; done
EXTRA="  s3: {plugin: s3, bucket: media, endpoint: \"$MOTO_ENDPOINT\", region: us-east-1, access_key_id: $MOTO_ACCESS_KEY_ID, secret_access_key: \"$MOTO_SECRET_ACCESS_KEY\"}
notifications: {url: \"http://127.0.0.1:$HOOK_PORT/hook\", secret_file: $d/webhook.key, retries: 3}"
export PREFETCH=0  # what a target without TranscodeAhead gets
start_daemon "$d" "$EXTRA"

# request FILE CRF POLICY: the 1 s segments of "ahead" (TranscodeAhead 10,
# InitialTranscode 1 s) and "plain" (neither), with Tags, UserData and an
# IMM Notification.
request() {
  cat >"$1" <<JSON
{"SourceURI":"file://$d/media/clip.mp4","MasterURI":"file://$d/media/out/master.m3u8",
 "OverwritePolicy":"$3","Tags":{"team":"video","case":"imm fields"},"UserData":"{\"job\":42}",
 "Notification":{"MNS":{"TopicName":"hlsfs-done"}},
 "Targets":[
  {"URI":"file://$d/media/out/ahead","InitialSegments":[1,1,1,1,1,1],"Duration":5,"InitialTranscode":1,
   "TranscodeAhead":10,"Video":{"TranscodeVideo":{"CRF":$2,"Resolution":"320x"}}},
  {"URI":"file://$d/media/out/plain","InitialSegments":[1,1,1,1,1,1],"Duration":5,"InitialTranscode":0,
   "Video":{"TranscodeVideo":{"CRF":$2,"Resolution":"160x"}}}]}
JSON
}
request "$d/r1.json" 28 overwrite
resp=$(generate "$d" "$d/r1.json") || { echo "$resp"; fail "generate"; }
ahead=$(echo "$resp" | js 'j["VideoPlaylist"][0]["Token"]')
plain=$(echo "$resp" | js 'j["VideoPlaylist"][1]["Token"]')
wait_idle "$d"

echo "== TranscodeAhead: 10 segments ahead of a reader of 'ahead', none for 'plain' (prefetch_segments 0)"
cat "$d/mnt/media/out/ahead-$ahead-0.ts" "$d/mnt/media/out/plain-$plain-0.ts" >/dev/null
wait_idle "$d"
made() { api "/v1/events?token=$1" | js "' '.join(str(n) for n in sorted(e['Segment'] for e in j['Events'] if e['Why']=='$2'))"; }
check_that "[ \"\$(made $ahead prefetch)\" = '1 2 3 4 5 6 7 8 9 10' ]" "ahead: segments 1..10 made ahead ($(made "$ahead" prefetch))"
check_that "[ -z \"\$(made $plain prefetch)\" ]" "plain: nothing made ahead"
check_that "[ ! -e '$d/cache/${ahead:0:2}/$ahead/11.ts' ]" "ahead: segment 11 not made"

# The receiver answered the first post 500: it is posted again 1 s later.
for _ in $(seq 50); do [ "$(metric 'hlsfs_notifications_total{result="retried"}')" = 1 ] && break; sleep 0.1; done
check_that "[ \"\$(metric 'hlsfs_notifications_total{result=\"retried\"}')\" = 1 ] && [ \"\$(metric 'hlsfs_notifications_total{result=\"delivered\"}')\" -ge 2 ]" \
  "hlsfs_notifications_total counts the retry and the deliveries"

echo "== Tags and UserData: the events and hlsfsctl status"
ev=$(api "/v1/events?token=$ahead")
check_that "[ \"\$(echo '$ev' | js 'j[\"Events\"][0][\"Tags\"][\"case\"]')\" = 'imm fields' ]" "an event carries the Tags"
check_that "[ \"\$(echo '$ev' | js 'j[\"Events\"][0][\"UserData\"]')\" = '{\"job\":42}' ]" "an event carries the UserData"
st=$(ctl status)
echo "$st" | grep -A2 '^titles' | sed 's/^/     /'
check_that "echo \"\$st\" | grep -q 'case=imm fields, team=video'" "hlsfsctl status shows the title's Tags"

echo "== OverwritePolicy skip-existing: playlist, record and mount entry stay"
for f in master ahead plain; do cp "$d/mnt/media/out/$f.m3u8" "$d/before-$f.m3u8"; done
request "$d/r2.json" 30 skip-existing
resp2=$(generate "$d" "$d/r2.json") || { echo "$resp2"; fail "generate skip-existing"; }
check_that "[ \"\$(echo '$resp2' | js 'len(j[\"SkippedExisting\"])')\" = 3 ]" "the answer names the 3 playlists left as they were"
same_as_before() {
  for f in master ahead plain; do
    cmp -s "$d/mnt/media/out/$f.m3u8" "$d/before-$f.m3u8" || return 1
    cmp -s "$d/media/out/$f.m3u8" "$d/before-$f.m3u8" || return 1
  done
}
check_that same_as_before "the mount and the store still show the first playlists"
stop_daemon "$d"; start_daemon "$d" "$EXTRA"
check_that same_as_before "... and after a restart (the records were kept)"

echo "== OverwritePolicy overwrite: all three replaced"
request "$d/r3.json" 30 overwrite
resp3=$(generate "$d" "$d/r3.json") || { echo "$resp3"; fail "generate overwrite"; }
new=$(echo "$resp3" | js 'j["VideoPlaylist"][0]["Token"]')
plain=$(echo "$resp3" | js 'j["VideoPlaylist"][1]["Token"]')
replaced() { grep -q "ahead-$new-0.ts" "$d/mnt/media/out/ahead.m3u8" && grep -q "ahead-$new-0.ts" "$d/media/out/ahead.m3u8"; }
check_that "[ '$new' != '$ahead' ] && replaced" "the mount and the store show the new playlist"
stop_daemon "$d"; start_daemon "$d" "$EXTRA"
check_that replaced "... and after a restart (the old record is gone)"

echo "== Tags as S3 object tags (playlist and written-back segment)"
cat >"$d/r4.json" <<JSON
{"SourceURI":"file://$d/media/clip.mp4","Tags":{"team":"video","case":"imm fields"},
 "Targets":[{"URI":"s3://media/out/t/v","InitialSegments":[1],"Duration":5,"InitialTranscode":1,
             "Video":{"TranscodeVideo":{"Resolution":"160x"}}}]}
JSON
resp4=$(generate "$d" "$d/r4.json") || { echo "$resp4"; fail "generate into S3"; }
t4=$(echo "$resp4" | js 'j["VideoPlaylist"][0]["Token"]')
for _ in $(seq 100); do [ "$(moto_s3 media count "out/t/v-$t4-0.ts")" = 1 ] && break; sleep 0.1; done
tags_of() {
  python3 - "$1" <<'PY'
import os, sys, boto3
c = boto3.client("s3", endpoint_url=os.environ["MOTO_ENDPOINT"], region_name="us-east-1",
                 aws_access_key_id=os.environ["MOTO_ACCESS_KEY_ID"],
                 aws_secret_access_key=os.environ["MOTO_SECRET_ACCESS_KEY"])
tags = c.get_object_tagging(Bucket="media", Key=sys.argv[1])["TagSet"]
print(",".join(sorted(t["Key"] + "=" + t["Value"] for t in tags)))
PY
}
check_that "[ \"\$(tags_of out/t/v.m3u8)\" = 'case=imm fields,team=video' ]" "the playlist's object tags ($(tags_of out/t/v.m3u8))"
check_that "[ \"\$(tags_of out/t/v-$t4-0.ts)\" = 'case=imm fields,team=video' ]" "the segment's object tags"
sed 's/"team":"video"/"bad":"a\&b"/' "$d/r4.json" >"$d/r5.json"
out=$(generate "$d" "$d/r5.json" 2>&1) && { echo "FAIL: tags S3 refuses were accepted"; failed=1; }
check_that "echo '$out' | grep -q 'Tags.bad'" "tags S3 would refuse: 400 naming the tag"

echo "== a segment that cannot be made: SegmentFailed"
echo "not a video any more" >"$d/media/clip.mp4"
cat "$d/mnt/media/out/plain-$plain-15.ts" >/dev/null 2>&1 && { echo "FAIL: a segment of a destroyed source was read"; failed=1; }

echo "== the webhook: signed posts, UserData and Tags, a failed post tried again"
for _ in $(seq 100); do grep -q '"event": "SegmentFailed"' "$d/hooks.jsonl" && break; sleep 0.1; done
python3 - "$d/hooks.jsonl" "$ahead" <<'PY' || failed=1
import json, sys
posts = [json.loads(l) for l in open(sys.argv[1])]
ahead = sys.argv[2]
ok = [p for p in posts if p["status"] == 200]
for p in posts:
    print("     %s %s attempt %s -> %s" % (p["event"], p["delivery"], p["attempt"], p["status"]))
bad = 0
def check(cond, what):
    global bad
    print(("ok   " if cond else "FAIL: ") + what)
    bad |= not cond
def bodies(event):
    return [p["body"] for p in ok if p["event"] == event]
check(posts and all(p["signature_ok"] and p["timestamp_ok"] for p in posts),
      "every post is signed (HMAC-SHA256 over timestamp.body, a fresh timestamp)")
first = posts[0]
check(first["status"] == 500 and any(p["delivery"] == first["delivery"] and p["attempt"] == "2" and p["status"] == 200
                                     for p in posts), "the post answered 500 came again (attempt 2) and was delivered")
check(len({p["delivery"] for p in ok}) == len(ok), "each notice delivered once")
gen = bodies("PlaylistGenerated")
check(len(gen) == 4, "PlaylistGenerated for each of the 4 generates (%d)" % len(gen))
check(gen and gen[0]["UserData"] == '{"job":42}' and gen[0]["Tags"] == {"team": "video", "case": "imm fields"},
      "... with the UserData and the Tags")
check(gen and gen[0]["Notification"] == {"MNS": {"TopicName": "hlsfs-done"}}, "... and the request's Notification")
check(any(g.get("SkippedExisting") and len(g["SkippedExisting"]) == 3 for g in gen), "... and what skip-existing kept")
init = [b for b in bodies("InitialTranscodeFinished") if b["Token"] == ahead]
check(len(init) == 1 and init[0]["Segments"] == 1 and init[0]["Status"] == "Succeeded" and init[0]["UserData"] == '{"job":42}',
      "InitialTranscodeFinished for 'ahead' (1 segment, with the UserData)")
failed_notices = bodies("SegmentFailed")
check(len(failed_notices) >= 1 and failed_notices[0]["Segment"] == 15 and failed_notices[0]["Tags"]["team"] == "video",
      "SegmentFailed names segment 15, with the Tags")
sys.exit(bad)
PY
[ "$failed" = 0 ] || { tail -30 "$d/hlsfsd.log"; fail "imm_fields"; }
echo "PASS: imm_fields"
