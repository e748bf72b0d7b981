#!/usr/bin/env bash
# Every media fixture through the daemon's sandboxed worker processes: the
# probe and a segment of each, in H.264 and H.265, made under the workers'
# seccomp allow-list and Landlock rule. A decoder or encoder that needs a
# system call the list lacks dies with SIGSYS ("refused by the
# sandbox" in the log): this is where it shows, not in production. The broken
# fixtures must still be refused at generate with one line.
source "$(dirname "$0")/lib.sh"
source "$(dirname "$0")/daemon_lib.sh"
[ "$(id -u)" -eq 0 ] || fail "needs root (FUSE mount)"
ensure_fixtures
d=$(mktemp -d /tmp/hlsfs-it.XXXXXX)
cleanup() { stop_daemon "$d"; rm -rf "$d"; }
trap cleanup EXIT
failed=0
mkdir -p "$d/media"
for f in "$FIXTURES"/*; do ln "$f" "$d/media/" 2>/dev/null || cp "$f" "$d/media/"; done
PREFETCH=0 start_daemon "$d"

request() {  # request FILE CODEC
  local video='"Video":{"TranscodeVideo":{"Codec":"'$2'","CRF":30,"Resolution":"320x"}},'
  case $1 in audio.*) video= ;; esac
  cat >"$d/req.json" <<JSON
{"SourceURI":"file://$d/media/$1","Targets":[{"URI":"file://$d/media/out/$1/$2","Duration":5,"InitialTranscode":0,
  $video "Audio":{"TranscodeAudio":{"Codec":"aac","Bitrate":64000}}}]}
JSON
  echo "$d/req.json"
}
for path in "$d"/media/*; do
  f=${path##*/}
  case $f in *.srt|*.vtt|text.avi) continue ;; esac
  for codec in h264 h265; do
    case $f in audio.*) [ $codec = h264 ] || continue ;; esac
    if ! out=$(generate "$d" "$(request "$f" $codec)" 2>&1); then
      case $f in empty.mkv|random_bytes.mp4|truncated.mp4)
        check_that "[ \$(wc -l <<<'$out') -eq 1 ]" "$f refused at generate in one line" ;;
      *) echo "FAIL: $f $codec: generate: $out"; failed=1 ;;
      esac
      continue
    fi
    list=$d/mnt/media/out/$f/$codec.m3u8
    seg=$(grep -m1 '\.ts$' "$list")
    last=$(grep '\.ts$' "$list" | tail -1)
    check_that "head -c 188 '$d/mnt/media/out/$f/$seg' >/dev/null && head -c 188 '$d/mnt/media/out/$f/$last' >/dev/null" \
      "$f $codec: first and last segments made in a worker"
  done
done
check_that "! grep 'refused by the sandbox' '$d/hlsfsd.log'" "no system call refused by the workers' sandbox"
check_that "[ \"\$(metric 'hlsfs_worker_faults_total{kind=\"sandbox\"}')\" = 0 ]" "hlsfs_worker_faults_total{kind=\"sandbox\"} = 0"
exit $failed
