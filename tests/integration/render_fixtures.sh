#!/usr/bin/env bash
# Every fixture at two MPEG-TS targets and one fragmented MP4 target
# (Container fmp4: H.264 + AAC, an init segment and .m4s segments), segments
# made in shuffled order by 2 jobs, must pass hls-check; broken sources must
# fail with one clear line. The fMP4 target has the lo target's segments and
# frame rate, so one decode of each of its segments makes both (render_fmp4
# checks what an fMP4-only master adds: demuxed audio tracks, HEVC, the cap).
# FIXTURES_FMP4=0 leaves the fMP4 target out (the sanitizer pass, which never
# had the fMP4 tests, sets it in tests/CMakeLists.txt: about 20 % of this
# test's time there).
source "$(dirname "$0")/lib.sh"
FMP4_CHECK=$REPO/tests/tools/hls-check  # ours knows fMP4
ensure_fixtures
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
failed=0
for f in $GOOD_FIXTURES; do
  out=$work/${f//./_}
  mkdir -p "$out"
  write_two_target_request "$out/req.json" "$FIXTURES/$f" "$out"
  [ "${FIXTURES_FMP4:-1}" = 0 ] || python3 - "$out/req.json" "$out" <<'PY'
import json, sys
req, out = sys.argv[1:]
r = json.load(open(req))
r["Targets"].append({"URI": "file://" + out + "/f", "Container": "fmp4", "Duration": 10,
                     "Video": {"TranscodeVideo": {"Codec": "h264", "CRF": 28, "Resolution": "480x"}},
                     "Audio": {"TranscodeAudio": {"Bitrate": 64000}}})
json.dump(r, open(req, "w"))
PY
  if ! "$HLSFSCTL" render "$out/req.json" --order shuffled --jobs 2 --quiet >"$out/resp.json" 2>"$out/err"; then
    echo "FAIL $f: render: $(cat "$out/err")"
    failed=1
    continue
  fi
  # The targets, and the master's audio tracks (other audio streams).
  tracks=$(cd "$out" && ls master_audio*.m3u8 2>/dev/null | sed 's/\.m3u8$//' || true)
  for t in hi lo $tracks; do
    hls_check "$out/$t.m3u8" "$f/$t"
  done
  # Without Container, MPEG-TS as before, beside an fMP4 target.
  check_that "ls '$out'/hi-*-0.ts >/dev/null && ! ls '$out'/hi-*.m4s '$out'/hi-*init.mp4 2>/dev/null" "$f: no Container: MPEG-TS"
  if [ "${FIXTURES_FMP4:-1}" != 0 ]; then
    grep -q '^#EXT-X-MAP:URI="f-[0-9a-f]*-init.mp4"$' "$out/f.m3u8" || { echo "FAIL $f/f: no EXT-X-MAP"; failed=1; }
    HLS_CHECK=$FMP4_CHECK hls_check "$out/f.m3u8" "$f/f (fMP4)"
  fi
  # The response names what was written.
  python3 - "$out/resp.json" "$out" "$([ "${FIXTURES_FMP4:-1}" = 0 ] && echo 2 || echo 3)" <<'PY' || failed=1
import json, os, sys
r = json.load(open(sys.argv[1]))
out = sys.argv[2]
assert r["Duration"] > 0, r
assert len(r["Token"]) == 32, r
lists = r.get("VideoPlaylist", []) + r.get("AudioPlaylist", []) + r.get("SubtitlePlaylist", [])
targets = [p for p in lists if os.path.basename(p["URI"]) in ("hi.m3u8", "lo.m3u8", "f.m3u8")]
assert len(targets) == int(sys.argv[3]), r
for p in lists:
    path = p["URI"][len("file://"):]
    assert os.path.exists(path), p
    assert len(p["Token"]) == 32
    # Every segment a playlist names was made (render makes them all).
    for line in open(path).read().splitlines():
        if line and not line.startswith("#"):
            seg = os.path.join(out, line)
            assert os.path.getsize(seg) > 0, seg
            if seg.endswith(".vtt"):
                assert open(seg).read().startswith("WEBVTT\nX-TIMESTAMP-MAP=MPEGTS:"), seg
for p in r.get("VideoPlaylist", []):
    w, h = map(int, p["Resolution"].split("x"))
    assert w % 2 == 0 and h % 2 == 0 and w <= 1280, p
assert os.path.exists(os.path.join(out, "master.m3u8"))
PY
done
for f in $BROKEN_FIXTURES; do
  out=$work/${f//./_}
  mkdir -p "$out"
  write_two_target_request "$out/req.json" "$FIXTURES/$f" "$out"
  rc=0
  timeout 60 "$HLSFSCTL" render "$out/req.json" --quiet >"$out/resp.json" 2>"$out/err" || rc=$?
  lines=$(wc -l <"$out/err")
  if [ "$rc" -eq 1 ] && [ "$lines" -eq 1 ] && grep -q "^error: .*$f" "$out/err" && [ ! -s "$out/resp.json" ]; then
    echo "ok   $f refused: $(cat "$out/err")"
  else
    echo "FAIL $f: exit $rc, stderr: $(cat "$out/err")"
    failed=1
  fi
  [ ! -e "$out/hi.m3u8" ] || { echo "FAIL $f: a playlist was written for a broken source"; failed=1; }
done
# A missing source and a bad request: clear errors too.
out=$work/missing && mkdir -p "$out"
write_two_target_request "$out/req.json" "/nonexistent/x.mp4" "$out"
"$HLSFSCTL" render "$out/req.json" 2>"$out/err" && { echo "FAIL missing source accepted"; failed=1; }
grep -q "error: /nonexistent/x.mp4: No such file or directory" "$out/err" || { echo "FAIL missing: $(cat "$out/err")"; failed=1; }
echo '{"SourceURI":"file:///x.mp4","Targets":[{"URI":"file:///tmp/x","Duration":100,"Video":{}}]}' >"$out/bad.json"
rc=0; "$HLSFSCTL" render "$out/bad.json" 2>"$out/err" || rc=$?
[ $rc -eq 2 ] && grep -q "error: Targets\[0\].Duration: must be between 5 and 15" "$out/err" ||
  { echo "FAIL bad request: exit $rc: $(cat "$out/err")"; failed=1; }
exit $failed
