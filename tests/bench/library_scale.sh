#!/usr/bin/env bash
# library_scale (issue 14, the catalog's part): N titles of a two-hour
# source (3 renditions and a master each) in one daemon.
#   - generate throughput of an already-probed source through the API, over
#     one kept-alive connection and over 4 at once (requests/s);
#   - N titles written into the state (library_scale_fill: what generate
#     records, without an API call each);
#   - restart to ready (healthz answers and the mount is up), RSS idle;
#   - a crawl (find + stat of every name): RSS and inodes after it, and
#     after the kernel forgot them (drop_caches);
#   - open + read of a cached segment of a cold title (its rendition not
#     in memory: rebuilt from the state, its own probe parsed) against the
#     same segment warm (the kernel's dentries dropped both times).
# Timing parts run RUNS times (median, min, max) under the cpu lock.
# Usage: tests/bench/library_scale.sh BUILD_DIR [--titles N] [--runs R] [--opens K] [--scratch DIR] [--only generate|titles]
#   defaults: 100000 titles, 5 runs, 20 cold opens, /tmp, both parts. As root (FUSE, drop_caches).
#   --only generate: the throughput part alone (a minute); --only titles: the rest.
set -euo pipefail
BUILD=$(cd "${1:?usage: library_scale.sh BUILD_DIR [--titles N] [--runs R] [--opens K] [--scratch DIR] [--only generate|titles]}" && pwd)
shift
TITLES=100000 RUNS=5 OPENS=20 SCRATCH=/tmp ONLY=
while [ $# -gt 0 ]; do
  case $1 in
    --only) ONLY=$2; shift 2 ;;
    --titles) TITLES=$2; shift 2 ;;
    --runs) RUNS=$2; shift 2 ;;
    --opens) OPENS=$2; shift 2 ;;
    --scratch) SCRATCH=$2; shift 2 ;;
    *) echo "unknown option $1" >&2; exit 2 ;;
  esac
done
export BUILD
source "$(dirname "$0")/../integration/lib.sh"
source "$(dirname "$0")/../integration/daemon_lib.sh"
ensure_fixtures
d=$(mktemp -d "$SCRATCH/library_scale.XXXXXX")
cleanup() { stop_daemon "$d"; rm -rf "$d"; }
trap cleanup EXIT
CPU_LOCK=/tmp/hlsfs-cpu.lock
stats() { python3 -c "
import statistics, sys
x = [float(v) for v in sys.argv[2:]]
print('%s: median %.3f (min %.3f, max %.3f, %d runs)' % (sys.argv[1], statistics.median(x), min(x), max(x), len(x)))" "$@"; }
rss_mib() { awk '/^VmRSS/ {printf "%.1f", $2 / 1024}' "/proc/$DAEMON_PID/status"; }
forget_all() { sync; echo 2 >/proc/sys/vm/drop_caches; sleep 1; }
# RocksDB's part of it (hlsfs_state_memory_bytes{part}), MiB each.
state_mib() {
  curl -s "http://127.0.0.1:$METRICS_PORT/metrics" |
    awk -F'[{}"= ]+' '/^hlsfs_state_memory_bytes\{/ {printf "%s%s %.1f", sep, $3, $4 / 1048576; sep=", "}'
}

echo "== a two-hour source: a 640x360 clip with a 2 s GOP looped by stream copy"
mkdir -p "$d/media"
ffmpeg -nostdin -v error -y -f lavfi -i "testsrc2=size=640x360:rate=25" -f lavfi -i "sine=frequency=440:sample_rate=48000" \
  -t 30 -c:v libx264 -preset ultrafast -g 50 -c:a aac -b:a 64k "$d/clip.mp4"
ffmpeg -nostdin -v error -y -stream_loop 239 -i "$d/clip.mp4" -c copy "$d/media/movie.mp4"
ffprobe -v error -show_entries format=duration,size -of csv=p=0 "$d/media/movie.mp4" | sed 's/^/   duration,size: /'

request() {  # request TITLE_DIR -> a 3-rendition request with a master
  local t=$d/media/$1
  printf '{"SourceURI":"file://%s/media/movie.mp4","MasterURI":"file://%s/master.m3u8","Targets":[' "$d" "$t"
  printf '{"URI":"file://%s/720p","Video":{"TranscodeVideo":{"CRF":26,"Resolution":"1280x"}},"Audio":{"TranscodeAudio":{"Codec":"aac","Bitrate":96000}}},' "$t"
  printf '{"URI":"file://%s/480p","Video":{"TranscodeVideo":{"CRF":26,"Resolution":"854x"}},"Audio":{"TranscodeAudio":{"Codec":"aac","Bitrate":96000}}},' "$t"
  printf '{"URI":"file://%s/360p","Video":{"TranscodeVideo":{"CRF":26,"Resolution":"640x"}},"Audio":{"TranscodeAudio":{"Codec":"aac","Bitrate":96000}}}]}' "$t"
}

[ -z "$ONLY" ] || [ "$ONLY" = generate ] || [ "$ONLY" = titles ] || { echo "--only: generate or titles" >&2; exit 2; }
start_daemon "$d"
request lib/t000000 >"$d/req.json"
t0=$(date +%s.%N)
generate "$d" "$d/req.json" >/dev/null
echo "   first generate (probe included): $(python3 -c "print('%.2f' % ($(date +%s.%N) - $t0))") s"

# generate_rate CONNECTIONS COUNT TAG -> requests/s: COUNT generates of the
# probed source (new titles "g<TAG>-<i>"), over CONNECTIONS kept-alive connections.
generate_rate() {
  flock "$CPU_LOCK" python3 - "$d/control.sock" "$d" "$1" "$2" "$3" <<'PY'
import http.client, json, socket, sys, threading, time
sock, d, conns, count, tag = sys.argv[1], sys.argv[2], int(sys.argv[3]), int(sys.argv[4]), sys.argv[5]
class Unix(http.client.HTTPConnection):
    def connect(self):
        self.sock = socket.socket(socket.AF_UNIX); self.sock.connect(sock)
def body(i):
    t = "%s/media/gen/g%s-%d" % (d, tag, i)
    tgt = lambda n, w: {"URI": "file://%s/%s" % (t, n), "Video": {"TranscodeVideo": {"CRF": 26, "Resolution": "%dx" % w}},
                        "Audio": {"TranscodeAudio": {"Codec": "aac", "Bitrate": 96000}}}
    return json.dumps({"SourceURI": "file://%s/media/movie.mp4" % d, "MasterURI": "file://%s/master.m3u8" % t,
                       "Targets": [tgt("720p", 1280), tgt("480p", 854), tgt("360p", 640)]})
errors = []
def worker(k):
    c = Unix("hlsfs")
    for i in range(k, count, conns):
        c.request("POST", "/v1/GenerateVideoPlaylist", body(i), {"Content-Type": "application/json"})
        r = c.getresponse(); data = r.read()
        if r.status != 200: errors.append(data[:200])
t0 = time.monotonic()
ts = [threading.Thread(target=worker, args=(k,)) for k in range(conns)]
for t in ts: t.start()
for t in ts: t.join()
s = time.monotonic() - t0
if errors: sys.exit("generate failed: %r" % errors[0])
print("%.1f" % (count / s))
PY
}

if [ "$ONLY" != titles ]; then  # the titles part copies the first generate's title
echo "== generate throughput, probed source (200 requests a run)"
for c in 1 4; do
  rates=()
  for r in $(seq "$RUNS"); do rates+=("$(generate_rate $c 200 "c$c-r$r")"); done
  stats "   generate, $c connection(s), requests/s" "${rates[@]}"
done
fi
stop_daemon "$d"
[ "$ONLY" != generate ] || exit 0

echo "== $TITLES titles written into the state"
# Every PROBE_EVERY-th title has a probe of its own: the cold opens below
# take OPENS of them (a title sharing a probe would find it loaded).
PROBE_EVERY=$(( TITLES / OPENS < 1000 ? TITLES / OPENS : 1000 ))
[ "$PROBE_EVERY" -ge 1 ] || { echo "--opens: at most --titles" >&2; exit 2; }
flock "$CPU_LOCK" "$BUILD/bin/library_scale_fill" "$d/state" media "$d/media" 1 "$TITLES" "$PROBE_EVERY"
du -sh "$d/state" | sed 's/^/   state: /'

echo "== restart to ready ($RUNS runs)"
readies=()
for r in $(seq "$RUNS"); do
  exec 8>"$CPU_LOCK"; flock 8  # held while the daemon starts
  t0=$(date +%s.%N)
  start_daemon "$d" 8>&-  # the daemon must not inherit (and keep) the lock
  exec 8>&-
  readies+=("$(python3 -c "print('%.3f' % ($(date +%s.%N) - $t0))")")
  [ "$r" = "$RUNS" ] || stop_daemon "$d"
done
stats "   restart to ready, s" "${readies[@]}"
echo "   renditions: $(metric hlsfs_renditions)"
sleep 2
idle=$(rss_mib)
echo "   RSS idle after start: $idle MiB (state: $(state_mib) MiB)"

echo "== crawl: find + stat of every name"
t0=$(date +%s)
flock "$CPU_LOCK" bash -c "find '$d/mnt/media/lib' -type f -print0 | xargs -0 stat -c %s | wc -l" | sed 's/^/   files: /'
echo "   crawl took $(( $(date +%s) - t0 )) s; RSS $(rss_mib) MiB, inodes $(metric hlsfs_fuse_inodes), catalog cache $(metric hlsfs_catalog_cache_entries) entries / $(metric hlsfs_catalog_cache_bytes) bytes"
forget_all
echo "   state memory after the crawl: $(state_mib) MiB"
echo "   after the kernel forgot: RSS $(rss_mib) MiB, inodes $(metric hlsfs_fuse_inodes)"

echo "== open of a cold title's cached segment vs the same segment warm"
# OPENS titles with a probe of their own: segment 3 of 360p made now.
picks=$(seq "$PROBE_EVERY" "$PROBE_EVERY" "$TITLES" | head -"$OPENS")
segs=()
for i in $picks; do
  t=$d/mnt/media/lib/$(printf 't%06d' "$i")
  s=$(grep '\.ts$' "$t/360p.m3u8" | sed -n 4p)
  cat "$t/$s" >/dev/null
  segs+=("$t/$s")
done
stop_daemon "$d"
start_daemon "$d"  # nothing of those titles in memory now
forget_all
flock "$CPU_LOCK" python3 - "${segs[@]}" <<'PY' >"$d/open.txt"
import os, subprocess, sys, time
def open_read(p):
    t0 = time.monotonic()
    with open(p, "rb") as f:
        f.read()
    return (time.monotonic() - t0) * 1000
for p in sys.argv[1:]:
    cold = open_read(p)
    subprocess.run(["bash", "-c", "sync; echo 2 >/proc/sys/vm/drop_caches"], check=True)  # the kernel forgets, the catalog keeps
    warm = open_read(p)
    print("%.3f %.3f" % (cold, warm))
PY
cold=$(awk '{print $1}' "$d/open.txt") warm=$(awk '{print $2}' "$d/open.txt") diff=$(awk '{print $1 - $2}' "$d/open.txt")
stats "   cold title open+read, ms" $cold
stats "   warm title open+read, ms" $warm
stats "   cold - warm, ms" $diff
stop_daemon "$d"
