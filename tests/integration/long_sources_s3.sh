#!/usr/bin/env bash
# Two-hour sources in an object store (issue 14): MP4, Matroska, AVI and
# MPEG-TS, each a 10 s clip concatenated by stream copy (tiny pictures and
# bitrates: tens of MB, seconds to make and to upload), in moto with
# signatures enforced, read by the daemon through a proxy that counts the
# bytes moto really served. A generate answers having fetched at most the
# container's index + 4 MiB of the source (MPEG-TS, which has no index: at
# most 16 MiB), and two late segments (at 5990-6010 s) read through the
# mount and nginx pass hls-check, having fetched their share of the file +
# 4 MiB.
source "$(dirname "$0")/lib.sh"
source "$(dirname "$0")/daemon_lib.sh"
source "$(dirname "$0")/moto_lib.sh"
[ "$(id -u)" -eq 0 ] || fail "needs root (FUSE mount with allow_other, nginx)"
d=$(mktemp -d /tmp/hlsfs-long-s3.XXXXXX)
cleanup() {
  stop_nginx
  stop_daemon "$d"
  stop_stall_proxies
  stop_moto
  rm -rf "$d" "$MOTO_STATE_DIR"
}
trap cleanup EXIT
failed=0
t0=$(date +%s.%N)
ff="ffmpeg -nostdin -hide_banner -loglevel error -y"

# The clips, 10 fps with a 2 s GOP: H.264 with B-frames + AAC (MP4, MKV, TS),
# MPEG-4 Part 2 + MP3 (AVI). Two hours of them is 720 loops.
$ff -f lavfi -i testsrc2=size=160x120:rate=10 -f lavfi -i sine=frequency=440:sample_rate=16000 -t 10 \
  -c:v libx264 -preset veryfast -g 20 -b:v 20k -c:a aac -b:a 16k "$d/clip.mp4"
$ff -f lavfi -i testsrc2=size=160x120:rate=10 -f lavfi -i sine=frequency=440:sample_rate=16000 -t 10 \
  -c:v mpeg4 -q:v 31 -g 20 -c:a libmp3lame -b:a 16k "$d/clip.avi"

start_moto "$(free_port)" || fail "moto"
moto_bucket "$MOTO_ENDPOINT" long || fail "bucket"
moto_enforced long || fail "moto does not enforce signatures"
# The daemon reaches moto through the proxy; every reply is counted in $d/served.
PROXY_PORT=$(free_port)
start_stall_proxy "$d/proxy.log" "$PROXY_PORT" "${MOTO_ENDPOINT##*:}" "$d/no-stall" - "$d/served" || fail "proxy"
touch "$d/served"
PREFETCH=0 start_daemon "$d" "  s3: {plugin: s3, bucket: long, endpoint: \"http://127.0.0.1:$PROXY_PORT\", region: us-east-1,
       access_key_id: $MOTO_ACCESS_KEY_ID, secret_access_key: \"$MOTO_SECRET_ACCESS_KEY\"}"
start_nginx "$d"
base=http://127.0.0.1:$NGINX_PORT

# served FROM_LINE KEY -> "GETS BYTES": GETs of KEY moto answered (2xx) from
# line FROM_LINE of the count on, and the body bytes they sent. (The proxy
# counts a reply once its last byte is handed to the client's socket: a
# moment after the client may have it.)
served() {
  sleep 0.2
  tail -n "+$1" "$d/served" | awk -v k="/$2" '$1 == "GET" && index($2, k) && $3 < 300 {n++; b += $4}
    END {printf "%d %d\n", n, b}'
}

for fmt in mp4 mkv ts avi; do
  echo "== $fmt"
  src=$d/long.$fmt key=src/long.$fmt
  clip=$d/clip.mp4
  [ "$fmt" = avi ] && clip=$d/clip.avi
  $ff -stream_loop 719 -i "$clip" -c copy "$src"
  size=$(stat -c %s "$src")
  index=$(python3 "$REPO/tests/tools/container-index-size" "$src")
  limit=$((index + 4 * 1048576))
  [ "$fmt" != ts ] || limit=$((16 * 1048576))
  # A bound that reading the whole file would meet proves nothing.
  check_that "[ $size -gt $((limit * 3 / 2)) ]" \
    "$fmt: $((size / 1048576)) MiB, index $((index / 1024)) KiB: the file is well over the bound ($((limit / 1048576)) MiB)"
  moto_s3 long put "$src" "$key"  # straight to moto: not counted
  rm -f "$src"

  from=$(( $(wc -l <"$d/served") + 1 ))
  cat >"$d/$fmt.json" <<JSON
{"SourceURI":"s3://long/$key","Targets":[{"URI":"file://$d/media/out/$fmt/v","Duration":10,"InitialTranscode":0,
 "Video":{"TranscodeVideo":{"CRF":30,"FrameRate":10,"Resolution":"160x"}},
 "Audio":{"TranscodeAudio":{"Codec":"aac","Bitrate":32000}}}]}
JSON
  g0=$(date +%s.%N)
  out=$(generate "$d" "$d/$fmt.json" 2>&1) || { echo "FAIL $fmt: generate: ${out:0:300}"; failed=1; continue; }
  took=$(echo "$(date +%s.%N) - $g0" | bc)
  read -r gets bytes < <(served "$from" "$key")
  check_that "[ $bytes -gt 0 ] && [ $bytes -le $limit ]" \
    "$fmt: generate fetched $(printf '%.2f' "$(echo "$bytes / 1048576" | bc -l)") MiB of $((size / 1048576)) MiB in $gets GETs (bound $(printf '%.2f' "$(echo "$limit / 1048576" | bc -l)") MiB), $(printf '%.2f' "$took") s"

  # Through nginx: the playlist spans two hours; segments 599 and 600 as a
  # playlist of their own (absolute URLs into the mount) pass hls-check.
  curl -sf -o "$d/$fmt.m3u8" "$base/media/out/$fmt/v.m3u8" || { echo "FAIL $fmt: no playlist through nginx"; failed=1; continue; }
  from=$(( $(wc -l <"$d/served") + 1 ))
  python3 - "$d/$fmt.m3u8" "$base/media/out/$fmt" "$d/$fmt-late.m3u8" "$fmt" <<'PY' || failed=1
import sys
playlist, base, out, fmt = sys.argv[1:]
lines = open(playlist).read().splitlines()
head = [l for l in lines[:8] if l.startswith("#EXT") and not l.startswith("#EXTINF")]
segs = [(lines[i], lines[i + 1]) for i in range(len(lines)) if lines[i].startswith("#EXTINF")]
total = sum(float(s[0][8:].split(",")[0]) for s in segs)
ok = 7190 < total < 7300 and len(segs) > 600
print("%s %s: the playlist spans %.1f s in %d segments" % ("ok  " if ok else "FAIL", fmt, total, len(segs)))
body = [x for s in segs[599:601] for x in (s[0], base + "/" + s[1])]
open(out, "w").write("\n".join(head + body + ["#EXT-X-ENDLIST", ""]))
sys.exit(0 if ok else 1)
PY
  hls_check "$d/$fmt-late.m3u8" "$fmt segments 599-600 through the mount and nginx"
  # A late segment costs what an early one does: its own 20 s share of the
  # file + 4 MiB (Matroska once read everything before it: the audio track
  # has no cues, and FFmpeg's fallback seek scans from the start).
  read -r gets bytes < <(served "$from" "$key")
  share=$((size * 20 / 7200 + 4 * 1048576))
  check_that "[ $bytes -le $share ]" \
    "$fmt: the two segments fetched $((bytes / 1024)) KiB of the source in $gets GETs (bound $((share / 1024)) KiB)"
done
echo "     $(printf '%.0f' "$(echo "$(date +%s.%N) - $t0" | bc)") s"
[ $failed -eq 0 ] || { echo "--- hlsfsd log"; tail -30 "$d/hlsfsd.log"; }
exit $failed
