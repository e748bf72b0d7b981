#!/usr/bin/env bash
# Two-hour sources (a 10 s clip concatenated by stream copy: seconds to make)
# in MP4, Matroska, AVI and MPEG-TS. The probe of a generate reads the
# container's index plus a head and a tail, not the file: bytes read <= the
# index + 4 MiB (MPEG-TS, which has none: <= 16 MiB). A late segment made
# alone passes hls-check with its neighbour, is the same made after it, and
# an MP4 cut in half is refused from its index with one clear line.
source "$(dirname "$0")/lib.sh"
PROBE_BENCH=$BUILD/bin/probe_bench
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
failed=0
ff="ffmpeg -nostdin -hide_banner -loglevel error -y"

# The clips: H.264 with B-frames + AAC (MP4/MKV/TS), MPEG-4 Part 2 + MP3 (AVI).
$ff -f lavfi -i testsrc2=size=320x240:rate=25 -f lavfi -i sine=frequency=440:sample_rate=48000 -t 10 \
  -c:v libx264 -preset veryfast -g 50 -b:v 150k -c:a aac -b:a 48k "$work/clip.mp4"
$ff -f lavfi -i testsrc2=size=160x120:rate=25 -f lavfi -i sine=frequency=440:sample_rate=44100 -t 10 \
  -c:v mpeg4 -q:v 10 -g 50 -c:a libmp3lame -b:a 32k "$work/clip.avi"
loop() { $ff -stream_loop 719 -i "$1" -c copy "${@:3}" "$2"; }  # 720 x 10 s = 2 h

# index_bytes FILE: the size of the container's index (0 for MPEG-TS).
index_bytes() { python3 "$REPO/tests/tools/container-index-size" "$1"; }

# late_segment SRC NAME [ALONE]: segments 599 then 600 (at 6000 s) made in
# one run, hls-check of the two as a playlist; with ALONE, 600 made alone
# too must be the same bytes (MP4 seeks by a decode-time index, MPEG-TS by
# searching the file: both must find the same start keyframe).
late_segment() {
  local src=$1 name=$2 alone=${3:-} out=$work/$2
  mkdir -p "$out/alone" "$out/pair"
  for d in alone pair; do
    cat >"$out/$d/req.json" <<JSON
{"SourceURI":"file://$src","Targets":[{"URI":"file://$out/$d/v","Duration":10,
 "Video":{"TranscodeVideo":{"CRF":30,"FrameRate":25,"Resolution":"320x"}},
 "Audio":{"TranscodeAudio":{"Codec":"aac","Bitrate":64000}}}]}
JSON
  done
  "$HLSFSCTL" render "$out/pair/req.json" --segments 599,600 --jobs 1 --order in --quiet >/dev/null 2>"$out/err" ||
    { echo "FAIL $name: render of segments 599,600: $(cat "$out/err")"; failed=1; return; }
  # A playlist of the two late segments: their join and their EXTINFs.
  python3 - "$out/pair/v.m3u8" "$out/pair/late.m3u8" <<'PY'
import sys
lines = open(sys.argv[1]).read().splitlines()
head = [l for l in lines[:8] if l.startswith("#EXT") and not l.startswith("#EXTINF")]
segs = [(lines[i], lines[i + 1]) for i in range(len(lines)) if lines[i].startswith("#EXTINF")]
body = [x for s in segs[599:601] for x in s]
open(sys.argv[2], "w").write("\n".join(head + body + ["#EXT-X-ENDLIST", ""]))
PY
  hls_check "$out/pair/late.m3u8" "$name segments 599-600"
  [ -n "$alone" ] || return 0
  "$HLSFSCTL" render "$out/alone/req.json" --segments 600 --quiet >/dev/null 2>"$out/err" ||
    { echo "FAIL $name: render of segment 600: $(cat "$out/err")"; failed=1; return; }
  local a b
  a=$(compgen -G "$out/alone/v-*-600.ts" | head -1 || true)
  b=$(compgen -G "$out/pair/v-*-600.ts" | head -1 || true)
  check_that '[ -n "$a" ] && [ -n "$b" ] && cmp -s "$a" "$b"' "$name: segment 600 is the same made alone or after 599"
}

t0=$(date +%s.%N)
for fmt in mp4 mkv ts avi; do
  src=$work/long.$fmt
  case $fmt in
    avi) loop "$work/clip.avi" "$src" ;;
    *) loop "$work/clip.mp4" "$src" ;;
  esac
  size=$(stat -c %s "$src")
  index=$(index_bytes "$src")
  res=$("$PROBE_BENCH" "$src" 1 2>/dev/null) || { echo "FAIL $fmt: probe: $("$PROBE_BENCH" "$src" 2>&1 | tail -1)"; failed=1; continue; }
  echo "     $fmt: $(( size / 1048576 )) MiB, index $(( index / 1024 )) KiB: $res"
  python3 - "$fmt" "$index" "$res" <<'PY' || failed=1
import json, sys
fmt, index, r = sys.argv[1], int(sys.argv[2]), json.loads(sys.argv[3])
limit = 16 << 20 if fmt == "ts" else index + (4 << 20)
method = "head+tail" if fmt == "ts" else "index"
ok = True
def check(cond, what):
    global ok
    print(("ok   " if cond else "FAIL ") + fmt + ": " + what)
    ok = ok and cond
check(fmt == "ts" or index > 0, "the container's index is %d bytes" % index if fmt != "ts" else "no index")
check(r["method"] == method, "probed by %s (%s)" % (method, r["method"]))
check(r["bytes_read"] <= limit, "read %.2f MiB of %.0f MiB (limit %.2f MiB)" % (r["bytes_read"] / 2**20, r["size"] / 2**20, limit / 2**20))
check(7190 < r["end"] - r["start"] < 7240, "spans two hours (%.3f s)" % (r["end"] - r["start"]))
if fmt != "ts": check(r["keyframes"] >= 3500, "keyframes from the index (%d)" % r["keyframes"])
sys.exit(0 if ok else 1)
PY
  late_segment "$src" "$fmt" "$( [ "$fmt" = mp4 ] || [ "$fmt" = ts ] && echo alone || true)"
  rm -f "$src"
done

# An MP4 whose index runs past its end (cut in half): refused from the index.
$ff -stream_loop 359 -i "$work/clip.mp4" -c copy -movflags +faststart "$work/cut.mp4"
truncate -s $(( $(stat -c %s "$work/cut.mp4") / 2 )) "$work/cut.mp4"
rc=0
"$PROBE_BENCH" "$work/cut.mp4" >/dev/null 2>"$work/err" || rc=$?
check_that '[ $rc -eq 1 ] && [ $(wc -l <"$work/err") -eq 1 ] && grep -q "cut.mp4: truncated or damaged: the header says 3601.9. s but the media data ends at 1[0-9][0-9][0-9]\.[0-9][0-9] s$" "$work/err"' \
  "a cut MP4 is refused from its index: $(cat "$work/err")"
echo "     $(printf '%.0f' "$(echo "$(date +%s.%N) - $t0" | bc)") s"
exit $failed
