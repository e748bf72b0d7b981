# Shared helpers of the integration tests. Source it; needs $BUILD (the build dir).
set -euo pipefail
REPO=$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)
BUILD=${BUILD:-$REPO/build}
HLSFSCTL=$BUILD/bin/hlsfsctl
SHARED=${HLSFS_SHARED:-$REPO/../shared}
if [ -x "$SHARED/tools/hls-check" ]; then
  HLS_CHECK=$SHARED/tools/hls-check
  MAKE_FIXTURES=$SHARED/media/make-fixtures.sh
else
  HLS_CHECK=$REPO/tests/tools/hls-check
  MAKE_FIXTURES=$REPO/tests/tools/make-fixtures.sh
fi
FIXTURES=${HLSFS_FIXTURES:-$BUILD/fixtures}

# Good and broken sources of make-fixtures.sh (plus our own rotated/anamorphic ones).
GOOD_FIXTURES="h264_aac_1080p30.mp4 mpeg4_mp3.avi h264_openGOP_2audio_subs.mkv mov_h264_pcm.mov vp9_opus.webm
  sorenson_mp3.flv mpeg2_ac3.vob mpeg2_mp2.mpg wmv2_wma.wmv rv20_ac3.rm h264_aac_ptswrap.ts vfr.mp4
  rotated_noaudio.mp4 odd_size_yuv444_mono.mp4 audio.mp3 audio.wav audio.m4a audio.flac audio.wma
  rotated90.mp4 anamorphic.mkv"
BROKEN_FIXTURES="truncated.mp4 random_bytes.mp4 empty.mkv text.avi"

# Makes the fixtures once per build directory (about a minute).
ensure_fixtures() {
  if [ ! -f "$FIXTURES/.done" ]; then
    mkdir -p "$FIXTURES"
    (
      flock 9
      if [ ! -f "$FIXTURES/.done" ]; then
        bash "$MAKE_FIXTURES" "$FIXTURES" >/dev/null
        local ff="ffmpeg -nostdin -hide_banner -loglevel error -y"
        # make-fixtures' rotate tag is lost by FFmpeg 5.1 when encoding; a
        # stream copy keeps it as a display matrix.
        $ff -i "$FIXTURES/rotated_noaudio.mp4" -c copy -metadata:s:v:0 rotate=90 "$FIXTURES/rotated90.mp4"
        # DVD-style anamorphic picture: 720x576 shown as 16:9.
        $ff -f lavfi -i "testsrc2=size=720x576:rate=25" -f lavfi -i "sine=frequency=440:sample_rate=48000" -t 6 \
          -vf setsar=64/45 -c:v libx264 -preset veryfast -c:a aac "$FIXTURES/anamorphic.mkv"
        touch "$FIXTURES/.done"
      fi
    ) 9>"$FIXTURES.lock"
  fi
}

# render_request OUT_JSON SOURCE_PATH OUTDIR: the two standard targets of the
# media core tests (1280x CRF 26 25 fps; 640x 800 kbit/s at the source rate).
write_two_target_request() {
  local req=$1 src=$2 out=$3
  cat >"$req" <<JSON
{"SourceURI":"file://$src","MasterURI":"file://$out/master.m3u8",
 "Targets":[
  {"URI":"file://$out/hi","Duration":5,"InitialSegments":[2,2,2],
   "Video":{"TranscodeVideo":{"CRF":26,"FrameRate":25,"Resolution":"1280x"}},
   "Audio":{"TranscodeAudio":{"Codec":"aac","Bitrate":128000}}},
  {"URI":"file://$out/lo","Duration":10,
   "Video":{"TranscodeVideo":{"Bitrate":800000,"Resolution":"640x"}},
   "Audio":{"TranscodeAudio":{"Codec":"aac","Bitrate":96000}}}]}
JSON
}

# check_that CONDITION WHAT: one ok/FAIL line; a false CONDITION (eval'd)
# sets failed=1.
check_that() { if eval "$1"; then echo "ok   $2"; else echo "FAIL: $2"; failed=1; fi; }

# hls_check PLAYLIST WHAT: hls-check of one playlist (a path or a URL), one
# ok/FAIL line naming WHAT, hls-check's report under a failure (failed=1).
hls_check() {
  local res
  if res=$("$HLS_CHECK" "$1" 2>&1); then echo "ok   hls-check $2: $(echo "$res" | tail -1)"
  else echo "FAIL hls-check $2:"; echo "$res" | sed 's/^/     /'; failed=1; fi
}

fail() {
  echo "FAIL: $*" >&2
  exit 1
}
