#!/usr/bin/env bash
# Library mode: a store declared a library shows every video file under it
# as <file>.hls/master.m3u8, with no API call. A file dropped in plays in
# hls.js through signed nginx; a replaced file gets a new token (also one
# of the same size with its mtime set back, rewritten in place or renamed
# over); a deleted one is gone; a text file, a broken video and a symlink
# out of the store are not offered; a generate writing into the library is
# refused; a directory of several listing pages lists each title once; a
# restart serves the titles again without probing them.
source "$(dirname "$0")/lib.sh"
source "$(dirname "$0")/daemon_lib.sh"
[ "$(id -u)" -eq 0 ] || fail "needs root (FUSE mount with allow_other, nginx)"
d=$(mktemp -d /tmp/hlsfs-library.XXXXXX)
cleanup() { stop_nginx; stop_daemon "$d"; rm -rf "$d"; }
trap cleanup EXIT
failed=0
lib=$d/movies mnt=$d/mnt/movies
mkdir -p "$lib/films"
ff="ffmpeg -nostdin -hide_banner -loglevel error -y"
# clip OUT SIZE SECONDS TONE: a small H.264 + AAC clip.
clip() {
  $ff -f lavfi -i "testsrc2=size=$2:rate=25" -f lavfi -i "sine=frequency=$4:sample_rate=48000" -t "$3" \
    -c:v libx264 -preset ultrafast -g 25 -pix_fmt yuv420p -c:a aac -b:a 64k "$1"
}
clip "$d/a.mp4" 640x360 12 440  # long enough for the player's seek to 80 % and 1.5 s on
clip "$d/a2.mp4" 640x360 4 880
clip "$lib/b.mkv" 1280x720 2 330
mkdir -p "$d/shows" && cp "$lib/b.mkv" "$d/shows/b.mkv"
# Listed by name (nothing is opened to list): empty files do. 300 titles:
# about 19 store pages of 16 (list_page below) and 3 readdir replies.
mkdir -p "$d/shows/many" && (cd "$d/shows/many" && for i in $(seq -w 0 299); do : >"t$i.mp4"; done)
echo "just words" >"$lib/notes.txt"
echo "not a picture either" >"$lib/films/cover.jpg"
head -c 20000 /dev/urandom >"$lib/broken.mp4"
ln -s /etc/passwd "$lib/escape.mp4"
secret=$(head -c 24 /dev/urandom | od -An -tx1 | tr -d ' \n')
NGINX_PORT=$(free_port)
# write_config ends with the stores: the library goes there, then signing.
lib_yaml="  movies:
    plugin: local
    root: $lib
    library: {renditions: [720, 360], duration: 5, initial_segments: [2, 2]}
  shows:
    plugin: local
    root: $d/shows
    library: {renditions: [360], container: fmp4, list_page: 16}
signing: {secret: $secret, base_url: \"http://127.0.0.1:$NGINX_PORT\"}"
start_daemon "$d" "$lib_yaml"
ctl() { "$BUILD/bin/hlsfsctl" --config "$d/hlsfs.yaml" "$@"; }
start_nginx "$d" "$d/hlsfs.yaml"
base=http://127.0.0.1:$NGINX_PORT

echo "== the listing: directories and titles, by extension"
listing=$(ls "$mnt" | tr '\n' ' ')
check_that '[ "$listing" = "b.mkv.hls broken.mp4.hls films " ]' "ls shows b.mkv.hls broken.mp4.hls films, not notes.txt nor the symlink out ($listing)"
check_that '! stat "$mnt/notes.txt" >/dev/null 2>&1 && ! stat "$mnt/notes.txt.hls" >/dev/null 2>&1' "a text file is not offered"
check_that '! stat "$mnt/escape.mp4.hls" >/dev/null 2>&1' "a symlink out of the store is not offered"
check_that '! stat "$mnt/broken.mp4.hls" >/dev/null 2>&1' "a broken video is not offered"
stat "$mnt/broken.mp4.hls" >/dev/null 2>&1 || true
check_that '[ "$(grep -c "not offered.*broken.mp4" "$d/hlsfsd.log")" = 1 ]' "the broken video is logged once"
check_that '! ls "$mnt" | grep -q broken' "once looked at, the broken video leaves the listing"
master_b=$(cat "$mnt/b.mkv.hls/master.m3u8")
check_that '[[ $master_b == *720p.m3u8* && $master_b == *360p.m3u8* ]]' "a 720p source gets 720p and 360p"

echo "== a library with container: fmp4 serves fragmented MP4"
show=$d/mnt/shows/b.mkv.hls
media_show=$(cat "$show/360p.m3u8")
check_that '[[ $media_show == *"#EXT-X-MAP:URI=\"360p-"*"-init.mp4\""* && $media_show == *"-0.m4s"* ]]' \
  "its 360p.m3u8 has #EXT-X-MAP and .m4s segments"
seg0=$(grep -m1 '\.m4s$' "$show/360p.m3u8")
init=$(grep -o '360p-[0-9a-f]*-init.mp4' "$show/360p.m3u8")
cat "$show/$init" "$show/$seg0" >"$d/show0.mp4"
check_that '[ "$(ffprobe -v error -select_streams v:0 -show_entries stream=codec_name -of csv=p=0 "$d/show0.mp4")" = h264 ]' \
  "its init segment + first .m4s decode as H.264 (fMP4)"

echo "== a generate writing into the library is refused (400, naming the store)"
printf '{"SourceURI":"file://%s/b.mkv","Targets":[{"URI":"file://%s/films/x","Video":{"TranscodeVideo":{"CRF":30}}}]}' \
  "$lib" "$lib" >"$d/into_library.json"
code=$(curl -s -o "$d/into_library.out" -w '%{http_code}' --unix-socket "$d/control.sock" -X POST \
  -H 'Content-Type: application/json' --data @"$d/into_library.json" http://hlsfs/v1/GenerateVideoPlaylist)
check_that '[ "$code" = 400 ] && grep -q "is a library (stores.movies.library)" "$d/into_library.out"' \
  "refused: $code $(head -c 160 "$d/into_library.out")"
check_that '[ ! -e "$lib/films/x.m3u8" ]' "nothing written into the library"

echo "== a file dropped in plays through signed nginx, no API call"
cp "$d/a.mp4" "$lib/films/.a.tmp" && mv "$lib/films/.a.tmp" "$lib/films/a.mp4"
check_that '[ "$(ls "$mnt/films")" = a.mp4.hls ]' "films/ lists a.mp4.hls"
master_a=$(cat "$mnt/films/a.mp4.hls/master.m3u8")
check_that '[[ $master_a == *360p.m3u8* && $master_a != *720p* ]]' "a 360p source gets 360p only"
master=$(ctl sign /movies/films/a.mp4.hls/master.m3u8)
hls_check "${master%master.m3u8}360p.m3u8" "of the library title through signed nginx"
node "$REPO/tests/browser/play.mjs" "$base/player/" "$master" || failed=1
expect_status 403 "$base/movies/films/a.mp4.hls/master.m3u8" "unsigned"
cache_control() { curl -s -o /dev/null -D - "$1" | tr -d '\r' | awk 'tolower($1)=="cache-control:" {print $2}'; }
check_that '[ "$(cache_control "$master")" = no-store ]' "a library playlist is never cached (it changes with its file)"
tok1=$(grep -o '[0-9a-f]\{32\}' "$mnt/films/a.mp4.hls/360p.m3u8" | head -1)

echo "== a replaced file gets a new token"
cp "$d/a2.mp4" "$lib/films/.a.tmp" && mv "$lib/films/.a.tmp" "$lib/films/a.mp4"
sleep 1.2  # the kernel's entry timeout of a title
tok2=$(grep -o '[0-9a-f]\{32\}' "$mnt/films/a.mp4.hls/360p.m3u8" | head -1)
check_that '[ -n "$tok2" ] && [ "$tok2" != "$tok1" ]' "new token ($tok1 -> $tok2)"
check_that '! cat "$mnt/films/a.mp4.hls/360p-$tok1-0.ts" >/dev/null 2>&1' "the old token's segments are gone"
hls_check "$mnt/films/a.mp4.hls/360p.m3u8" "of the replaced file"

echo "== replaced by one of the same size with its mtime set back: a new token each time"
f=$lib/films/a.mp4 size=$(stat -c %s "$lib/films/a.mp4")
flip_byte() { printf '\x5a' | dd of="$1" bs=1 seek=$((size / 2)) conv=notrunc status=none; }
cp -p "$f" "$d/ref.mp4"
flip_byte "$f" && touch -r "$d/ref.mp4" "$f"  # rewritten in place: only the ctime tells
check_that '[ "$(stat -c %s.%Y "$f")" = "$(stat -c %s.%Y "$d/ref.mp4")" ]' "same size and mtime as before"
sleep 1.2
tok4=$(grep -o '[0-9a-f]\{32\}' "$mnt/films/a.mp4.hls/360p.m3u8" | head -1)
check_that '[ -n "$tok4" ] && [ "$tok4" != "$tok2" ]' "rewritten in place: new token ($tok2 -> $tok4)"
cp -p "$f" "$lib/films/.a.tmp" && flip_byte "$lib/films/.a.tmp" && touch -r "$f" "$lib/films/.a.tmp"
mv "$lib/films/.a.tmp" "$f"  # renamed over: the inode tells
sleep 1.2
tok2=$(grep -o '[0-9a-f]\{32\}' "$mnt/films/a.mp4.hls/360p.m3u8" | head -1)
check_that '[ -n "$tok2" ] && [ "$tok2" != "$tok4" ]' "renamed over: new token ($tok4 -> $tok2)"

echo "== a directory of several listing pages lists each title once"
raw=$(ls -f "$d/mnt/shows/many")  # readdir's own order, "." and ".." included
check_that '[ "$(echo "$raw" | wc -l)" = 302 ] && [ "$(echo "$raw" | sort -u | wc -l)" = 302 ]' \
  "302 names, each once ($(echo "$raw" | wc -l) listed, $(echo "$raw" | sort -u | wc -l) distinct)"
check_that '[ "$(echo "$raw" | grep -c "^t[0-9]\{3\}\.mp4\.hls$")" = 300 ]' "all 300 titles"

echo "== a deleted file is gone"
rm "$lib/b.mkv"
sleep 1.2
check_that '! stat "$mnt/b.mkv.hls" >/dev/null 2>&1' "b.mkv.hls is gone"
check_that '! ls "$mnt" | grep -q b.mkv' "and not listed"

echo "== a restart serves the titles again without probing them"
stop_nginx
stop_daemon "$d"
published=$(grep -c "title published" "$d/hlsfsd.log")
start_daemon "$d" "$lib_yaml"
tok3=$(grep -o '[0-9a-f]\{32\}' "$mnt/films/a.mp4.hls/360p.m3u8" 2>/dev/null | head -1 || true)
check_that '[ "$tok3" = "$tok2" ]' "after the restart, the same title from its record ($tok3)"
check_that '[ "$(grep -c "title published" "$d/hlsfsd.log")" = "$published" ]' "nothing made again"

[ $failed -eq 0 ] || { echo "--- hlsfsd log"; grep -v " info " "$d/hlsfsd.log" | tail -30; }
exit $failed
