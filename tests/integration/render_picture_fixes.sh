#!/usr/bin/env bash
# Sources players cannot show as they are: an interlaced 1080i25 H.264 comes
# out progressive (no combing: ffmpeg's idet sees progressive frames where it
# saw top-field-first ones), a 10-bit HDR10 (PQ, BT.2020) HEVC comes out 8-bit
# SDR BT.709, tone-mapped like the ffmpeg CLI's zscale+tonemap chain (PSNR
# against it; against the untouched pictures it is far lower). Both pass
# hls-check. The sources are made here with the ffmpeg CLI.
source "$(dirname "$0")/lib.sh"
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
failed=0
ff() { ffmpeg -nostdin -hide_banner -loglevel error -y "$@"; }
ff -f lavfi -i testsrc2=size=1920x1080:rate=50 -f lavfi -i sine=frequency=440:sample_rate=48000 -t 6 \
   -vf "tinterlace=interleave_top,fieldorder=tff,format=yuv420p" -c:v libx264 -preset veryfast \
   -flags +ilme+ildct -x264-params tff=1 -c:a aac "$work/interlaced.ts"
ff -f lavfi -i testsrc2=size=1280x720:rate=25 -t 6 -pix_fmt yuv420p10le -color_primaries bt2020 \
   -color_trc smpte2084 -colorspace bt2020nc -c:v libx265 \
   -x265-params "log-level=error:colorprim=bt2020:transfer=smpte2084:colormatrix=bt2020nc" "$work/hdr10.mkv"

render() {  # render NAME SOURCE: renders into $work/NAME, prints hlsfsctl's notes (run in $(...))
  mkdir -p "$work/$1"
  cat >"$work/$1/req.json" <<JSON
{"SourceURI":"file://$2","Targets":[{"URI":"file://$work/$1/v","Duration":5,"InitialSegments":[2,2],
 "Video":{"TranscodeVideo":{"CRF":20}},"Audio":{}}]}
JSON
  "$HLSFSCTL" render "$work/$1/req.json" --quiet 2>&1 >/dev/null | grep '^note' || true
  hls_check "$work/$1/v.m3u8" "$1"
}
idet() {  # idet INPUT: "TFF PROGRESSIVE" frame counts of ffmpeg's interlace detector
  ffmpeg -nostdin -hide_banner -i "$1" -vf idet -an -f null - 2>&1 | grep "Multi frame detection" | tail -1 |
    sed -E 's/.*TFF: *([0-9]+).*Progressive: *([0-9]+).*/\1 \2/'
}
stream() { ffprobe -v error -select_streams v:0 -show_entries "stream=$2" -of csv=p=0 "$1" | sed -n 1p; }  # (head would cut ffprobe off: SIGPIPE, and pipefail)

echo "== interlaced"
out=$(render interlaced "$work/interlaced.ts"); echo "$out"
! grep -q "^FAIL" <<<"$out" || failed=1
grep -q "interlaced source (tt): deinterlaced" <<<"$out" &&
  echo "ok   the note says it was deinterlaced" || { echo "FAIL: no deinterlace note"; failed=1; }
read -r src_tff src_prog <<<"$(idet "$work/interlaced.ts")"
read -r out_tff out_prog <<<"$(idet "$work/interlaced/v.m3u8")"
echo "     idet: source $src_tff TFF / $src_prog progressive; output $out_tff TFF / $out_prog progressive"
[ "$src_tff" -gt 100 ] && [ "$out_prog" -gt 130 ] && [ "$out_tff" -lt 10 ] &&
  echo "ok   combing gone" || { echo "FAIL: the output still looks interlaced"; failed=1; }

echo "== HDR10"
out=$(render hdr10 "$work/hdr10.mkv"); echo "$out"
! grep -q "^FAIL" <<<"$out" || failed=1
grep -q "HDR source (smpte2084): tone-mapped" <<<"$out" &&
  echo "ok   the note says it was tone-mapped" || { echo "FAIL: no tone-mapping note"; failed=1; }
seg=$(ls "$work"/hdr10/v-*-0.ts)
tags=$(stream "$seg" pix_fmt,color_primaries,color_transfer,color_space)
[ "$tags" = "yuv420p,bt709,bt709,bt709" ] && echo "ok   8-bit BT.709: $tags" || { echo "FAIL: output is $tags"; failed=1; }
ff -i "$work/hdr10.mkv" -vf "zscale=t=linear:npl=100,format=gbrpf32le,zscale=p=bt709,tonemap=tonemap=hable:desat=0,zscale=t=bt709:m=bt709:r=tv,format=yuv420p" \
   -f rawvideo "$work/ref.yuv"
psnr() { ffmpeg -nostdin -hide_banner -i "$1" -f rawvideo -pix_fmt yuv420p -s 1280x720 -i "$work/ref.yuv" \
           -lavfi "[0:v]format=yuv420p[a];[a][1:v]psnr" -f null - 2>&1 | grep -o 'average:[0-9.]*' | cut -d: -f2; }
ours=$(psnr "$work/hdr10/v.m3u8")
untouched=$(psnr "$work/hdr10.mkv")
echo "     PSNR against the CLI's tone-mapped pictures: ours $ours dB, untouched source $untouched dB"
awk -v o="$ours" -v u="$untouched" 'BEGIN { exit !(o > 38 && u < 25) }' &&
  echo "ok   tone-mapped like the CLI" || { echo "FAIL: tone mapping differs from the CLI's"; failed=1; }
exit $failed
