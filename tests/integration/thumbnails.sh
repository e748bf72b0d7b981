#!/usr/bin/env bash
# Scrubbing thumbnails (issue 19): a generate writes <master>_thumbnails.vtt
# beside the playlists (the playlists and the response as without it); the
# track parses and covers the title; it is served by the mount and by the
# signed nginx site (text/vtt); a sprite sheet is a JPEG of the size its
# cues say (ffprobe), made on read, and byte-identical when made again after
# it was removed and after the GC evicted it; the tile at 40 s is the
# source's picture at 40 s (PSNR against the ffmpeg CLI's frame); the player
# page shows it over the seek bar. Figures: one sheet (100 keyframes)
# against one 10 s segment made cold, and against the CLI making the same
# tiles. About 22 s.
source "$(dirname "$0")/lib.sh"
source "$(dirname "$0")/daemon_lib.sh"
[ "$(id -u)" -eq 0 ] || fail "needs root (FUSE mount, nginx)"
d=$(mktemp -d /tmp/hlsfs-thumbs.XXXXXX)
cleanup() { stop_nginx; stop_daemon "$d"; rm -rf "$d"; }
trap cleanup EXIT
failed=0
js() { python3 -c "import json,sys; j=json.load(sys.stdin); print($1)"; }
now() { date +%s.%N; }

echo "== a 100 s 720p source, a keyframe every second"
mkdir -p "$d/media/out/movie"
ffmpeg -nostdin -hide_banner -loglevel error -f lavfi -i "testsrc2=size=1280x720:rate=25" \
  -f lavfi -i "sine=frequency=440:sample_rate=48000" -t 100 -c:v libx264 -preset ultrafast -g 25 \
  -c:a aac -b:a 64k "$d/media/movie.mp4"
secret=$(head -c 24 /dev/urandom | od -An -tx1 | tr -d ' \n')
NGINX_PORT=$(free_port)
# One tile a second: 100 tiles, one full 10x10 sheet, each its own keyframe
# (the work of a sheet at the default 10 s: 1000 s of a title).
export PREFETCH=0 WORKERS=1
start_daemon "$d" "signing: {secret: $secret, base_url: \"http://127.0.0.1:$NGINX_PORT\"}
thumbnails: {enabled: true, interval: 1s, width: 160}"
ctl() { "$BUILD/bin/hlsfsctl" --config "$d/hlsfs.yaml" "$@"; }
cat >"$d/req.json" <<JSON
{"SourceURI":"file://$d/media/movie.mp4","MasterURI":"file://$d/media/out/movie/master.m3u8",
 "Targets":[{"URI":"file://$d/media/out/movie/720p","Duration":10,"InitialSegments":[],
   "Video":{"TranscodeVideo":{"CRF":23,"Resolution":"1280x"}},"Audio":{"TranscodeAudio":{"Bitrate":128000}}}]}
JSON
resp=$(ctl generate "$d/req.json") || { echo "$resp"; fail "generate"; }
echo "$resp" | js 'sorted(j)' | grep -q Thumbnail && { echo "FAIL: the IMM response grew a field"; failed=1; }
m=$d/mnt/media/out/movie
check_that "[ -f $m/master_thumbnails.vtt ]" "master_thumbnails.vtt beside master.m3u8"
grep -q thumbnails "$m/master.m3u8" && { echo "FAIL: the master names the track"; failed=1; }

echo "== the track parses and covers the title"
python3 - "$m/master_thumbnails.vtt" >"$d/track.txt" <<'PY' || failed=1
import re, sys
text = open(sys.argv[1]).read()
assert text.startswith("WEBVTT\n\n"), text[:40]
cues = re.findall(r"^(\d\d):(\d\d):(\d\d)\.(\d{3}) --> (\d\d):(\d\d):(\d\d)\.(\d{3})\n(\S+)#xywh=(\d+),(\d+),(\d+),(\d+)$", text, re.M)
sec = lambda h, m, s, ms: int(h) * 3600 + int(m) * 60 + int(s) + int(ms) / 1000
cues = [(sec(*c[0:4]), sec(*c[4:8]), c[8], *map(int, c[9:13])) for c in cues]
assert len(cues) == 100, len(cues)
assert cues[0][0] == 0 and abs(cues[-1][1] - 100) < 0.05, (cues[0], cues[-1])
assert all(a[1] == b[0] for a, b in zip(cues, cues[1:])), "gaps"
sheets = {c[2] for c in cues}
assert len(sheets) == 1, sheets
w = max(c[3] + c[5] for c in cues); h = max(c[4] + c[6] for c in cues)
c40 = cues[40]
print(cues[0][2], w, h, *c40[3:7])
PY
read -r sheet sheet_w sheet_h x40 y40 w40 h40 <"$d/track.txt"
echo "ok   100 cues, one sheet $sheet (${sheet_w}x$sheet_h), tile at 40 s: ${w40}x$h40+$x40+$y40"
tok=$(echo "$sheet" | grep -o '[0-9a-f]\{32\}')

echo "== served by the mount and by signed nginx"
start_nginx "$d" "$d/hlsfs.yaml"
master=$(ctl sign "file://$d/media/out/movie/master.m3u8")
vtt_url=${master%master.m3u8}master_thumbnails.vtt
curl -sf "$vtt_url" -o "$d/nginx.vtt" && cmp -s "$d/nginx.vtt" "$m/master_thumbnails.vtt" &&
  echo "ok   the signed track is the mount's" || { echo "FAIL: signed track"; failed=1; }
got=$(curl -s -o /dev/null -w '%{content_type}' "$vtt_url")
check_that "[ '$got' = text/vtt ]" "track Content-Type $got"
expect_status 403 "http://127.0.0.1:$NGINX_PORT/media/out/movie/master_thumbnails.vtt" "the track unsigned"

echo "== a sprite sheet made on read (timed against one segment of the 720p rendition)"
t0=$(now)
curl -sf "${master%master.m3u8}$sheet" -o "$d/sheet.jpg" || { echo "FAIL: sheet over nginx"; failed=1; }
t1=$(now)
sheet_s=$(echo "$t1 - $t0" | bc)
got=$(curl -s -o /dev/null -w '%{content_type}' "${master%master.m3u8}$sheet")
check_that "[ '$got' = image/jpeg ]" "sheet Content-Type $got"
probe=$(ffprobe -v error -show_entries stream=codec_name,width,height -of csv=p=0 "$d/sheet.jpg")
check_that "[ '$probe' = 'mjpeg,$sheet_w,$sheet_h' ]" "ffprobe: $probe (the cues say ${sheet_w}x$sheet_h), $(stat -c %s "$d/sheet.jpg") bytes"
seg=$(grep -m6 '\.ts$' "$m/720p.m3u8" | tail -1)  # segment 5: 10 s, cold
t0=$(now)
cat "$m/$seg" >/dev/null
t1=$(now)
seg_s=$(echo "$t1 - $t0" | bc)
printf 'figure: sprite sheet (100 keyframes, 1600x900) %.2f s; one 10 s 720p segment %.2f s (%.0f%%)\n' \
  "$sheet_s" "$seg_s" "$(echo "100 * $sheet_s / $seg_s" | bc -l)"
check_that "within $sheet_s $(echo "$seg_s / 2" | bc -l)" "the sheet costs under half a segment"
t0=$(now)
ffmpeg -nostdin -hide_banner -loglevel error -y -skip_frame nokey -i "$d/media/movie.mp4" -an \
  -vf "scale=160:90,tile=10x10" -fps_mode passthrough -frames:v 1 -q:v 5 "$d/cli.jpg"
t1=$(now)
cli_s=$(echo "$t1 - $t0" | bc)
printf 'figure: the ffmpeg CLI making the same 100 tiles (-skip_frame nokey, tile=10x10) %.2f s: hlsfs %.2fx\n' \
  "$cli_s" "$(echo "$sheet_s / $cli_s" | bc -l)"

echo "== removed, it comes back byte-identical"
ls "$d/cache/${tok:0:2}/$tok/" >/dev/null 2>&1 || { echo "FAIL: the sheet is not in the cache"; failed=1; }
rm -f "$d/cache/${tok:0:2}/$tok/"*
# The open asks the daemon, which makes it again (the kernel may still hold
# the old pages of the mount's file: the new cache file is what counts).
cat "$m/$sheet" >/dev/null || { echo "FAIL: read again"; failed=1; }
again=$(compgen -G "$d/cache/${tok:0:2}/$tok/*" | head -1 || true)
[ -n "$again" ] && cmp -s "$again" "$d/sheet.jpg" && echo "ok   made again: identical ($again)" ||
  { echo "FAIL: not made again, or other bytes: '$again'"; failed=1; }
check_that "ls $m | grep -qx '$sheet'" "the mount lists the sheet once made"

echo "== evicted by the GC like a segment, and made again on read"
printf 'cache: {max_idle: 1s, gc_interval: 1h}\n' >>"$d/hlsfs.yaml"
kill -HUP "$DAEMON_PID"
sleep 2.5  # the reload is applied, and the sheet has not been read for longer than max_idle
ctl gc >"$d/gc.txt" 2>&1 || { cat "$d/gc.txt"; echo "FAIL: hlsfsctl gc"; failed=1; }
if compgen -G "$d/cache/${tok:0:2}/$tok/*" >/dev/null; then
  echo "FAIL: the GC left the sheet in the cache: $(cat "$d/gc.txt")"; failed=1
else
  echo "ok   the GC evicted the sheet: $(tr '\n' ' ' <"$d/gc.txt")"
fi
cat "$m/$sheet" >/dev/null || { echo "FAIL: read after the GC"; failed=1; }
again=$(compgen -G "$d/cache/${tok:0:2}/$tok/*" | head -1 || true)
[ -n "$again" ] && cmp -s "$again" "$d/sheet.jpg" && echo "ok   made again after the GC: identical" ||
  { echo "FAIL: not made again after the GC, or other bytes: '$again'"; failed=1; }

echo "== the tile at 40 s is the source's picture at 40 s"
ffmpeg -nostdin -hide_banner -loglevel error -y -ss 40 -i "$d/media/movie.mp4" -frames:v 1 -vf scale=160:90 "$d/cli40.png"
psnr=$(ffmpeg -nostdin -hide_banner -i "$d/sheet.jpg" -i "$d/cli40.png" -filter_complex \
  "[0:v]crop=$w40:$h40:$x40:$y40,format=yuv420p[a];[1:v]format=yuv420p[b];[a][b]psnr" -f null - 2>&1 |
  grep -o 'average:[0-9.inf]*' | cut -d: -f2)
check_that "awk 'BEGIN { exit !(\"$psnr\" == \"inf\" || \"$psnr\" + 0 > 30) }'" "PSNR of the 40 s tile against the CLI's frame: $psnr dB"

echo "== the player page shows it over the seek bar"
node "$REPO/tests/browser/thumbnails.mjs" "http://127.0.0.1:$NGINX_PORT/player/" "$master" 40.5 || failed=1

[ $failed -eq 0 ] || fail "thumbnails"
echo PASS
