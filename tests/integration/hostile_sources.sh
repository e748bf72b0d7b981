#!/usr/bin/env bash
# Sources and requests made to break out of their store: manifests that name
# files outside it (HLS, DASH, ffconcat through a symlink, an MP4 whose data
# reference names an outside file), a URI with a NUL
# that would overwrite a store file, a URI with a newline that would inject a
# playlist line. Each must be refused with a clear error, and nothing outside
# the store may be read or anything inside it overwritten.
source "$(dirname "$0")/lib.sh"
source "$(dirname "$0")/daemon_lib.sh"
[ "$(id -u)" -eq 0 ] || fail "needs root (FUSE mount with allow_other)"
d=$(mktemp -d /tmp/hlsfs-it.XXXXXX)
cleanup() { stop_daemon "$d"; rm -rf "$d"; }
trap cleanup EXIT
failed=0

ff="ffmpeg -nostdin -hide_banner -loglevel error -y"
out=$d/outside  # a directory next to the store's root, never reachable through it
mkdir -p "$out" "$d/media"
$ff -f lavfi -i testsrc2=size=320x240:rate=25 -f lavfi -i sine -t 4 -c:v libx264 -c:a aac "$out/secret.mp4"
$ff -i "$out/secret.mp4" -c copy "$out/secret.ts"
(cd "$out" && $ff -i secret.mp4 -c copy -f dash dash.mpd)
$ff -f lavfi -i testsrc2=size=160x120:rate=25 -f lavfi -i sine -t 4 -c:v libx264 -c:a aac "$d/media/good.mp4"
cp "$d/media/good.mp4" "$d/media/victim.mp4"
# A picture of 67 Mpx and more: decoders refuse it rather than allocate.
$ff -f lavfi -i color=size=8200x8200:rate=1 -frames:v 1 -c:v libx264 -preset ultrafast "$d/media/huge.mp4"
# 3 KB: two frames, the second at 1,000,000 s (200,000 segments at 5 s).
$ff -f lavfi -i testsrc2=size=64x48:rate=1 -frames:v 2 -vf "setpts=N*1000000/TB" -c:v libx264 -vsync passthrough \
  "$d/media/jump.mkv"

# An HLS playlist whose only segment is a file outside the store.
printf '#EXTM3U\n#EXT-X-VERSION:3\n#EXT-X-TARGETDURATION:4\n#EXTINF:4.0,\n%s\n#EXT-X-ENDLIST\n' \
  "$out/secret.ts" >"$d/media/evil.m3u8"
# A DASH manifest whose segments are outside the store.
sed -e "s#initialization=\"#initialization=\"$out/#; s#media=\"#media=\"$out/#" "$out/dash.mpd" >"$d/media/evil.mpd"
# ffconcat refuses absolute paths and "..", but follows a symlink in the store
# that the store itself refuses to open.
ln -s "$out/secret.mp4" "$d/media/link.mp4"
printf 'ffconcat version 1.0\nfile link.mp4\n' >"$d/media/evil.ffconcat"
# An MP4 whose video samples are zeros here and magenta pictures in an outside
# file its 'dref' names (a 'url ' entry and the Mac alias FFmpeg follows with
# enable_drefs): a segment made from it must never show magenta.
$ff -f lavfi -i color=c=magenta:size=320x240:rate=25 -t 4 -c:v libx264 -pix_fmt yuv420p "$out/magenta.mp4"
python3 "$(dirname "$0")/mp4_external_dref.py" "$out/magenta.mp4" "$out/magenta.mp4" "$d/media/evil_dref.mp4"

# x264's two-pass statistics once went to $TMPDIR under predictable names.
export TMPDIR=$d/tmp
mkdir -p "$TMPDIR"
echo "precious" >"$d/victim.txt"
start_daemon "$d"
for n in $(seq 0 40); do
  for s in "" .mbtree .temp .mbtree.temp; do ln -s "$d/victim.txt" "$TMPDIR/hlsfs-x264-$DAEMON_PID-$n.log$s"; done
done

# post FILE -> "<http status> <Code>" of POST /v1/GenerateVideoPlaylist; body in $d/last.json
post() {
  local code
  code=$(curl -s -o "$d/last.json" -w '%{http_code}' --unix-socket "$d/control.sock" -X POST \
    --data-binary @"$1" http://hlsfs/v1/GenerateVideoPlaylist)
  echo "$code $(python3 -c 'import json,sys; print(json.load(open(sys.argv[1])).get("Code","-"))' "$d/last.json" 2>/dev/null)"
}

request() {  # request SOURCE_NAME OUT_NAME -> request file
  cat >"$d/req-$2.json" <<JSON
{"SourceURI":"file://$d/media/$1",
 "Targets":[{"URI":"file://$d/media/out/$2/v","Duration":5,"InitialTranscode":0,
   "Video":{"TranscodeVideo":{"CRF":30,"Resolution":"320x"}},"Audio":{"TranscodeAudio":{"Codec":"aac"}}}]}
JSON
  echo "$d/req-$2.json"
}

echo "== a good source plays (the checks below can pass)"
got=$(post "$(request good.mp4 good)")
check_that '[ "$got" = "200 -" ]' "good.mp4 generates ($got)"
seg=$(grep -m1 '\.ts$' "$d/mnt/media/out/good/v.m3u8" || true)
check_that '[ -n "$seg" ] && [ "$(head -c 1 "$d/mnt/media/out/good/$seg" | od -An -tx1 | tr -d " ")" = 47 ]' \
  "its first segment is made through the mount ($seg)"

echo "== two-pass encodes do not write through names planted in \$TMPDIR"
sed -e 's/"CRF":30/"Bitrate":300000/' "$(request good.mp4 twopass)" >"$d/req-2p.json"
got=$(post "$d/req-2p.json")
seg=$(grep -m1 '\.ts$' "$d/mnt/media/out/twopass/v.m3u8" || true)
check_that '[ -n "$seg" ] && head -c 188 "$d/mnt/media/out/twopass/$seg" >/dev/null' "a two-pass segment is made ($got)"
check_that '[ "$(cat "$d/victim.txt")" = precious ]' "the planted symlinks' target is unchanged"
check_that '[ -z "$(find "$TMPDIR" -type f ! -name "hlsfs-test-ports.*")" ]' "the encoder wrote nothing in \$TMPDIR"

echo "== manifests that name files outside the store are refused"
for src in evil.m3u8 evil.mpd evil.ffconcat; do
  got=$(post "$(request "$src" "${src#evil.}")")
  msg=$(python3 -c 'import json,sys; print(json.load(open(sys.argv[1])).get("Message",""))' "$d/last.json" 2>/dev/null || true)
  check_that '[ "$got" = "400 InvalidSource" ]' "$src refused: $got: $msg"
  # On a build with the hole, the playlist exists and its segment is made
  # from the file outside the store.
  seg=$(grep -m1 '\.ts$' "$d/mnt/media/out/${src#evil.}/v.m3u8" 2>/dev/null || true)
  check_that '[ -z "$seg" ] || ! head -c 188 "$d/mnt/media/out/${src#evil.}/$seg" >/dev/null 2>&1' \
    "$src: no segment of it can be read from the mount"
done

echo "== an MP4 whose data reference names an outside file: refused, or its segments never hold those bytes"
got=$(post "$(request evil_dref.mp4 dref)")
msg=$(python3 -c 'import json,sys; print(json.load(open(sys.argv[1])).get("Message",""))' "$d/last.json" 2>/dev/null || true)
seg=$(grep -m1 '\.ts$' "$d/mnt/media/out/dref/v.m3u8" 2>/dev/null || true)
rgb=$( { [ -n "$seg" ] && ffmpeg -nostdin -v error -i "$d/mnt/media/out/dref/$seg" -frames:v 1 -vf scale=1:1 \
  -f rawvideo -pix_fmt rgb24 - 2>/dev/null | od -An -tu1 | xargs; } || true)
magenta() { local r g b; read -r r g b <<<"$1"; [ "${r:-0}" -ge 200 ] && [ "${g:-255}" -le 70 ] && [ "${b:-0}" -ge 200 ]; }
check_that '[ "$got" = "400 InvalidSource" ] || [ -z "$seg" ] || ! magenta "$rgb"' \
  "evil_dref.mp4: $got${msg:+: $msg}${seg:+; first picture of $seg (RGB): ${rgb:-none}}"

echo "== a source whose timestamps jump is refused, naming the jump"
got=$(post "$(request jump.mkv jump)")
msg=$(python3 -c 'import json,sys; print(json.load(open(sys.argv[1])).get("Message",""))' "$d/last.json")
check_that '[ "$got" = "400 InvalidSource" ] && [[ $msg == *"timestamps jump"* ]]' "jump.mkv refused: $got: $msg"
check_that '[ ! -e "$d/media/out/jump/v.m3u8" ]' "no playlist of 200,000 segments was written"

echo "== a picture above the decoders' pixel limit is refused, saying so"
got=$(post "$(request huge.mp4 huge)")
msg=$(python3 -c 'import json,sys; print(json.load(open(sys.argv[1])).get("Message",""))' "$d/last.json")
check_that '[ "$got" = "400 InvalidSource" ] && [[ $msg == *"8200x8200 picture is larger than"* ]]' "huge.mp4 refused: $got: $msg"

echo "== pictures of 16 to 127 pixels are made (they failed in the encoder)"
for res in 16x16 64x x16; do
  sed -e "s#\"Resolution\":\"320x\"#\"Resolution\":\"$res\"#" "$(request good.mp4 "small$res")" >"$d/req-small.json"
  got=$(post "$d/req-small.json")
  seg=$(grep -m1 '\.ts$' "$d/mnt/media/out/small$res/v.m3u8" 2>/dev/null || true)
  check_that '[ "$got" = "200 -" ] && [ -n "$seg" ] && head -c 188 "$d/mnt/media/out/small$res/$seg" >/dev/null' \
    "Resolution $res: generated and its first segment made ($got)"
done
hls_check "$d/mnt/media/out/small64x/v.m3u8" "Resolution 64x"

echo "== a NUL in a URI does not overwrite a store file"
before=$(md5sum <"$d/media/victim.mp4")
cat >"$d/req-nul.json" <<JSON
{"SourceURI":"file://$d/media/good.mp4",
 "Targets":[{"URI":"file://$d/media/victim.mp4\\u0000","Duration":5,"InitialTranscode":0,
   "Video":{"TranscodeVideo":{"CRF":30,"Resolution":"320x"}}}]}
JSON
got=$(post "$d/req-nul.json")
msg=$(python3 -c 'import json,sys; print(json.load(open(sys.argv[1])).get("Message",""))' "$d/last.json")
check_that '[ "$got" = "400 InvalidArgument" ] && [[ $msg == Targets\[0\].URI* ]]' "NUL in Targets[0].URI refused: $got: $msg"
check_that '[ "$(md5sum <"$d/media/victim.mp4")" = "$before" ]' "victim.mp4 is unchanged"

echo "== a newline in a URI cannot inject a playlist line"
cat >"$d/req-nl.json" <<JSON
{"SourceURI":"file://$d/media/good.mp4","MasterURI":"file://$d/media/out/nl/master.m3u8",
 "Targets":[{"URI":"file://$d/media/out/nl/a\\n#EXT-X-STREAM-INF:BANDWIDTH=1\\nevil","Duration":5,
   "InitialTranscode":0,"Video":{"TranscodeVideo":{"CRF":30,"Resolution":"320x"}}}]}
JSON
got=$(post "$d/req-nl.json")
msg=$(python3 -c 'import json,sys; print(json.load(open(sys.argv[1])).get("Message",""))' "$d/last.json")
check_that '[ "$got" = "400 InvalidArgument" ] && [[ $msg == Targets\[0\].URI* ]]' "newline in Targets[0].URI refused: $got: $msg"
check_that '[ ! -e "$d/media/out/nl/master.m3u8" ]' "no master was written"
for field in SourceURI MasterURI; do
  python3 - "$d/req-nl.json" "$field" "$d/req-f.json" <<'PY'
import json, sys
r = json.load(open(sys.argv[1])); f = sys.argv[2]
r["Targets"][0]["URI"] = r["MasterURI"].replace("master.m3u8", "a")
r[f] = r[f].replace("good.mp4", "go\rod.mp4").replace("master.m3u8", "mas\u007fter.m3u8")
json.dump(r, open(sys.argv[3], "w"))
PY
  got=$(post "$d/req-f.json")
  msg=$(python3 -c 'import json,sys; print(json.load(open(sys.argv[1])).get("Message",""))' "$d/last.json")
  check_that '[ "$got" = "400 InvalidArgument" ] && [[ $msg == $field* ]]' "control character in $field refused: $got: $msg"
done

check_that 'kill -0 $DAEMON_PID' "hlsfsd is still running"
[ $failed = 0 ] || { tail -20 "$d/hlsfsd.log"; fail "hostile sources"; }
echo "hostile sources: ok"
