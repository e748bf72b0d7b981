#!/usr/bin/env bash
# Same segment, same bytes: rendered twice, in another order, by another
# number of jobs (so under another CPU load), alone, with or without a decode
# shared between renditions, or with the heap filled differently
# (MALLOC_PERTURB_ exposes reads of uninitialised memory).
source "$(dirname "$0")/lib.sh"
ensure_fixtures
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
failed=0
# render LOGNAME ARGS...: hlsfsctl render, its output kept; a failure prints
# the end of it (a sanitizer report says where) and ends the test.
render() {
  local log=$work/$1.log; shift
  "$@" >"$log" 2>&1 && return 0
  echo "FAIL: rc $? from: ${*#*/bin/}"; tail -n 60 "$log"
  exit 1
}
for f in h264_aac_1080p30.mp4 h264_openGOP_2audio_subs.mkv mpeg2_mp2.mpg audio.mp3; do
  for run in a b c; do
    mkdir -p "$work/$run"
    write_two_target_request "$work/$run/req.json" "$FIXTURES/$f" "$work/$run"
    # A third target cut like "hi", at its frame rate: the two share a decode.
    python3 - "$work/$run/req.json" "$work/$run" <<'PY'
import json, sys
req = json.load(open(sys.argv[1]))
req["Targets"].append({"URI": "file://" + sys.argv[2] + "/mid", "Duration": 5, "InitialSegments": [2, 2, 2],
                       "Video": {"TranscodeVideo": {"CRF": 28, "FrameRate": 25, "Resolution": "960x"}},
                       "Audio": {"TranscodeAudio": {"Codec": "aac", "Bitrate": 96000}}})
json.dump(req, open(sys.argv[1], "w"))
PY
  done
  render a "$HLSFSCTL" render "$work/a/req.json" --order in --jobs 1
  # b: each rendition decoded on its own (a shares one decode between the
  # renditions that can): the same bytes either way.
  render b env MALLOC_PERTURB_=85 "$HLSFSCTL" render "$work/b/req.json" --order shuffled --jobs 3 --separate --quiet
  # c: only segments 2 and 3, each made alone.
  render c3 "$HLSFSCTL" render "$work/c/req.json" --segments 3 --quiet
  render c2 "$HLSFSCTL" render "$work/c/req.json" --segments 2 --quiet
  n=0
  before=$failed
  failed=0
  # Names differ by token (the output URI is part of it); compare by
  # rendition prefix and segment number.
  twin() { compgen -G "$1/$2-*-$3.ts" | head -1 || true; }
  for seg in "$work"/a/*.ts; do
    name=$(basename "$seg" .ts)
    prefix=${name%%-*}
    num=${name##*-}
    b=$(twin "$work/b" "$prefix" "$num")
    c=$(twin "$work/c" "$prefix" "$num")
    [ -n "$b" ] && cmp -s "$seg" "$b" || { echo "FAIL $f: $prefix segment $num differs between a shared and a separate decode"; failed=1; }
    [ -z "$c" ] || cmp -s "$seg" "$c" || { echo "FAIL $f: $prefix segment $num differs when made alone"; failed=1; }
    n=$((n + 1))
  done
  made_alone=$(ls "$work"/c/*.ts | wc -l)
  renditions=$(grep -l '\.ts$' "$work"/c/*.m3u8 | wc -l)  # targets and audio tracks
  [ "$made_alone" -eq $((2 * renditions)) ] ||
    { echo "FAIL $f: --segments 2 and 3 made $made_alone files for $renditions renditions"; failed=1; }
  [ "$f" = audio.mp3 ] || grep -q "one decode for 2" "$work/a.log" ||
    { echo "FAIL $f: hi and mid did not share a decode"; failed=1; }
  [ "$n" -gt 4 ] || { echo "FAIL $f: only $n segments"; failed=1; }
  [ $failed -ne 0 ] || echo "ok   $f: $n segments identical across runs, orders and job counts"
  failed=$((failed | before))
  rm -rf "$work"/a "$work"/b "$work"/c
done
exit $failed
