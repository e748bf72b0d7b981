#!/usr/bin/env bash
# A real browser player: hls.js in Debian's chromium (playwright-core) plays
# hlsfs playlists through the mount and nginx, from 0, after a forced quality
# switch, and after a seek to 80 %. The source with two audio streams and
# subtitles: the player also switches to the alternate audio track, and the
# subtitle cues (embedded SRT, a SourceSubtitles file) appear at their times.
# InitialTranscode (default 30 s: these whole sources) makes the segments
# before anyone asks; once they are there the master must play with no error
# and no stall. A playlist without InitialTranscode is played too, every
# segment made on demand: there stalls are reported (2 cores, 720p made
# while the player waits), errors still fail. The source with subtitles is
# played again as fragmented MP4 (Container fmp4, issue 19: level switch,
# audio track switch, seek, WebVTT cues beside fMP4 video: the master's
# audio is demuxed, video-only variants and one rendition per audio stream,
# see actors/playlist/video_only.h), and hls-check reads its targets,
# variants and audio tracks through nginx.
source "$(dirname "$0")/lib.sh"
source "$(dirname "$0")/daemon_lib.sh"
[ "$(id -u)" -eq 0 ] || fail "needs root (FUSE mount with allow_other, nginx)"
[ -d "$REPO/tests/browser/node_modules/playwright-core" ] || fail "run: (cd tests/browser && npm ci)"
ensure_fixtures
d=$(mktemp -d /tmp/hlsfs-br.XXXXXX)
cleanup() { stop_nginx; stop_daemon "$d"; rm -rf "$d"; }
trap cleanup EXIT
mkdir -p "$d/media"
cp "$FIXTURES/h264_aac_1080p30.mp4" "$FIXTURES/h264_openGOP_2audio_subs.mkv" "$d/media/"
mkdir -p "$d/media/out/h264_openGOP_2audio_subs" "$d/media/out/h264_openGOP_2audio_subs_fmp4"
cp "$FIXTURES/external.srt" "$d/media/out/h264_openGOP_2audio_subs/"
cp "$FIXTURES/external.srt" "$d/media/out/h264_openGOP_2audio_subs_fmp4/"
start_daemon "$d"
start_nginx "$d"
failed=0
for entry in h264_aac_1080p30.mp4 h264_openGOP_2audio_subs.mkv fmp4:h264_openGOP_2audio_subs.mkv; do
  f=${entry#fmp4:} container=""
  [ "$f" = "$entry" ] || container='"Container":"fmp4",'
  name=${f%%.*}${container:+_fmp4}
  subs="" tracks=()
  if [ "${f%%.*}" = h264_openGOP_2audio_subs ]; then
    subs='"SourceSubtitles":[{"URI":"file://'$d/media/out/$name/external.srt'","Language":"eng"}],'
    tracks=(--switch-audio "--cues=1=Hello,7.5=World")
  fi
  cat >"$d/req.json" <<JSON
{"SourceURI":"file://$d/media/$f","MasterURI":"file://$d/media/out/$name/master.m3u8",$subs
 "Targets":[
  {"URI":"file://$d/media/out/$name/720p","Duration":5,"InitialSegments":[2,2,2],$container
   "Video":{"TranscodeVideo":{"CRF":26,"FrameRate":25,"Resolution":"1280x","ScaleType":"fit"}},
   "Audio":{"TranscodeAudio":{"Codec":"aac","Bitrate":128000,"SampleRate":44100}}},
  {"URI":"file://$d/media/out/$name/360p","Duration":5,"InitialSegments":[2,2,2],$container
   "Video":{"TranscodeVideo":{"CRF":26,"FrameRate":25,"Resolution":"640x","ScaleType":"fit"}},
   "Audio":{"TranscodeAudio":{"Codec":"aac","Bitrate":64000,"SampleRate":44100}}}]}
JSON
  generate "$d" "$d/req.json" >/dev/null || fail "generate $f"
  page=http://127.0.0.1:$NGINX_PORT/test-player/
  echo "== $f: the segments InitialTranscode makes ahead"
  if wait_initial_transcode "$d/mnt/media/out/$name" 600; then echo "ok   every segment of every media playlist made"
  else echo "FAIL: InitialTranscode did not make every segment within 600 s"; failed=1; fi
  echo "== $f: master (forced level switch${tracks:+, audio track, cues}): no stall allowed"
  node "$REPO/tests/browser/play.mjs" "$page" "http://127.0.0.1:$NGINX_PORT/media/out/$name/master.m3u8" --switch-level "${tracks[@]}" --no-stall || failed=1
  node "$REPO/tests/browser/play.mjs" "$page" "http://127.0.0.1:$NGINX_PORT/media/out/$name/720p.m3u8" --no-stall || failed=1
  if [ -n "$container" ]; then  # through the mount and nginx: init segment prefixed (our hls-check knows fMP4)
    grep -q '^720p_video.m3u8$' "$d/mnt/media/out/$name/master.m3u8" || { echo "FAIL: fMP4 master not demuxed"; failed=1; }
    for t in 720p 360p 720p_video 360p_video $(cd "$d/mnt/media/out/$name" && ls master_audio*.m3u8 | sed 's/\.m3u8$//'); do
      HLS_CHECK=$REPO/tests/tools/hls-check hls_check "http://127.0.0.1:$NGINX_PORT/media/out/$name/$t.m3u8" "$name/$t"
    done
  fi
done
echo "== on demand: InitialTranscode 0, every segment made while the player asks"
cat >"$d/cold.json" <<JSON
{"SourceURI":"file://$d/media/h264_openGOP_2audio_subs.mkv","Targets":[
  {"URI":"file://$d/media/out/cold/720p","Duration":5,"InitialSegments":[2,2,2],"InitialTranscode":0,
   "Video":{"TranscodeVideo":{"CRF":26,"FrameRate":25,"Resolution":"1280x"}},
   "Audio":{"TranscodeAudio":{"Codec":"aac","Bitrate":128000,"SampleRate":44100}}}]}
JSON
generate "$d" "$d/cold.json" >/dev/null || fail "generate cold"
node "$REPO/tests/browser/play.mjs" "$page" "http://127.0.0.1:$NGINX_PORT/media/out/cold/720p.m3u8" || failed=1
[ $failed -eq 0 ] || { echo "--- hlsfsd log (last 40 lines)"; tail -40 "$d/hlsfsd.log"; }
exit $failed
