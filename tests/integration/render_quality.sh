#!/usr/bin/env bash
# PSNR of each rendition against the source (scaled, and at the output frame
# rate, by the ffmpeg CLI) must be within 0.5 dB of a single-pass ffmpeg CLI
# encode with the same settings. A wrong rotation, aspect or frame choice
# shows up here as a collapse of PSNR.
#
# hlsfs output is constant frame rate by design, so the reference is made
# CFR at the output rate too (fps filter: same frame choice, see video_source.h).
#
# "Same settings" includes the keyframe layout: an HLS rendition must start
# every segment with an IDR, so the CLI gets keyframes forced at the same
# times (as `ffmpeg -f hls` users do with -force_key_frames). Without that the
# comparison would be against a file that cannot be served as these segments.
source "$(dirname "$0")/lib.sh"
ensure_fixtures
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
failed=0

# Frames pair up by position (timestamps differ: MPEG-TS starts at 1.4 s,
# Matroska rounds to 1 ms), so both sides are renumbered.
psnr() {  # psnr DISTORTED REFERENCE_SOURCE FILTER -> average PSNR
  ffmpeg -nostdin -v info -i "$1" -i "$2" \
    -lavfi "[1:v]$3,settb=1/100,setpts=N[ref];[0:v]settb=1/100,setpts=N[out];[out][ref]psnr" -f null - 2>&1 |
    grep -o 'average:[0-9.inf]*' | tail -1 | cut -d: -f2 || true
}

# fixture, ffmpeg filter of the reference, CLI rate options, our target
check() {
  local f=$1 vf=$2 rate=$3 target=$4 name=$5
  local src=$FIXTURES/$f out=$work/$name
  mkdir -p "$out"
  cat >"$out/req.json" <<JSON
{"SourceURI":"file://$src","Targets":[{"URI":"file://$out/v","Duration":5,"InitialSegments":[2,2,2],
  "Video":{"TranscodeVideo":$target}}]}
JSON
  "$HLSFSCTL" render "$out/req.json" --jobs 2 --quiet >/dev/null 2>&1 || { echo "FAIL $name: render"; failed=1; return; }
  # Output time 0 is the first video frame of the source: align the reference so.
  local start keys
  start=$(ffprobe -v error -select_streams v:0 -show_entries stream=start_time -of csv=p=0 "$src" | head -1 | cut -d, -f1)
  vf="setpts=PTS-${start}/TB,$vf"
  keys=$(awk -F'[:,]' '/^#EXTINF/{t+=$2; printf "%s%.6f", (n++ ? "," : ""), t}' "$out/v.m3u8")
  ffmpeg -nostdin -v error -y -i "$src" -vf "$vf" -force_key_frames "0,$keys" -c:v libx264 -preset veryfast \
    -threads 2 $rate -fps_mode passthrough -an "$out/cli.mp4"
  local ours cli
  ours=$(psnr "$out/v.m3u8" "$src" "$vf")
  cli=$(psnr "$out/cli.mp4" "$src" "$vf")
  # A reference below 30 dB means the comparison itself is broken.
  if [ -n "$ours" ] && [ -n "$cli" ] &&
    python3 -c "import sys; sys.exit(0 if float('$cli') > 30 and float('$ours') >= float('$cli') - 0.5 else 1)"; then
    echo "ok   $name: PSNR $ours dB, ffmpeg CLI $cli dB; bytes $(cat "$out"/*.ts | wc -c) vs CLI $(stat -c %s "$out/cli.mp4")"
  else
    echo "FAIL $name: PSNR '$ours' dB, ffmpeg CLI '$cli' dB (more than 0.5 dB below); bytes $(cat "$out"/*.ts | wc -c) vs CLI $(stat -c %s "$out/cli.mp4")"
    failed=1
  fi
}

check h264_aac_1080p30.mp4 "fps=25,scale=1280:720" "-crf 26" '{"CRF":26,"FrameRate":25,"Resolution":"1280x"}' 1080p_crf26_25fps
check h264_aac_1080p30.mp4 "fps=30,scale=640:360" "-b:v 800k" '{"Bitrate":800000,"Resolution":"640x"}' 1080p_800k
check h264_openGOP_2audio_subs.mkv "fps=25,scale=1280:720" "-crf 26" \
  '{"CRF":26,"FrameRate":25,"FrameRateOption":"fixed","Resolution":"1280x"}' opengop_ntsc_to_25
check h264_openGOP_2audio_subs.mkv "fps=24000/1001,scale=640:360" "-crf 23" '{"Resolution":"640x"}' opengop_source_rate
check mpeg4_mp3.avi "fps=25,scale=640:360" "-b:v 800k" '{"Bitrate":800000,"Resolution":"640x"}' avi_800k
check rotated90.mp4 "fps=30,scale=720:406" "-crf 26" '{"CRF":26,"Resolution":"720x"}' rotated90
check anamorphic.mkv "fps=25,scale=1024:576,setsar=1" "-crf 26" '{"CRF":26}' anamorphic
check vfr.mp4 "fps=30" "-crf 26" '{"CRF":26}' vfr_to_30
exit $failed
