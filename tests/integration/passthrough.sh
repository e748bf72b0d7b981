#!/usr/bin/env bash
# Passthrough renditions (Targets[].Video.Passthrough, issue 19): the
# source's H.264 copied, cut at its keyframes, beside a transcoded rendition
# in one master, in MPEG-TS and in fMP4. Through the mount and nginx: every
# variant passes hls-check (seamless joins, exact EXTINF), EXTINF are the
# keyframe spans, RESOLUTION and CODECS are the source's; a segment evicted
# and made again is byte-identical; a VP9 source is refused with a reason;
# MKV and MPEG-TS sources copy too; an open-GOP source is refused at
# generate; a variable-frame-rate source passes hls-check --vfr; hls.js switches level between the
# passthrough and the transcoded rendition. Prints the remux time of one
# segment against the transcode of the same span at the same size.
source "$(dirname "$0")/lib.sh"
source "$(dirname "$0")/daemon_lib.sh"
[ "$(id -u)" -eq 0 ] || fail "needs root (FUSE mount with allow_other, nginx)"
HLS_CHECK=$REPO/tests/tools/hls-check  # ours knows fMP4
ensure_fixtures
d=$(mktemp -d /tmp/hlsfs-pt.XXXXXX)
cleanup() { stop_nginx; stop_daemon "$d"; rm -rf "$d"; }
trap cleanup EXIT
mkdir -p "$d/media"
cp "$FIXTURES/h264_aac_1080p30.mp4" "$FIXTURES/h264_aac_ptswrap.ts" "$FIXTURES/vp9_opus.webm" "$d/media/"
# Matroska with closed GOPs (the fixture's MKV has open GOPs, which no
# keyframe cut can copy: a passthrough refuses them).
ffmpeg -nostdin -v error -y -i "$d/media/h264_aac_1080p30.mp4" -c copy "$d/media/closed.mkv"
PREFETCH=0 start_daemon "$d"
start_nginx "$d"
failed=0
base=http://127.0.0.1:$NGINX_PORT/media/out
mnt=$d/mnt/media/out

target() {  # target NAME URI_NAME CONTAINER VIDEO_JSON
  echo '{"URI":"file://'"$d/media/out/$1/$2"'","Duration":5,"InitialSegments":[2,2],"InitialTranscode":0,
    "Container":"'"$3"'","Video":'"$4"',"Audio":{"TranscodeAudio":{"Bitrate":96000}}}'
}
request() {  # request NAME SOURCE TARGET_JSON... -> generates it
  local name=$1 src=$2
  shift 2
  local targets
  targets=$(IFS=,; echo "$*")
  echo '{"SourceURI":"file://'"$d/media/$src"'","MasterURI":"file://'"$d/media/out/$name/master.m3u8"'",
    "Targets":['"$targets"']}' >"$d/$name.json"
  generate "$d" "$d/$name.json" >"$d/$name.out" 2>&1
}
token_of() { grep -o '[0-9a-f]\{32\}' "$mnt/$1.m3u8" | head -1; }
made_seconds() {  # made_seconds SEGMENT_NAME: the job's time from the daemon's log
  grep "made .*$1" "$d/hlsfsd.log" | tail -1 | sed -n 's/.* bytes, \([0-9.e-]*\) s,.*/\1/p'
}
# The cache's copy of segment N of TOKEN (the mount's file may still be in
# the kernel's page cache after an eviction: the new cache file is what counts).
cache_file() { find "$d/cache" -path "*$1*" -name "$2.*" | head -1; }
evict() { find "$d/cache" -path "*$1*" -name "$2.*" -delete; }

PASS='{"Passthrough":true}'
LOW='{"TranscodeVideo":{"CRF":30,"Resolution":"480x"}}'
for c in ts fmp4; do
  n=mp4_$c
  echo "== H.264 MP4, $c: passthrough beside a transcoded rendition"
  request "$n" h264_aac_1080p30.mp4 "$(target "$n" orig "$c" "$PASS")" "$(target "$n" low "$c" "$LOW")" ||
    { cat "$d/$n.out"; fail "generate $n"; }
  hls_check "$base/$n/orig.m3u8" "$n passthrough"
  hls_check "$base/$n/low.m3u8" "$n transcoded"
  extinf=$(grep -o '^#EXTINF:[0-9.]*' "$mnt/$n/orig.m3u8" | cut -d: -f2 | tr '\n' ' ')
  # Keyframes every 2 s; nominal cuts 2, 4, 9 (8 and 10 are as near: the earlier), end at 12.
  check_that "[ '$extinf' = '2.000000 2.000000 4.000000 4.000000 ' ]" "$n EXTINF are the keyframe spans: $extinf"
  inf=$(grep -B1 '^orig.m3u8$' "$mnt/$n/master.m3u8" | head -1)
  check_that "echo '$inf' | grep -q 'RESOLUTION=1920x1080' && echo '$inf' | grep -q 'CODECS=\"avc1.64'" \
    "$n master: the source's size and profile ($inf)"
  tok=$(token_of "$n/orig") ext=$([ $c = ts ] && echo ts || echo m4s)
  seg=orig-$tok-2.$ext
  first=$(sha256sum <"$mnt/$n/$seg")
  evict "$tok" 2
  cat "$mnt/$n/$seg" >/dev/null
  again=$(sha256sum <"$(cache_file "$tok" 2)")
  check_that "[ '$first' = '$again' ]" "$n segment 2 evicted and made again: same bytes"
done

echo "== Matroska and MPEG-TS sources"
request mkv closed.mkv "$(target mkv orig ts "$PASS")" || { cat "$d/mkv.out"; fail "generate mkv"; }
hls_check "$base/mkv/orig.m3u8" "MKV passthrough (ts)"
request tssrc h264_aac_ptswrap.ts "$(target tssrc orig fmp4 "$PASS")" || { cat "$d/tssrc.out"; fail "generate ts"; }
hls_check "$base/tssrc/orig.m3u8" "MPEG-TS passthrough (fmp4, timestamps across the 33-bit wrap)"

echo "== variable frame rate (vfr.mp4): the source's own frame times, checked with hls-check --vfr"
# The fixture has one keyframe (one segment); the same frame times with a
# keyframe every 2 s make joins to check (30 fps for 2 s, then 12 fps).
cp "$FIXTURES/vfr.mp4" "$d/media/"
ffmpeg -nostdin -v error -y -i "$d/media/vfr.mp4" -c:a copy -c:v libx264 -preset veryfast -fps_mode passthrough \
  -force_key_frames "expr:gte(t,n_forced*2)" "$d/media/vfr_keyed.mp4"
for src in vfr vfr_keyed; do
  request "$src" "$src.mp4" "$(target "$src" orig ts "$PASS")" || { cat "$d/$src.out"; fail "generate $src"; }
  if res=$("$HLS_CHECK" "$base/$src/orig.m3u8" --vfr 2>&1); then
    echo "ok   hls-check --vfr $src passthrough (ts): $(echo "$res" | tail -1)"
  else
    echo "FAIL hls-check --vfr $src passthrough (ts):"; echo "$res" | sed 's/^/     /'; failed=1
  fi
done

echo "== HEVC: in fMP4 as hvc1; refused in MPEG-TS"
ffmpeg -nostdin -v error -y -f lavfi -i "testsrc2=size=640x360:rate=25" -f lavfi -i "sine=frequency=440:sample_rate=48000" \
  -t 6 -c:v libx265 -preset ultrafast -x265-params keyint=50:open-gop=0:log-level=error -c:a aac "$d/media/hevc.mp4"
request hevc hevc.mp4 "$(target hevc orig fmp4 "$PASS")" || { cat "$d/hevc.out"; fail "generate hevc"; }
hls_check "$base/hevc/orig.m3u8" "HEVC passthrough (fmp4)"
tag=$(ffprobe -v error -select_streams v:0 -show_entries stream=codec_tag_string -of csv=p=0 "$mnt/hevc/orig-$(token_of hevc/orig)-init.mp4")
check_that "[ '$tag' = hvc1 ] && grep -q 'CODECS=\"hvc1\.' '$mnt/hevc/master.m3u8'" "HEVC init segment is $tag, CODECS hvc1"
if request hevc_ts hevc.mp4 "$(target hevc_ts orig ts "$PASS")"; then
  echo "FAIL: HEVC in MPEG-TS was accepted"; failed=1
else
  check_that "grep -q 'Targets\[0\].Video.Passthrough.*fragmented MP4' '$d/hevc_ts.out'" "HEVC in MPEG-TS refused"
fi

echo "== refusals name the field and the reason"
if request vp9 vp9_opus.webm "$(target vp9 orig fmp4 "$PASS")"; then
  echo "FAIL: a VP9 source was accepted for a passthrough"; failed=1
else
  check_that "grep -q 'Targets\[0\].Video.Passthrough' '$d/vp9.out' && grep -q vp9 '$d/vp9.out'" \
    "VP9 refused: $(grep -o 'Targets\[0\].Video.Passthrough[^"]*' "$d/vp9.out" | head -1)"
fi

echo "== open GOPs (keyframes that are not IDR) refused at generate, not at read"
cp "$FIXTURES/h264_openGOP_2audio_subs.mkv" "$d/media/open.mkv"
if request opengop open.mkv "$(target opengop orig ts "$PASS")"; then
  echo "FAIL: an open-GOP source was accepted for a passthrough"; failed=1
else
  check_that "grep -q 'Targets\[0\].Video.Passthrough.*open GOP' '$d/opengop.out'" \
    "open GOP refused: $(grep -o 'Targets\[0\].Video.Passthrough[^"]*' "$d/opengop.out" | head -1)"
fi
# x265's default: CRA keyframes with RASL pictures after them.
ffmpeg -nostdin -v error -y -f lavfi -i "testsrc2=size=640x360:rate=25" -t 6 -c:v libx265 -preset ultrafast \
  -x265-params keyint=50:log-level=error "$d/media/hevc_open.mp4"
if request hevc_open hevc_open.mp4 "$(target hevc_open orig fmp4 "$PASS")"; then
  echo "FAIL: an open-GOP HEVC source was accepted for a passthrough"; failed=1
else
  check_that "grep -q 'Targets\[0\].Video.Passthrough.*open GOP' '$d/hevc_open.out'" "open-GOP HEVC (CRA + RASL) refused"
fi

echo "== hls.js: a level switch between the passthrough and the transcoded rendition"
node "$REPO/tests/browser/play.mjs" "http://127.0.0.1:$NGINX_PORT/test-player/" "$base/mp4_ts/master.m3u8" \
  --switch-level=next >"$d/play.out" 2>&1 || failed=1
sed 's/^/     /' "$d/play.out"
# Levels by bitrate: 0 the transcoded, 1 the passthrough; hls.js starts on
# one (its first bandwidth estimate is low: 0), the forced switch goes to the other.
switches=$(sed -n 's/^switched level: \(\[[0-9,]*\]\).*/\1/p' "$d/play.out")
check_that "echo '$switches' | grep -q 1 && echo '$switches' | grep -q 0" \
  "hls.js played the passthrough and the transcoded level ($switches)"

echo "== remux vs transcode of the same span (segment 1: 2-4 s, 1920x1080)"
request full h264_aac_1080p30.mp4 "$(target full full ts '{"TranscodeVideo":{"CRF":23}}')" ||
  { cat "$d/full.out"; fail "generate full"; }
tok=$(token_of mp4_ts/orig) full=$(token_of full/full)
evict "$tok" 1
cat "$mnt/mp4_ts/orig-$tok-1.ts" "$mnt/full/full-$full-1.ts" >/dev/null
remux=$(made_seconds "orig-$tok-1.ts") transcode=$(made_seconds "full-$full-1.ts")
if [ -n "$remux" ] && [ -n "$transcode" ]; then
  echo "figure: remux $remux s, transcode $transcode s: $(python3 -c "print(f'{$remux/$transcode:.3f}')")x"
else
  echo "FAIL: no job times in the log (remux '$remux', transcode '$transcode')"; failed=1
fi
[ $failed -eq 0 ] || { echo "--- hlsfsd log (last 30 lines)"; tail -30 "$d/hlsfsd.log"; }
exit $failed
