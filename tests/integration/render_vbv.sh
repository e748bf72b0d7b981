#!/usr/bin/env bash
# The default VBV (issue 7: "CRF or Bitrate, with a VBV so segments stay
# close to BANDWIDTH"). A picture of pure noise is the worst case of CRF: left
# uncapped (the request's own MaxBitrate far above) its segments run far
# above what the master announces; with hlsfs's default cap every segment
# stays within the master's BANDWIDTH, for h264 and h265, and still joins
# seamlessly.
source "$(dirname "$0")/lib.sh"
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
failed=0
check() { if eval "$1"; then echo "ok   $2"; else echo "FAIL: $2"; failed=1; fi; }
ffmpeg -nostdin -v error -y -f lavfi -i "testsrc2=size=640x360:rate=25,noise=alls=100:allf=t+u" \
  -f lavfi -i "sine=frequency=440:sample_rate=48000" -t 9 -c:v libx264 -preset ultrafast -qp 0 -c:a aac "$work/noise.mkv"
render() {  # render DIR CODEC [extra video json]
  mkdir -p "$1"
  cat >"$1/req.json" <<JSON
{"SourceURI":"file://$work/noise.mkv","MasterURI":"file://$1/master.m3u8",
 "Targets":[{"URI":"file://$1/v","Duration":5,"InitialSegments":[2,2],
   "Video":{"TranscodeVideo":{"Codec":"$2","CRF":23${3:+,$3}}},"Audio":{"TranscodeAudio":{"Bitrate":64000}}}]}
JSON
  "$HLSFSCTL" render "$1/req.json" --jobs 2 --quiet >"$1/log" 2>&1 || { cat "$1/log"; fail "render $1"; }
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
  render "$work/$codec" "$codec"
  render "$work/$codec-uncapped" "$codec" '"MaxBitrate":200000000'
  read -r capped bw < <(peak "$work/$codec")
  read -r uncapped _ < <(peak "$work/$codec-uncapped")
  check "[ $uncapped -gt $((bw * 3 / 2)) ]" "$codec uncapped: noise runs to $uncapped bit/s, far above the default BANDWIDTH $bw"
  check "[ $capped -le $bw ]" "$codec default VBV: the largest segment, $capped bit/s, is within BANDWIDTH $bw"
  if res=$("$HLS_CHECK" "$work/$codec/v.m3u8" 2>&1); then echo "ok   hls-check $codec: $(echo "$res" | tail -1)"
  else echo "FAIL hls-check $codec:"; echo "$res" | sed 's/^/     /'; failed=1; fi
done
exit $failed
