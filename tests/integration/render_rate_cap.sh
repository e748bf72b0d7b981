#!/usr/bin/env bash
# The rate cap of CRF targets ("segments stay close to BANDWIDTH").
# A noisy picture is the hard case of CRF: left uncapped (the request's own
# MaxBitrate far above) its segments run far above what the master
# announces; with hlsfs's default cap the segments above it are made again
# in two passes at it, and every segment stays within the master's
# BANDWIDTH, for h264 and h265, joins seamlessly, and comes out byte-identical
# when made again (another job count, order and heap layout). (Noise so
# strong that no encoder reaches the cap at any quantizer is left to the
# daemon's measurement, which raises BANDWIDTH: daemon_playback.) A
# requested Bitrate below what x264's highest quantizer reaches (1080p at
# 10 kbit/s), which its second pass refuses, is made in one ABR pass at it
# (every segment failed with "cannot open the H.264 encoder" before).
# The noise is small and short (320x180, 4 s: two segments, made in two
# orders): the cap is per pixel, so a small picture runs as far above it as
# a large one, and every check sees the same thing in a fraction of the time.
source "$(dirname "$0")/lib.sh"
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
failed=0
ffmpeg -nostdin -v error -y -f lavfi -i "testsrc2=size=320x180:rate=25,noise=alls=25:allf=t+u" \
  -f lavfi -i "sine=frequency=440:sample_rate=48000" -t 4 -c:v libx264 -preset ultrafast -qp 0 -c:a aac "$work/noise.mkv"
request() {  # request DIR CODEC [extra video json]
  mkdir -p "$1"
  cat >"$1/req.json" <<JSON
{"SourceURI":"file://$work/noise.mkv","MasterURI":"file://$1/master.m3u8",
 "Targets":[{"URI":"file://$1/v","Duration":5,"InitialSegments":[2,2],
   "Video":{"TranscodeVideo":{"Codec":"$2","CRF":23${3:+,$3}}},"Audio":{"TranscodeAudio":{"Bitrate":64000}}}]}
JSON
}
render() {  # render DIR [render options]: the playlist's segments, log in DIR/log
  local dir=$1
  shift
  "$HLSFSCTL" render "$dir/req.json" "$@" >/dev/null 2>"$dir/log" || { cat "$dir/log"; fail "render $dir"; }
}
peak() {  # peak DIR -> "peak_bps bandwidth": the largest segment's bit rate, and the master's BANDWIDTH
  python3 - "$1" <<'PY'
import os, re, sys
d = sys.argv[1]
peak, dur = 0, None
for line in open(os.path.join(d, "v.m3u8")):
    line = line.strip()
    if line.startswith("#EXTINF:"):
        dur = float(line[8:].split(",")[0])
    elif line.endswith(".ts"):
        peak = max(peak, os.path.getsize(os.path.join(d, line)) * 8 / dur)
bw = int(re.search(r"[:,]BANDWIDTH=(\d+)", open(os.path.join(d, "master.m3u8")).read()).group(1))
print(int(peak), bw)
PY
}
for codec in h264 h265; do
  request "$work/$codec" "$codec"
  render "$work/$codec" --jobs 2
  request "$work/$codec-uncapped" "$codec" '"MaxBitrate":200000000'
  render "$work/$codec-uncapped" --jobs 2
  read -r capped bw < <(peak "$work/$codec")
  read -r uncapped _ < <(peak "$work/$codec-uncapped")
  check_that "[ $uncapped -gt $((bw * 3 / 2)) ]" "$codec uncapped: noise runs to $uncapped bit/s, far above the default BANDWIDTH $bw"
  check_that "grep -q 'above the rate cap' '$work/$codec/log'" "$codec: segments above the cap were made again at it"
  check_that "[ $capped -le $bw ]" "$codec rate cap: the largest segment, $capped bit/s, is within BANDWIDTH $bw"
  hls_check "$work/$codec/v.m3u8" "$codec"
  # The same segments again: capping depends only on a deterministic encode.
  mkdir -p "$work/$codec-again"
  sed "s#$work/$codec/#$work/$codec-again/#g" "$work/$codec/req.json" >"$work/$codec-again/req.json"
  MALLOC_PERTURB_=85 render "$work/$codec-again" --jobs 1 --order shuffled
  same=1
  for seg in "$work/$codec"/v-*.ts; do
    n=${seg##*-}
    cmp -s "$seg" "$(ls "$work/$codec-again"/v-*-"$n")" || { same=0; echo "     segment $n differs"; }
  done
  check_that "[ $same = 1 ]" "$codec: made again, every segment byte-identical"
done

echo "== a Bitrate below the encoder's floor"
ffmpeg -nostdin -v error -y -f lavfi -i testsrc2=size=1920x1080:rate=30 -t 2 -c:v libx264 -preset ultrafast \
  "$work/hd.mp4"
mkdir -p "$work/floor"
cat >"$work/floor/req.json" <<JSON
{"SourceURI":"file://$work/hd.mp4","Targets":[{"URI":"file://$work/floor/v","Duration":5,
  "Video":{"TranscodeVideo":{"Bitrate":10000}}}]}
JSON
rc=0; "$HLSFSCTL" render "$work/floor/req.json" --quiet >/dev/null 2>"$work/floor/log" || rc=$?
check_that "[ $rc = 0 ]" "Bitrate 10000 at 1080p: made ($(head -c 200 "$work/floor/log"))"
hls_check "$work/floor/v.m3u8" "Bitrate below the floor"
exit $failed
