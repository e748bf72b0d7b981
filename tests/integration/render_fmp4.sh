#!/usr/bin/env bash
# Targets[].Container "fmp4" (every fixture as fMP4 beside MPEG-TS is in
# render_fixtures, which decodes each fixture once for both): an fMP4
# master with alternate audio and subtitles (demuxed: a video-only variant,
# every audio stream a track with its init segment, WebVTT beside) passes
# hls-check, made in shuffled order by 2 jobs. HEVC in fMP4 is hvc1 (ffprobe,
# and MediaInfo's own MP4 parser) and comes out byte-identical in another
# order and job count, init segment included. A CRF segment made again at
# its rate cap still decodes with the rendition's one init segment.
source "$(dirname "$0")/lib.sh"
HLS_CHECK=$REPO/tests/tools/hls-check  # ours knows fMP4
ensure_fixtures
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
failed=0
request() {  # request DIR SOURCE CODEC [extra video json]
  mkdir -p "$1"
  cat >"$1/req.json" <<JSON
{"SourceURI":"file://$2","MasterURI":"file://$1/master.m3u8",
 "Targets":[{"URI":"file://$1/v","Container":"fmp4","Duration":5,"InitialSegments":[2,2],
   "Video":{"TranscodeVideo":{"Codec":"$3","CRF":28,"Resolution":"480x"${4:+,$4}}},
   "Audio":{"TranscodeAudio":{"Bitrate":64000}}}]}
JSON
}
# Two audio streams and subtitles: the master's tracks.
f=h264_openGOP_2audio_subs.mkv
out=$work/${f//./_}
request "$out" "$FIXTURES/$f" h264
"$HLSFSCTL" render "$out/req.json" --order shuffled --jobs 2 --quiet >/dev/null 2>"$out/err" ||
  { cat "$out/err"; fail "render $f"; }
check_that "[ -e '$out/v_video.m3u8' ] && ls '$out'/master_audio*.m3u8 '$out'/master_sub*.m3u8 >/dev/null" \
  "$f: a demuxed master (video-only variant, audio and subtitle tracks)"
for t in v $(cd "$out" && ls v_video.m3u8 master_audio*.m3u8 2>/dev/null | sed 's/\.m3u8$//'); do  # v_video: a demuxed master's variant
  grep -q '^#EXT-X-MAP:URI="'"$t"'-[0-9a-f]*-init.mp4"$' "$out/$t.m3u8" || { echo "FAIL $f/$t: no EXT-X-MAP"; failed=1; }
  hls_check "$out/$t.m3u8" "$f/$t"
done
for s in $(cd "$out" && ls master_sub*.m3u8 2>/dev/null); do  # WebVTT beside fMP4 video
  vtt=$(grep -m1 '\.vtt$' "$out/$s")
  check_that "head -c 30 '$out/$vtt' | grep -q '^WEBVTT'" "$f/$s: WebVTT segments"
done

# HEVC: hvc1 with its parameter sets in the init segment; byte-identical.
for run in a b; do request "$work/hevc_$run" "$FIXTURES/h264_aac_1080p30.mp4" h265; done
"$HLSFSCTL" render "$work/hevc_a/req.json" --jobs 1 --quiet >/dev/null 2>"$work/hevc_a/err" ||
  { cat "$work/hevc_a/err"; fail "render h265"; }
MALLOC_PERTURB_=85 "$HLSFSCTL" render "$work/hevc_b/req.json" --jobs 3 --order shuffled --quiet >/dev/null \
  2>"$work/hevc_b/err" || { cat "$work/hevc_b/err"; fail "render h265 (b)"; }
hls_check "$work/hevc_a/v.m3u8" "h265 fMP4"
init=$(ls "$work"/hevc_a/v-*-init.mp4)
tag=$(ffprobe -v error -select_streams v:0 -show_entries stream=codec_name,codec_tag_string,profile -of csv=p=0 "$init")
check_that "[ '$tag' = 'hevc,Main,hvc1' ]" "ffprobe: init segment is '$tag'"
mi=$(mediainfo --Inform='Video;%CodecID% %Format%' "$init")
check_that "[ '$mi' = 'hvc1 HEVC' ]" "MediaInfo: init segment is '$mi'"
for seg in "$work"/hevc_a/v-*; do  # the URI is in the token: compare by what follows it
  twin=$(ls "$work"/hevc_b/v-*-"${seg##*-}")
  cmp -s "$seg" "$twin" || { echo "FAIL ${seg##*/} differs between runs"; failed=1; }
done
[ $failed -eq 0 ] && echo "ok   h265 fMP4 identical across orders and job counts ($(ls "$work"/hevc_a/v-* | wc -l) files)"

# Rate cap: noise at CRF 23 goes above the cap; the segments made again in
# two passes keep the init segment's parameter sets.
ffmpeg -nostdin -v error -y -f lavfi -i "testsrc2=size=640x360:rate=25,noise=alls=25:allf=t+u" \
  -f lavfi -i "sine=frequency=440:sample_rate=48000" -t 4 -c:v libx264 -preset ultrafast -qp 0 -c:a aac "$work/noise.mkv"
request "$work/cap" "$work/noise.mkv" h264 '"CRF":23'
sed -i 's/"CRF":28,//' "$work/cap/req.json"
"$HLSFSCTL" render "$work/cap/req.json" >/dev/null 2>"$work/cap/err" || { cat "$work/cap/err"; fail "render capped"; }
check_that "grep -q 'above the rate cap' '$work/cap/err'" "noise went above the rate cap"
hls_check "$work/cap/v.m3u8" "capped fMP4"
exit $failed
