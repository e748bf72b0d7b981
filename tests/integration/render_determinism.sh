#!/usr/bin/env bash
# Same segment, same bytes: rendered twice, in another order, by another
# number of jobs (so under another CPU load), alone, or with the heap filled
# differently (MALLOC_PERTURB_ exposes reads of uninitialised memory).
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
  done
  render a "$HLSFSCTL" render "$work/a/req.json" --order in --jobs 1 --quiet
  render b env MALLOC_PERTURB_=85 "$HLSFSCTL" render "$work/b/req.json" --order shuffled --jobs 3 --quiet
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
    [ -n "$b" ] && cmp -s "$seg" "$b" || { echo "FAIL $f: $prefix segment $num differs between jobs 1 and 3"; failed=1; }
    [ -z "$c" ] || cmp -s "$seg" "$c" || { echo "FAIL $f: $prefix segment $num differs when made alone"; failed=1; }
    n=$((n + 1))
  done
  made_alone=$(ls "$work"/c/*.ts | wc -l)
  [ "$made_alone" -eq 4 ] || { echo "FAIL $f: --segments 2 and 3 made $made_alone files"; failed=1; }
  [ "$n" -gt 4 ] || { echo "FAIL $f: only $n segments"; failed=1; }
  [ $failed -ne 0 ] || echo "ok   $f: $n segments identical across runs, orders and job counts"
  failed=$((failed | before))
  rm -rf "$work"/a "$work"/b "$work"/c
done
exit $failed
