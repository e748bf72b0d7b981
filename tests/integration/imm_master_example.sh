#!/usr/bin/env bash
# IMM's master example, as written there (oss:// swapped for a local store):
# three targets "1920x", "1280x", "720x", ScaleType fit, CRF 26, FrameRate 25,
# AAC 44.1 kHz at three bitrates, InitialSegments [2,2,2], InitialTranscode 36,
# Duration 10. The answer has IMM's shape (Duration, MasterURI, Token,
# VideoPlaylist in request order, Resolution "720x406"); InitialTranscode makes
# every segment ahead, the three renditions of a segment from one decode; each
# rendition passes hls-check through nginx; the master names real CODECS and a
# BANDWIDTH no made segment exceeds; hls.js plays it and switches level with
# no error and no stall (every segment made ahead). Then
# a request whose Subtitle target sits between two video targets: each
# playlist lands where its URI says.
source "$(dirname "$0")/lib.sh"
source "$(dirname "$0")/daemon_lib.sh"
[ "$(id -u)" -eq 0 ] || fail "needs root (FUSE mount with allow_other, nginx)"
ensure_fixtures
d=$(mktemp -d /tmp/hlsfs-imm.XXXXXX)
cleanup() { stop_nginx; stop_daemon "$d"; rm -rf "$d"; }
trap cleanup EXIT
failed=0
mkdir -p "$d/media"
cp "$FIXTURES/h264_aac_1080p30.mp4" "$d/media/video.mp4"
PREFETCH=0 start_daemon "$d"
start_nginx "$d"
base=http://127.0.0.1:$NGINX_PORT/media/out
target() {  # target NAME RESOLUTION AUDIO_BITRATE
  echo "{\"URI\":\"file://$d/media/out/$1\",\"Duration\":10,\"InitialSegments\":[2,2,2],\"InitialTranscode\":36,
   \"Video\":{\"TranscodeVideo\":{\"Codec\":\"h264\",\"CRF\":26,\"FrameRate\":25,\"Resolution\":\"$2\",\"ScaleType\":\"fit\"}},
   \"Audio\":{\"TranscodeAudio\":{\"Codec\":\"aac\",\"Bitrate\":$3,\"SampleRate\":44100}}}"
}
cat >"$d/req.json" <<JSON
{"SourceURI":"file://$d/media/video.mp4","MasterURI":"file://$d/media/out/master.m3u8",
 "Targets":[$(target 1080p 1920x 128000),$(target 720p 1280x 96000),$(target 540p 720x 64000)]}
JSON
generate "$d" "$d/req.json" >"$d/resp.json" || fail "generate: $(cat "$d/resp.json")"
python3 - "$d/resp.json" "file://$d/media/out" <<'PY' || failed=1
import json, re, sys
r, out = json.load(open(sys.argv[1])), sys.argv[2]
assert set(r) == {"RequestId", "Duration", "MasterURI", "Token", "VideoPlaylist"}, sorted(r)
assert abs(r["Duration"] - 12.0) < 0.01, r["Duration"]
assert r["MasterURI"] == out + "/master.m3u8", r["MasterURI"]
assert re.fullmatch("[0-9a-f]{32}", r["Token"]), r["Token"]
vp = r["VideoPlaylist"]
assert [p["Resolution"] for p in vp] == ["1920x1080", "1280x720", "720x406"], vp
assert [p["FrameRate"] for p in vp] == ["25"] * 3, vp
assert [p["URI"] for p in vp] == [f"{out}/{n}.m3u8" for n in ("1080p", "720p", "540p")], vp
assert all(set(p) == {"FrameRate", "Resolution", "Token", "URI"} for p in vp), vp
assert len({p["Token"] for p in vp} | {r["Token"]}) == 4, vp
print("ok   IMM's answer:", json.dumps({k: r[k] for k in ("Duration", "Token")}), [p["Resolution"] for p in vp])
PY

echo "== InitialTranscode 36 s: every segment made ahead, one decode per segment for the three"
segments=$(( $(grep -c '\.ts$' "$d/mnt/media/out/1080p.m3u8") * 3 ))
for _ in $(seq 600); do [ "$(metric hlsfs_segments_transcoded_total)" -ge "$segments" ] && break; sleep 0.2; done
made=$(metric hlsfs_segments_transcoded_total)
shared=$(metric hlsfs_shared_decode_segments_total)
[ "$made" = "$segments" ] && echo "ok   $made segments made before any read" || { echo "FAIL: $made of $segments made"; failed=1; }
[ "${shared:-0}" -ge 6 ] && echo "ok   $shared of them in shared decodes" || { echo "FAIL: only ${shared:-0} in shared decodes"; failed=1; }

echo "== each rendition through nginx"
for r in 1080p 720p 540p; do
  hls_check "$base/$r.m3u8" "$r"
done

echo "== the master"
curl -sf -o "$d/master.m3u8" "$base/master.m3u8" || fail "master"
cat "$d/master.m3u8" | sed 's/^/     /'
python3 - "$d/master.m3u8" "$base" <<'PY' || failed=1
import re, sys, urllib.request
text, base = open(sys.argv[1]).read(), sys.argv[2]
lines = text.splitlines()
infs = [(l, lines[i + 1]) for i, l in enumerate(lines) if l.startswith("#EXT-X-STREAM-INF:")]
assert [u for _, u in infs] == ["1080p.m3u8", "720p.m3u8", "540p.m3u8"], infs
want = {"1080p.m3u8": ("1920x1080", "avc1.640028"), "720p.m3u8": ("1280x720", "avc1.64001F"),
        "540p.m3u8": ("720x406", "avc1.64001E")}
for inf, uri in infs:
    attrs = dict(re.findall(r'([A-Z-]+)=("[^"]*"|[^,]*)', inf.split(":", 1)[1]))
    res, codec = want[uri]
    assert attrs["RESOLUTION"] == res and attrs["FRAME-RATE"] == "25.000", (uri, attrs)
    assert attrs["CODECS"] == f'"{codec},mp4a.40.2"', (uri, attrs["CODECS"])
    pl = urllib.request.urlopen(f"{base}/{uri}").read().decode().splitlines()
    peak = 0
    for i, l in enumerate(pl):
        if l.startswith("#EXTINF:"):
            size = len(urllib.request.urlopen(f"{base}/{pl[i + 1]}").read())
            peak = max(peak, size * 8 / float(l[8:].split(",")[0]))
    assert int(attrs["BANDWIDTH"]) >= peak, (uri, attrs["BANDWIDTH"], peak)
    assert int(attrs["AVERAGE-BANDWIDTH"]) <= int(attrs["BANDWIDTH"]), attrs
    print(f"ok   {uri}: {res}, {codec}, BANDWIDTH {attrs['BANDWIDTH']} >= peak {peak:.0f}")
PY
node "$REPO/tests/browser/play.mjs" "http://127.0.0.1:$NGINX_PORT/test-player/" "$base/master.m3u8" --switch-level --no-stall || failed=1

echo "== a Subtitle target between two video targets, in a sub-directory"
cp "$FIXTURES/h264_openGOP_2audio_subs.mkv" "$d/media/movie.mkv"
cat >"$d/req2.json" <<JSON
{"SourceURI":"file://$d/media/movie.mkv","MasterURI":"file://$d/media/out2/master.m3u8",
 "Targets":[$(target 720p 1280x 96000 | sed 's|/out/|/out2/|'),
  {"URI":"file://$d/media/out2/subs/track","Subtitle":{}},
  $(target 360p 640x 64000 | sed 's|/out/|/out2/|')]}
JSON
generate "$d" "$d/req2.json" >"$d/resp2.json" || { echo "FAIL: generate: $(cat "$d/resp2.json")"; failed=1; }
python3 - "$d/resp2.json" "file://$d/media/out2" <<'PY' || failed=1
import json, sys
r, out = json.load(open(sys.argv[1])), sys.argv[2]
assert [p["URI"] for p in r["VideoPlaylist"]] == [out + "/720p.m3u8", out + "/360p.m3u8"], r
assert [p["URI"] for p in r["SubtitlePlaylist"]] == [out + "/subs/track_0.m3u8"], r
assert [p["URI"] for p in r["AudioPlaylist"]] == [out + "/master_audio1.m3u8"], r
print("ok   answer: video, the Subtitle target's track, the audio track")
PY
for t in 720p 360p master_audio1; do
  hls_check "http://127.0.0.1:$NGINX_PORT/media/out2/$t.m3u8" "out2/$t"
done
grep -q 'URI="subs/track_0.m3u8"' "$d/mnt/media/out2/master.m3u8" && echo "ok   the master names the subtitle track" ||
  { echo "FAIL: master lacks the track"; failed=1; }
vtt=$(grep -m1 -- '-3\.vtt$' "$d/mnt/media/out2/subs/track_0.m3u8" || true)
grep -qx World "$d/mnt/media/out2/subs/$vtt" 2>/dev/null && echo "ok   its segment 3 holds the 7.5 s cue" ||
  { echo "FAIL: no cue in subs/$vtt"; failed=1; }
[ $failed -eq 0 ] || { echo "--- hlsfsd log (last 40 lines)"; tail -40 "$d/hlsfsd.log"; }
exit $failed
