#!/usr/bin/env bash
# IMM's own wire protocol (config api:), called by Alibaba Cloud's official
# generic client @alicloud/openapi-client (tests/imm/imm_call.js) exactly as
# IMM's generated SDK calls GenerateVideoPlaylist: RPC, POST /, Targets
# JSON-encoded, signature V3. The client parses the answer; its fields are
# checked and the playlists play through signed nginx (hls-check). Also: a
# form body, the RPC V2 signature, IMM's master example (three targets and
# subtitles; it plays in hls.js through signed nginx), a wrong secret (SignatureDoesNotMatch through the client's own
# error), an unknown key, a world-readable key file, and Targets sent as a
# JSON string through the control API.
source "$(dirname "$0")/lib.sh"
source "$(dirname "$0")/daemon_lib.sh"
[ "$(id -u)" -eq 0 ] || fail "needs root (FUSE mount with allow_other, nginx)"
[ -d "$REPO/tests/imm/node_modules/@alicloud/openapi-client" ] || fail "run scripts/deps.sh (npm ci in tests/imm)"
ensure_fixtures
d=$(mktemp -d /tmp/hlsfs-immapi.XXXXXX)
cleanup() { stop_nginx; stop_daemon "$d"; rm -rf "$d"; }
trap cleanup EXIT
failed=0
mkdir -p "$d/media/out/movie"
cp "$FIXTURES/h264_aac_1080p30.mp4" "$d/media/movie.mp4"
cp "$FIXTURES/external.srt" "$d/media/out/movie/movie.srt"
key_id=LTAI5tHlsfsTestKey
key_secret=$(head -c 18 /dev/urandom | od -An -tx1 | tr -d ' \n')
echo "$key_id $key_secret" >"$d/imm-keys"
secret=$(head -c 24 /dev/urandom | od -An -tx1 | tr -d ' \n')
API_PORT=$(free_port)
NGINX_PORT_WANTED=$(free_port)
api="api: {listen: 127.0.0.1:$API_PORT, access_keys: $d/imm-keys}
signing: {secret: $secret, base_url: \"http://127.0.0.1:$NGINX_PORT_WANTED\"}"

echo "== a key file others may read is refused"
chmod 644 "$d/imm-keys"
write_config "$d" "$api"
if out=$("$HLSFSD" --config "$d/hlsfs.yaml" --check-config 2>&1); then echo "FAIL: hlsfsd accepted it"; failed=1
elif [[ $out != *api.access_keys*"chmod 600"* ]]; then echo "FAIL: the refusal names neither the key nor the fix: $out"; failed=1
else echo "ok   $out"; fi
chmod 600 "$d/imm-keys"

PREFETCH=0 start_daemon "$d" "$api"
NGINX_PORT=$NGINX_PORT_WANTED
start_nginx "$d" "$d/hlsfs.yaml"
ctl() { "$BUILD/bin/hlsfsctl" --config "$d/hlsfs.yaml" "$@"; }
call() {  # call REQUEST.json [SECRET [KEY_ID]] [--v2] [--form] -> the client's outcome (JSON) on stdout
  local req=$1 s=${2:-$key_secret} k=${3:-$key_id}
  shift; [ $# -gt 0 ] && shift; [ $# -gt 0 ] && shift
  (cd "$REPO/tests/imm" && node imm_call.js "127.0.0.1:$API_PORT" "$k" "$s" "$req" "$@")
}
out=file://$d/media/out/movie

echo "== GenerateVideoPlaylist, signature V3, parameters in the query (as the SDK sends them)"
cat >"$d/req.json" <<JSON
{"ProjectName":"hlsfs-test","SourceURI":"file://$d/media/movie.mp4","MasterURI":"$out/master.m3u8",
 "SourceSubtitles":[{"URI":"$out/movie.srt","Language":"eng"}],
 "Targets":[
  {"URI":"$out/360p","Duration":5,"InitialSegments":[2,2,2],"InitialTranscode":0,
   "Video":{"TranscodeVideo":{"CRF":28,"FrameRate":25,"Resolution":"640x","ScaleType":"fit"}},
   "Audio":{"TranscodeAudio":{"Codec":"aac","Bitrate":64000,"SampleRate":44100}}},
  {"URI":"$out/audio","Duration":5,"InitialTranscode":0,
   "Audio":{"TranscodeAudio":{"Codec":"aac","Bitrate":64000,"SampleRate":44100}}}]}
JSON
call "$d/req.json" >"$d/v3.json" || { echo "FAIL: the client: $(cat "$d/v3.json")"; tail -20 "$d/hlsfsd.log"; exit 1; }
python3 - "$d/v3.json" "$out" <<'PY' || failed=1
import json, re, sys
res, out = json.load(open(sys.argv[1])), sys.argv[2]
assert res["statusCode"] == 200, res
r = res["body"]
assert set(r) == {"RequestId", "Duration", "MasterURI", "Token", "VideoPlaylist", "AudioPlaylist", "SubtitlePlaylist"}, sorted(r)
assert re.fullmatch("[0-9A-F]{8}-[0-9A-F]{4}-[0-9A-F]{4}-[0-9A-F]{4}-[0-9A-F]{12}", r["RequestId"]), r["RequestId"]
assert abs(r["Duration"] - 12.0) < 0.01, r["Duration"]
assert r["MasterURI"] == out + "/master.m3u8", r["MasterURI"]
assert re.fullmatch("[0-9a-f]{32}", r["Token"]), r["Token"]
v, a, s = r["VideoPlaylist"], r["AudioPlaylist"], r["SubtitlePlaylist"]
assert [(p["URI"], p["Resolution"], p["FrameRate"]) for p in v] == [(out + "/360p.m3u8", "640x360", "25")], v
assert [(p["URI"], p["Channels"]) for p in a] == [(out + "/audio.m3u8", 1)], a  # the fixture is mono
assert [p["Language"] for p in s] == ["eng"] and s[0]["URI"].startswith(out + "/"), s
print("ok   the client parsed IMM's answer:", json.dumps({k: r[k] for k in ("Duration", "MasterURI", "Token")}),
      v[0]["Resolution"], a[0]["Channels"], "channel(s),", s[0]["URI"].rsplit("/", 1)[1])
PY
grep -q "GenerateVideoPlaylist by $key_id (signature V3" "$d/hlsfsd.log" && echo "ok   logged as a V3 call by $key_id" ||
  { echo "FAIL: no V3 call in the log"; failed=1; }

echo "== the playlists play through signed nginx"
master=$(ctl sign "$out/master.m3u8")
expect_status 200 "$master" "signed master"
expect_status 403 "http://127.0.0.1:$NGINX_PORT/media/out/movie/master.m3u8" "unsigned master"
for p in 360p audio; do
  hls_check "$(ctl sign "/media/out/movie/$p.m3u8")" "signed $p.m3u8"
done

echo "== the same request signed with RPC V2, then as a form body (V3)"
call "$d/req.json" "" "" --v2 >"$d/v2.json" && echo "ok   V2: $(head -c 120 "$d/v2.json")" ||
  { echo "FAIL: V2: $(cat "$d/v2.json")"; failed=1; }
call "$d/req.json" "" "" --form >"$d/form.json" && echo "ok   form body: $(head -c 120 "$d/form.json")" ||
  { echo "FAIL: form body: $(cat "$d/form.json")"; failed=1; }
python3 - "$d/v3.json" "$d/v2.json" "$d/form.json" <<'PY' || failed=1
import json, sys
bodies = [json.load(open(f))["body"] for f in sys.argv[1:]]
tokens = {json.dumps([b["Token"], [p["Token"] for p in b["VideoPlaylist"]]]) for b in bodies}
assert len(tokens) == 1, tokens
assert len({b["RequestId"] for b in bodies}) == 3
print("ok   the same tokens through V3, V2 and a form body; a RequestId each")
PY

echo "== IMM's master example: three targets and subtitles (InitialTranscode 0 here: no encode before a read)"
target() {  # target NAME RESOLUTION AUDIO_BITRATE
  echo "{\"URI\":\"$out/ex/$1\",\"Duration\":10,\"InitialSegments\":[2,2,2],\"InitialTranscode\":0,
   \"Video\":{\"TranscodeVideo\":{\"Codec\":\"h264\",\"CRF\":26,\"FrameRate\":25,\"Resolution\":\"$2\",\"ScaleType\":\"fit\"}},
   \"Audio\":{\"TranscodeAudio\":{\"Codec\":\"aac\",\"Bitrate\":$3,\"SampleRate\":44100}}}"
}
mkdir -p "$d/media/out/movie/ex"
cp "$FIXTURES/external.srt" "$d/media/out/movie/ex/movie.srt"
cat >"$d/master.json" <<JSON
{"ProjectName":"hlsfs-test","SourceURI":"file://$d/media/movie.mp4","MasterURI":"$out/ex/master.m3u8",
 "SourceSubtitles":[{"URI":"$out/ex/movie.srt","Language":"eng"}],
 "Targets":[$(target 1080p 1920x 128000),$(target 720p 1280x 96000),$(target 540p 720x 64000)]}
JSON
call "$d/master.json" >"$d/master-res.json" || { echo "FAIL: $(cat "$d/master-res.json")"; failed=1; }
python3 - "$d/master-res.json" "$out/ex" <<'PY' || failed=1
import json, sys
r, out = json.load(open(sys.argv[1]))["body"], sys.argv[2]
vp = r["VideoPlaylist"]
assert [p["Resolution"] for p in vp] == ["1920x1080", "1280x720", "720x406"], vp
assert [p["URI"] for p in vp] == [f"{out}/{n}.m3u8" for n in ("1080p", "720p", "540p")], vp
assert [p["Language"] for p in r["SubtitlePlaylist"]] == ["eng"], r
print("ok   ", [p["Resolution"] for p in vp], "and the eng subtitles")
PY
ex_master=$(ctl sign "$out/ex/master.m3u8")
expect_status 200 "$ex_master" "its signed master"
hls_check "$(ctl sign /media/out/movie/ex/540p.m3u8)" "signed ex/540p.m3u8"
# hls.js in chromium through the player page: from 0, a level switch, a seek, the subtitles' cue.
node "$REPO/tests/browser/play.mjs" "http://127.0.0.1:$NGINX_PORT/player/" "$ex_master" --switch-level \
  "--cues=2=external srt cue" || failed=1

echo "== refusals through the client's own error"
expect_error() {  # expect_error CODE STATUS WHAT -- call arguments
  local code=$1 status=$2 what=$3; shift 4
  if call "$@" >"$d/err.json"; then echo "FAIL: $what accepted"; failed=1; return; fi
  python3 - "$d/err.json" "$code" "$status" "$what" <<'PY' || failed=1
import json, sys
e = json.load(open(sys.argv[1]))["error"]
assert e["code"] == sys.argv[2] and str(e["statusCode"]) == sys.argv[3], e
print(f"ok   {sys.argv[4]}: {e['code']} ({e['statusCode']}): {e['message'][:90]}")
PY
}
expect_error SignatureDoesNotMatch 400 "a wrong secret" -- "$d/req.json" "not-$key_secret"
expect_error SignatureDoesNotMatch 400 "a wrong secret, V2" -- "$d/req.json" "not-$key_secret" "$key_id" --v2
expect_error InvalidAccessKeyId.NotFound 404 "an unknown AccessKeyId" -- "$d/req.json" "$key_secret" LTAI5tNobody
python3 -c 'import json,sys; r=json.load(open(sys.argv[1])); r.pop("ProjectName"); json.dump(r, open(sys.argv[2], "w"))' \
  "$d/req.json" "$d/noproject.json"
expect_error MissingProjectName 400 "no ProjectName" -- "$d/noproject.json"

echo "== the control API takes Targets as a JSON string too (IMM's samples send it so)"
python3 -c 'import json,sys; r=json.load(open(sys.argv[1])); r.pop("ProjectName"); r["Targets"]=json.dumps(r["Targets"]); json.dump(r, open(sys.argv[2], "w"))' \
  "$d/req.json" "$d/string-targets.json"
if generate "$d" "$d/string-targets.json" >"$d/control.json"; then
  python3 - "$d/control.json" "$d/v3.json" <<'PY' || failed=1
import json, sys
a, b = json.load(open(sys.argv[1])), json.load(open(sys.argv[2]))["body"]
assert a["Token"] == b["Token"], (a, b)
print("ok   accepted, with the tokens of the RPC call")
PY
else echo "FAIL: $(cat "$d/control.json")"; failed=1; fi

[ $failed -eq 0 ] || { echo "--- hlsfsd log (last 30 lines)"; tail -30 "$d/hlsfsd.log"; }
exit $failed
