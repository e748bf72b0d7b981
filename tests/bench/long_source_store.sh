#!/usr/bin/env bash
# The first generate of a two-hour source in an object store (issue 14:
# <= 1.5 s, fetching <= the container's index + 4 MiB; MPEG-TS, which has no
# index: <= 16 MiB), per container (MP4, MKV, MPEG-TS, AVI), side by side with
# ffprobe of the same file (a local copy, and the object over HTTP).
# The store is moto_server with signatures enforced, reached through
# tests/integration/stall_proxy.py, which counts the bytes moto served.
# ffprobe cannot sign its requests, and this moto fails presigned URLs
# (HTTP 500) while it enforces signatures: it reads a copy of the object in
# a second moto without authentication, through a counting proxy too.
# Every timed generate is of a fresh key (a server-side copy of the object),
# so the daemon probes it; one untimed generate first warms the daemon up.
#
# moto reads the whole object for every ranged GET, so its time grows with
# the object's size and hides the daemon's: the number of GETs and moto's
# time for one ranged GET of that object alone (boto3, 256 KiB from its
# middle) are printed, with what that makes of the median.
# Hence the default sources: a 12 s clip with the frame rate, GOP and audio
# of the 1080p30 fixture (30 fps, 2 s, AAC 48 kHz; for AVI: the MPEG-4/MP3
# fixture's 25 fps, 44.1 kHz) at 320x180 and tens of kbit/s, looped to two
# hours by stream copy: the same index as the 1080p one (a sample per frame,
# whatever its size) in about 90 MB. --clip FILE (and --clip-avi) take the
# fixtures themselves (a 5 GB object: about 16 s of moto per GET).
#
# Usage: tests/bench/long_source_store.sh BUILD_DIR [--runs N] [--formats "mp4 mkv ts avi"]
#          [--clip MP4] [--clip-avi AVI] [--scratch DIR]        (as root: FUSE mount)
#   defaults: 5 runs, every format, /tmp.
set -euo pipefail
BUILD=$(cd "${1:?usage: long_source_store.sh BUILD_DIR [--runs N] [--formats LIST] [--clip MP4] [--clip-avi AVI] [--scratch DIR]}" && pwd)
shift
RUNS=5 FORMATS="mp4 mkv ts avi" CLIP= CLIP_AVI= SCRATCH=/tmp
while [ $# -gt 0 ]; do
  case $1 in
    --runs) RUNS=$2; shift 2 ;;
    --formats) FORMATS=$2; shift 2 ;;
    --clip) CLIP=$2; shift 2 ;;
    --clip-avi) CLIP_AVI=$2; shift 2 ;;
    --scratch) SCRATCH=$2; shift 2 ;;
    *) echo "unknown option $1" >&2; exit 2 ;;
  esac
done
export BUILD
source "$(dirname "$0")/../integration/lib.sh"
source "$(dirname "$0")/../integration/daemon_lib.sh"
source "$(dirname "$0")/../integration/moto_lib.sh"
d=$(mktemp -d "$SCRATCH/long_store.XXXXXX")
cleanup() {
  stop_daemon "$d"
  stop_stall_proxies
  stop_moto
  rm -rf "$d" "$MOTO_STATE_DIR"
}
trap cleanup EXIT
ff="ffmpeg -nostdin -hide_banner -loglevel error -y"

if [ -z "$CLIP" ]; then
  CLIP=$d/clip.mp4
  $ff -f lavfi -i testsrc2=size=320x180:rate=30 -f lavfi -i sine=frequency=440:sample_rate=48000 -t 12 \
    -c:v libx264 -preset veryfast -g 60 -b:v 60k -pix_fmt yuv420p -c:a aac -b:a 32k "$CLIP"
fi
if [ -z "$CLIP_AVI" ]; then
  CLIP_AVI=$d/clip.avi
  $ff -f lavfi -i testsrc2=size=320x180:rate=25 -f lavfi -i sine=frequency=300:sample_rate=44100 -t 12 \
    -c:v mpeg4 -q:v 31 -c:a libmp3lame -b:a 32k "$CLIP_AVI"
fi

start_moto "$(free_port)" >/dev/null || fail "moto"
moto_bucket "$MOTO_ENDPOINT" long || fail "bucket"
moto_enforced long || fail "moto does not enforce signatures"
export PROXY_PORT=$(free_port)
start_stall_proxy "$d/proxy.log" "$PROXY_PORT" "${MOTO_ENDPOINT##*:}" "$d/no-stall" - "$d/served" || fail "proxy"
touch "$d/served"
start_moto_open "$(free_port)" || fail "moto (open)"
moto_bucket "$MOTO_OPEN_ENDPOINT" long || fail "bucket (open)"
export OPEN_PROXY_PORT=$(free_port)
start_stall_proxy "$d/proxy-open.log" "$OPEN_PROXY_PORT" "${MOTO_OPEN_ENDPOINT##*:}" "$d/no-stall" - "$d/served-open" ||
  fail "proxy (open)"
touch "$d/served-open"
PREFETCH=0 start_daemon "$d" "  s3: {plugin: s3, bucket: long, endpoint: \"http://127.0.0.1:$PROXY_PORT\", region: us-east-1,
       access_key_id: $MOTO_ACCESS_KEY_ID, secret_access_key: \"$MOTO_SECRET_ACCESS_KEY\"}"

for fmt in $FORMATS; do
  clip=$CLIP
  [ "$fmt" = avi ] && clip=$CLIP_AVI
  clip_s=$(ffprobe -v error -show_entries format=duration -of csv=p=0 "$clip")
  loops=$(python3 -c "import math; print(math.ceil(7200 / $clip_s) - 1)")
  src=$d/long.$fmt
  $ff -stream_loop "$loops" -i "$clip" -c copy "$src"
  index=$(python3 "$REPO/tests/tools/container-index-size" "$src")
  REPO=$REPO python3 - "$fmt" "$src" "$index" "$RUNS" "$d" <<'PY'
import json, os, statistics, subprocess, sys, time
sys.path.insert(0, os.path.join(os.environ["REPO"], "tests", "bench"))
from bench_lib import bytes_read
import boto3
from boto3.s3.transfer import TransferConfig
from botocore.config import Config

fmt, src, index, runs, d = sys.argv[1], sys.argv[2], int(sys.argv[3]), int(sys.argv[4]), sys.argv[5]
bucket, base = "long", "src/base." + fmt
def client(endpoint):
    return boto3.client("s3", endpoint_url=endpoint, region_name="us-east-1",
                        aws_access_key_id=os.environ["MOTO_ACCESS_KEY_ID"],
                        aws_secret_access_key=os.environ["MOTO_SECRET_ACCESS_KEY"],
                        config=Config(signature_version="s3v4"))
moto, open_moto = client(os.environ["MOTO_ENDPOINT"]), client(os.environ["MOTO_OPEN_ENDPOINT"])
size = os.path.getsize(src)
# Big parts: moto reads the whole object for each part of a copy.
big_parts = TransferConfig(multipart_threshold=(5 << 30) - 1, multipart_chunksize=1 << 30)
moto.upload_file(src, bucket, base, Config=big_parts)  # straight to moto: not counted
open_moto.upload_file(src, bucket, base, Config=big_parts, ExtraArgs={"ACL": "public-read"})

def mark(count="served"):
    with open(d + "/" + count) as f:
        return sum(1 for _ in f)

def served(since, key, count="served"):
    """(GETs, HEADs, body bytes, seconds) moto served for key since line
    `since`; seconds: while moto was answering (from a request to its
    reply's head; overlapping requests counted once). The proxy counts a
    reply a moment after its last byte left."""
    time.sleep(0.2)
    gets = heads = body = 0
    spans = []
    with open(d + "/" + count) as f:
        for line in list(f)[since:]:
            method, target, status, n, _, sent, head = line.split()
            if not target.split("?")[0].endswith("/" + key):
                continue
            gets += method == "GET"
            heads += method == "HEAD"
            body += int(n)
            spans.append((float(sent), float(head)))
    busy, end = 0.0, 0.0
    for a, b in sorted(spans):
        busy += max(0.0, b - max(a, end))
        end = max(end, b)
    return gets, heads, body, busy

def generate(key, name):
    req = "%s/%s.json" % (d, name)
    with open(req, "w") as f:
        json.dump({"SourceURI": "s3://%s/%s" % (bucket, key), "Targets": [{
            "URI": "file://%s/media/out/%s/v" % (d, name), "Duration": 10, "InitialTranscode": 0,
            "Video": {"TranscodeVideo": {"CRF": 26, "FrameRate": 25, "Resolution": "1280x"}},
            "Audio": {"TranscodeAudio": {"Codec": "aac", "Bitrate": 128000}}}]}, f)
    out = subprocess.run(["curl", "-s", "-o", "%s/%s.out" % (d, name), "-w", "%{http_code} %{time_total}",
                          "--max-time", "3600", "--unix-socket", d + "/control.sock", "--data-binary", "@" + req,
                          "http://hlsfs/v1/GenerateVideoPlaylist"], capture_output=True, text=True).stdout.split()
    if out[0] != "200":
        sys.exit("generate of %s: HTTP %s: %s" % (key, out[0], open("%s/%s.out" % (d, name)).read()[:300]))
    return float(out[1])

def timed(cmd):
    t0 = time.monotonic()
    subprocess.run(cmd, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, check=True)
    return time.monotonic() - t0

def stats(xs, unit="s"):
    return "median %.3f %s (min %.3f, max %.3f)" % (statistics.median(xs), unit, min(xs), max(xs))

mib = lambda n: n / 2**20
limit = 16 << 20 if fmt == "ts" else index + (4 << 20)
print("%s: %.0f MiB object, %s (bound on the bytes fetched: %.2f MiB)" % (
    fmt, mib(size), "no index" if fmt == "ts" else "container index %.2f MiB" % mib(index), mib(limit)), flush=True)

# moto alone: one ranged GET of 256 KiB from the middle of this object.
one_get = []
for _ in range(3):
    t0 = time.monotonic()
    moto.get_object(Bucket=bucket, Key=base, Range="bytes=%d-%d" % (size // 2, size // 2 + (256 << 10) - 1))["Body"].read()
    one_get.append(time.monotonic() - t0)
get_s = statistics.median(one_get)

generate(base, "warmup")
times, fetched, gets, heads, motos = [], [], [], [], []
for r in range(runs):
    key = "src/run%d.%s" % (r, fmt)
    moto.copy({"Bucket": bucket, "Key": base}, bucket, key, Config=big_parts)  # a new key: not probed before
    since = mark()
    times.append(generate(key, "run%d" % r))
    g, h, b, m = served(since, key)
    gets.append(g); heads.append(h); fetched.append(b); motos.append(m)
    moto.delete_object(Bucket=bucket, Key=key)
within = max(fetched) <= limit
print("  hlsfs generate via S3  : %s, %d GETs + %d HEAD, fetched %.2f MiB (max %.2f: %s the bound)" % (
    stats(times), statistics.median(gets), statistics.median(heads), mib(statistics.median(fetched)),
    mib(max(fetched)), "within" if within else "OVER"), flush=True)
print("    of which moto answering: %s (one ranged GET of this object alone: %.3f s, median of 3); the rest: %s" % (
    stats(motos), get_s, stats([t - m for t, m in zip(times, motos)])), flush=True)

ffprobe = ["ffprobe", "-v", "error", "-show_format", "-show_streams"]
local = [timed(ffprobe + [src]) for _ in range(runs)]
print("  ffprobe, local file    : %s, read %.2f MiB" % (
    stats(local), mib(bytes_read(" ".join(ffprobe) + " '%s'" % src))), flush=True)

url = "http://127.0.0.1:%s/%s/%s" % (os.environ["OPEN_PROXY_PORT"], bucket, base)
remote, rgets, rbytes, rmoto = [], [], [], []
for _ in range(runs):
    since = mark("served-open")
    try:
        remote.append(timed(ffprobe + [url]))
    except subprocess.CalledProcessError as e:
        print("  ffprobe over HTTP      : failed: %s" % e.stderr.decode().strip()[:200])
        break
    g, _, b, m = served(since, base, "served-open")
    rgets.append(g); rbytes.append(b); rmoto.append(m)
else:
    print("  ffprobe over HTTP      : %s, %d GETs, served %.2f MiB (moto answering: %s)" % (
        stats(remote), statistics.median(rgets), mib(statistics.median(rbytes)), stats(rmoto)), flush=True)
moto.delete_object(Bucket=bucket, Key=base)
open_moto.delete_object(Bucket=bucket, Key=base)
PY
  rm -f "$src"
done
