#!/usr/bin/env bash
# Codec h265: libx265 segments (CRF, and Bitrate in two passes) that join
# seamlessly (hls-check), are HEVC Main on the wire, are named by the master's
# CODECS as hvc1 with the encoder's real profile/level, and come out
# byte-identical in another order, job count and heap layout.
source "$(dirname "$0")/lib.sh"
ensure_fixtures
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
failed=0
request() {  # request DIR
  cat >"$1/req.json" <<JSON
{"SourceURI":"file://$FIXTURES/h264_aac_1080p30.mp4","MasterURI":"file://$1/master.m3u8",
 "Targets":[
  {"URI":"file://$1/crf","Duration":5,"InitialSegments":[2,2,2],
   "Video":{"TranscodeVideo":{"Codec":"h265","CRF":28,"Resolution":"1280x"}},"Audio":{"TranscodeAudio":{"Bitrate":128000}}},
  {"URI":"file://$1/abr","Duration":5,"InitialSegments":[2,2,2],
   "Video":{"TranscodeVideo":{"Codec":"h265","Bitrate":600000,"Resolution":"640x"}},"Audio":{"TranscodeAudio":{"Bitrate":64000}}}]}
JSON
}
mkdir -p "$work/a" "$work/b"
request "$work/a"
request "$work/b"
"$HLSFSCTL" render "$work/a/req.json" --jobs 1 --quiet >"$work/a.log" 2>&1 || { cat "$work/a.log"; fail "render"; }
MALLOC_PERTURB_=85 "$HLSFSCTL" render "$work/b/req.json" --jobs 3 --order shuffled --quiet >"$work/b.log" 2>&1 ||
  { cat "$work/b.log"; fail "render (b)"; }
for r in crf abr; do
  hls_check "$work/a/$r.m3u8" "$r"
  first=$(ls "$work"/a/$r-*-1.ts)
  codec=$(ffprobe -v error -select_streams v:0 -show_entries stream=codec_name,profile -of csv=p=0 "$first" | sed -n 1p)
  [ "$codec" = "hevc,Main" ] && echo "ok   $r: $codec" || { echo "FAIL $r: video is '$codec'"; failed=1; }
  for seg in "$work"/a/$r-*.ts; do
    n=${seg##*-}
    cmp -s "$seg" "$(ls "$work"/b/$r-*-"$n")" || { echo "FAIL $r segment $n differs between runs"; failed=1; }
  done
done
grep -q 'RESOLUTION=1280x720,.*CODECS="hvc1\.1\.6\.L93\.90,mp4a\.40\.2"' "$work/a/master.m3u8" &&
  echo "ok   master CODECS hvc1.1.6.L93.90 (Main, level 3.1)" || { echo "FAIL master:"; cat "$work/a/master.m3u8"; failed=1; }
# Two passes keep the bitrate: within 25 % of 600 kbit/s over the whole video.
bits=$(ffprobe -v error -select_streams v:0 -show_entries packet=size -of csv=p=0 "$work/a/abr.m3u8" 2>/dev/null |
  awk '{s += $1} END {print s * 8}')
rate=$((bits / 12))
[ "$rate" -gt 450000 ] && [ "$rate" -lt 750000 ] && echo "ok   Bitrate 600000: video at $rate bit/s" ||
  { echo "FAIL Bitrate 600000: video at $rate bit/s"; failed=1; }
[ $failed -eq 0 ] && echo "ok   every segment identical across runs, orders and job counts"
exit $failed
