#!/usr/bin/env bash
# Many nodes, one bucket (issue 17): moto with signatures enforced; 3 hlsfsd
# nodes (own mount, state, cache, metrics port), each behind its own signed
# nginx site; a front nginx from `hlsfsctl nginx-site --cluster`.
#  - titles generated through node 1 play through the front (hls-check), their
#    records are in the bucket, every segment made once in the cluster
#    (sum of hlsfs_segments_transcoded_total = segments read), spread over
#    all 3 nodes; hls.js in chromium plays a master through the front and seeks;
#  - SIGKILL of node 2 while 2 titles are read through the front: every title
#    still passes hls-check through the front; the stall is printed;
#  - a 4th node started afterwards (empty state) serves every title at once,
#    from the bucket's records and copies (nothing transcoded);
#  - remote expiry on node 1 deletes a copy nobody read, keeps one node 4
#    keeps reading.
# Figures (printed): bucket requests per segment, the failover stall.
source "$(dirname "$0")/lib.sh"
source "$(dirname "$0")/daemon_lib.sh"
source "$(dirname "$0")/moto_lib.sh"
[ "$(id -u)" -eq 0 ] || fail "needs root (FUSE mount with allow_other, nginx)"
ensure_fixtures
d=$(mktemp -d /tmp/hlsfs-cluster.XXXXXX)
declare -A NODE_PID NGINX_OF METRICS_OF SITE_PORT
FRONT_PID= reader=
cleanup() {
  [ -z "$reader" ] || kill "$reader" 2>/dev/null || true
  [ -z "$FRONT_PID" ] || kill "$FRONT_PID" 2>/dev/null || true
  local n
  for n in "${!NGINX_OF[@]}"; do kill "${NGINX_OF[$n]}" 2>/dev/null || true; done
  for n in "${!NODE_PID[@]}"; do
    DAEMON_PID=${NODE_PID[$n]} stop_daemon "$d/$n"
  done
  stop_moto; rm -rf "$d"
}
trap cleanup EXIT
failed=0
secret=$(head -c 24 /dev/urandom | od -An -tx1 | tr -d ' \n')
FRONT_PORT=$(free_port)

start_moto "$(free_port)" || fail "moto"
moto_bucket "$MOTO_ENDPOINT" media || fail "bucket"
moto_enforced media || fail "moto does not enforce signatures"
s3() { moto_s3 media "$@"; }
s3 put "$FIXTURES/anamorphic.mkv" src/a.mkv  # 6 s, 720x576

# start_node NAME [more yaml]: hlsfsd in $d/NAME with the shared bucket as store
# "s3"; transcoder.prefetch_segments left out: a cluster node's default is 0
# (the next segment usually hashes to another node: prefetching it here
# would make it twice; the "made once" checks below fail otherwise).
start_node() {
  local n=$1 dir=$d/$1 port
  mkdir -p "$dir"
  port=$(free_port)
  METRICS_OF[$n]=$port
  METRICS_PORT=$port write_config "$dir" "  s3: {plugin: s3, bucket: media, endpoint: \"$MOTO_ENDPOINT\", region: us-east-1, access_key_id: $MOTO_ACCESS_KEY_ID, secret_access_key: \"$MOTO_SECRET_ACCESS_KEY\", request_timeout: 5, retries: 1}
signing: {secret: $secret, base_url: \"http://127.0.0.1:$FRONT_PORT\"}
cluster: {node: $n, usage_interval: 1s}
${2:-}"
  sed -i 's/, prefetch_segments: [0-9]*//' "$dir/hlsfs.yaml"
  "$HLSFSD" --config "$dir/hlsfs.yaml" >>"$dir/hlsfsd.log" 2>&1 &
  NODE_PID[$n]=$!
  for _ in $(seq 100); do
    curl -sf --unix-socket "$dir/control.sock" http://hlsfs/healthz >/dev/null 2>&1 && mountpoint -q "$dir/mnt" && break
    kill -0 "${NODE_PID[$n]}" 2>/dev/null || { cat "$dir/hlsfsd.log"; fail "hlsfsd $n exited"; }
    sleep 0.1
  done
  # Its own signed site (what every node runs), on a port of its own.
  SITE_PORT[$n]=$(free_port)
  mkdir -p "$dir/nginx"
  HLSFSCTL=$BUILD/bin/hlsfsctl "$REPO/scripts/nginx-conf.sh" "$dir/nginx" "${SITE_PORT[$n]}" "$dir/mnt" "$dir/hlsfs.yaml" \
    >"$dir/nginx/nginx.conf"
  nginx -c "$dir/nginx/nginx.conf" &
  NGINX_OF[$n]=$!
  for _ in $(seq 50); do curl -s -o /dev/null "http://127.0.0.1:${SITE_PORT[$n]}/" && return 0; sleep 0.1; done
  cat "$dir/nginx/error.log"; fail "nginx of $n did not start"
}
node_metric() {  # node_metric NODE NAME -> value (0 when the node is gone)
  curl -s "http://127.0.0.1:${METRICS_OF[$1]}/metrics" | awk -v n="$2" '$1==n {print $2}' | grep . || echo 0
}
sum_metric() {  # sum_metric NAME NODE...
  local name=$1 total=0 n; shift
  for n in "$@"; do total=$((total + $(node_metric "$n" "$name"))); done
  echo $total
}
ctl() { local n=$1; shift; "$BUILD/bin/hlsfsctl" --config "$d/$n/hlsfs.yaml" "$@"; }
# check_titles WHAT URL_FUNCTION TITLE...: hls_check of each title, all at
# once (each waits mostly on the network); the lines in title order.
check_titles() {
  local what=$1 url_of=$2 t pids=
  shift 2
  for t in "$@"; do (hls_check "$($url_of "$t")" "t$t $what" >"$d/check$t.out") & pids="$pids $!"; done
  wait $pids || true
  for t in "$@"; do
    cat "$d/check$t.out"
    if ! grep -q '^ok' "$d/check$t.out"; then failed=1; fi
  done
}
moto_log=$MOTO_STATE_DIR/moto-${MOTO_ENDPOINT##*:}.log
# bucket_requests FROM_LINE: moto's requests since that line of its log, by kind.
bucket_requests() {
  tail -n +"$1" "$moto_log" | python3 -c '
import collections, re, sys
c = collections.Counter()
for line in sys.stdin:
    m = re.search(r"\"(GET|PUT|HEAD|DELETE|POST) /media/?([^ ?]*)(\?[^ ]*)? HTTP[^\"]*\" (\d+)", line)
    if not m:
        continue
    verb, key, query, status = m.groups()
    what = ("LIST" if verb == "GET" and (query or "").find("list-type") >= 0 or verb == "GET" and key == "" else verb)
    kind = ("source" if key.startswith("src/") else "record" if "/.hlsfs/" in key and "/used/" not in key
            else "usage" if "/used/" in key else "segment" if key.endswith(".ts") else "playlist" if key.endswith(".m3u8")
            else "other")
    c[what + " " + kind + ("" if status.startswith("2") else " " + status)] += 1
print(", ".join("%s: %d" % kv for kv in sorted(c.items())) or "none")'
}
log_mark() { wc -l <"$moto_log"; }

start_node n1
start_node n2
start_node n3
nodes="n1 n2 n3"

# The front, as shipped.
mkdir -p "$d/front"
front_site=$(ctl n1 nginx-site --cluster "127.0.0.1:${SITE_PORT[n1]},127.0.0.1:${SITE_PORT[n2]},127.0.0.1:${SITE_PORT[n3]}" \
  --listen "127.0.0.1:$FRONT_PORT" --tries 2) || fail "nginx-site --cluster"
cat >"$d/front/nginx.conf" <<CONF
daemon off;
worker_processes 4;
user root;
pid $d/front/nginx.pid;
error_log $d/front/error.log warn;
events { worker_connections 256; }
http {
  access_log $d/front/access.log combined;
  client_body_temp_path $d/front; proxy_temp_path $d/front; fastcgi_temp_path $d/front;
  uwsgi_temp_path $d/front; scgi_temp_path $d/front;
$front_site
}
CONF
nginx -t -c "$d/front/nginx.conf" 2>"$d/front/t.log" || { cat "$d/front/t.log"; fail "the front's configuration"; }
nginx -c "$d/front/nginx.conf" &
FRONT_PID=$!
for _ in $(seq 50); do curl -s -o /dev/null "http://127.0.0.1:$FRONT_PORT/" && break; sleep 0.1; done
check_that "ctl n1 status | grep >/dev/null 'cluster   node n1; shared stores: s3 (s3 bucket media)'" "hlsfsctl status names the node and the shared store"

echo "== three titles generated through node 1"
for t in 1 2 3; do
  cat >"$d/t$t.json" <<JSON
{"SourceURI":"s3://media/src/a.mkv","MasterURI":"s3://media/out/t$t/master.m3u8",
 "Targets":[{"URI":"s3://media/out/t$t/v","Duration":5,"InitialSegments":[1,1,1,1,1],"InitialTranscode":0,
   "Video":{"TranscodeVideo":{"CRF":$((30 + t)),"FrameRate":25,"Resolution":"320x"}},
   "Audio":{"TranscodeAudio":{"Codec":"aac","Bitrate":64000}}}]}
JSON
  generate "$d/n1" "$d/t$t.json" >/dev/null || fail "generate t$t"
done
tok1=$(grep -o '[0-9a-f]\{32\}' "$d/n1/mnt/s3/out/t1/v.m3u8" | head -1)
per_title=$(grep -c '\.ts$' "$d/n1/mnt/s3/out/t1/v.m3u8")
records=$(s3 list out/t1/.hlsfs/)
check_that "grep -x >/dev/null 'out/t1/.hlsfs/$tok1.json' <<<'$records' && grep -x >/dev/null 'out/t1/.hlsfs/master.m3u8.json' <<<'$records'" \
  "the title's records are in the bucket: $(sed "s#$tok1#<token>#" <<<"$records" | tr '\n' ' ')"
read_all() {  # read_all URL OUT: every segment of the master's first rendition, one at a time, each timed
  python3 - "$1" >"$2" 2>&1 <<'PY'
import sys, time, urllib.request
from urllib.parse import urljoin
def get(u):
    with urllib.request.urlopen(u, timeout=120) as r:
        return r.read()
master = sys.argv[1]
media = urljoin(master, [l for l in get(master).decode().splitlines() if l and not l.startswith("#")][0])
for l in get(media).decode().splitlines():
    if l and not l.startswith("#"):
        t = time.monotonic()
        try:
            n = len(get(urljoin(media, l)))
            print("ok %d %.2f %s" % (n, time.monotonic() - t, l))
        except Exception as e:
            print("error %s %.2f %s" % (e, time.monotonic() - t, l))
PY
}
s3 get "out/t1/.hlsfs/$tok1.json" "$d/record.json"
s3 get out/t1/.hlsfs/master.m3u8.json "$d/master-record.json"
echo "     figure: record sizes: rendition $(wc -c <"$d/record.json") bytes, master $(wc -c <"$d/master-record.json") bytes (6 s source)"
url() { ctl n1 sign "/s3/out/t$1/${2:-v}.m3u8"; }  # url TITLE [master]

echo "== title 1 through the front, cold"
sleep 0.5  # moto logs a request when it ends: the checks' listings above stay out
mark=$(log_mark)
t0=$(date +%s.%N)
hls_check "$(url 1)" "t1 through the front"
t1=$(date +%s.%N)
made=$(sum_metric hlsfs_segments_transcoded_total $nodes)
check_that "[ $made -ge $per_title ] && [ $made -le $((per_title + 1)) ]" \
  "made once in the cluster: $made transcoded for $per_title segments read (one more allowed: the documented race)"
echo "     per node: $(for n in $nodes; do echo -n "$n=$(node_metric $n hlsfs_segments_transcoded_total) "; done)"
echo "     figure: $per_title cold segments in $(awk -v a="$t0" -v b="$t1" 'BEGIN {printf "%.1f", b - a}') s through the 3-node front"
echo "     figure: bucket requests for them: $(bucket_requests "$mark")"

echo "== titles 2 and 3 through the front"
hls_check "$(url 2)" "t2 through the front"
hls_check "$(url 3)" "t3 through the front"
made=$(sum_metric hlsfs_segments_transcoded_total $nodes)
check_that "[ $made -ge $((3 * per_title)) ] && [ $made -le $((3 * per_title + 2)) ]" \
  "made once in the cluster: $made transcoded for $((3 * per_title)) segments"

echo "== hls.js in chromium plays a cold title's master through the front, and seeks"
# 12 s (play.mjs seeks to 80 % and plays on 1.5 s).
s3 put "$FIXTURES/h264_aac_1080p30.mp4" src/b.mp4
sed "s#/t1/#/t13/#g; s#src/a.mkv#src/b.mp4#" "$d/t1.json" >"$d/t13.json"
generate "$d/n1" "$d/t13.json" >/dev/null || fail "generate t13"
# The player page of n1's own site; every media request goes to the front.
if node "$REPO/tests/browser/play.mjs" "http://127.0.0.1:${SITE_PORT[n1]}/player/" "$(url 13 master)" >"$d/play.out" 2>&1; then
  echo "ok   played from 0 and after a seek: $(tail -1 "$d/play.out")"
else
  echo "FAIL: hls.js through the front:"; sed 's/^/     /' "$d/play.out"; failed=1
fi

# Over every segment read so far, 4 titles (a node's share of the ring is near 1/3).
spread=1
for n in $nodes; do [ "$(node_metric $n hlsfs_segments_transcoded_total)" -gt 0 ] || spread=0; done
check_that "[ $spread = 1 ]" "segments spread over all 3 nodes: $(for n in $nodes; do echo -n "$n=$(node_metric $n hlsfs_segments_transcoded_total) "; done)"

if [ -n "${CLUSTER_FIGURES:-}" ]; then  # not in CI: a minute more
  echo "== figure: cold segments per second, 3 nodes behind the front vs node 1 alone"
  for t in 7 8 9 10 11 12; do
    sed "s#/t1/#/t$t/#g; s#\"CRF\":31#\"CRF\":$((30 + t))#" "$d/t1.json" >"$d/t$t.json"
    generate "$d/n1" "$d/t$t.json" >/dev/null || fail "generate t$t"
  done
  site_url() { url "$1" master | sed "s#127.0.0.1:$FRONT_PORT#127.0.0.1:$2#"; }
  for run in "front:$FRONT_PORT:7 8 9" "n1:${SITE_PORT[n1]}:10 11 12"; do
    IFS=: read -r name port titles <<<"$run"
    t0=$(date +%s.%N); pids=
    for t in $titles; do read_all "$(site_url "$t" "$port")" "$d/fig$t.out" & pids="$pids $!"; done
    wait $pids
    t1=$(date +%s.%N)
    n=$(cat $(for t in $titles; do echo "$d/fig$t.out"; done) | grep -c '^ok')
    echo "     figure: $name: $n cold segments (3 readers at once) in $(awk -v a="$t0" -v b="$t1" 'BEGIN {printf "%.1f s: %.2f segments/s", b - a, '"$n"' / (b - a)}')"
  done
  echo "== figure: the records of a 2-hour title (a 10 s clip looped by stream copy: a keyframe every 2 s)"
  ff="ffmpeg -nostdin -hide_banner -loglevel error -y"
  $ff -f lavfi -i testsrc2=size=320x240:rate=25 -f lavfi -i sine=frequency=440:sample_rate=48000 -t 10 \
    -c:v libx264 -preset veryfast -g 50 -b:v 100k -c:a aac -b:a 32k "$d/clip.mp4"
  $ff -stream_loop 719 -i "$d/clip.mp4" -c copy "$d/n1/media/long.mp4"
  sed "s#s3://media/src/a.mkv#file://$d/n1/media/long.mp4#; s#/t1/#/long/#g" "$d/t1.json" |
    python3 -c 'import json, sys
r = json.load(sys.stdin); t = r["Targets"][0]
r["Targets"] = [dict(t, URI=t["URI"] + str(c), Video={"TranscodeVideo": dict(t["Video"]["TranscodeVideo"], CRF=c)}) for c in (30, 34, 38)]
print(json.dumps(r))' >"$d/long.json"
  generate "$d/n1" "$d/long.json" >/dev/null || fail "generate long"
  tokl=$(grep -m1 -o '[0-9a-f]\{32\}' "$d/n1/mnt/s3/out/long/v30.m3u8" | head -1)
  s3 get "out/long/.hlsfs/$tokl.json" "$d/long-record.json"
  s3 get out/long/.hlsfs/master.m3u8.json "$d/long-master.json"
  echo "     figure: 2-hour title ($(grep -c '\.ts$' "$d/n1/mnt/s3/out/long/v30.m3u8") segments): rendition record $(wc -c <"$d/long-record.json") bytes, master record (3 renditions) $(wc -c <"$d/long-master.json") bytes"
fi

echo "== node 2 killed (SIGKILL) while titles are read through the front"
# Their hot tiers emptied: every read goes to a node again (fetched from
# the bucket, or made by the node that takes over a dead one's share).
for n in $nodes; do rm -rf "$d/$n/cache/"[0-9a-f][0-9a-f]; done
# Fresh titles too (other CRF): cold segments in flight at the kill.
for t in 5 6; do
  sed "s#/t1/#/t$t/#g; s#\"CRF\":31#\"CRF\":$((30 + t))#" "$d/t1.json" >"$d/t$t.json"
  generate "$d/n1" "$d/t$t.json" >/dev/null || fail "generate t$t"
done
read_all "$(url 5 master)" "$d/read5.out" & r5=$!
read_all "$(url 6 master)" "$d/read6.out" & r6=$!
# Killed while it makes a segment (one a reader waits for, or at worst after 5 s).
in_flight=0
for _ in $(seq 100); do
  in_flight=$("$BUILD/bin/hlsfsctl" --endpoint "unix:$d/n2/control.sock" status --json 2>/dev/null |
    python3 -c 'import json, sys; print(len(json.load(sys.stdin)["Transcoder"]["Running"]))' 2>/dev/null || echo 0)
  [ "$in_flight" -gt 0 ] && break
  sleep 0.05
done
kill -KILL "${NODE_PID[n2]}"
echo "     n2 killed with $in_flight segment job(s) running"
wait $r5 $r6 || true
check_that "! grep -q '^error' '$d/read5.out' '$d/read6.out'" "every segment read through the front while n2 died"
echo "     figure: slowest segment read (the failover stall): $(cat "$d/read5.out" "$d/read6.out" | awk '{print $3}' | sort -n | tail -1) s; median $(cat "$d/read5.out" "$d/read6.out" | awk '{print $3}' | sort -n | awk '{a[NR]=$1} END {print a[int((NR+1)/2)]}') s"
nodes="n1 n3"
check_titles "through the front, n2 dead" url 1 2 3 5 6
# Duplicates: a segment made by two nodes (the logs survive the kill).
dups=$(cat "$d"/n*/hlsfsd.log | grep -o 'made store=s3 key=[^ ]*' | sort | uniq -d | wc -l)
check_that "[ $dups -le 2 ]" "$dups segment(s) made twice in the cluster (allowed: those in flight on n2, at most its 2 workers)"

echo "== a 4th node, started afterwards, serves every title at once"
mark=$(log_mark)
start_node n4 "cache: {gc_interval: 1s}"
n4_url() { url "$@" | sed "s#127.0.0.1:$FRONT_PORT#127.0.0.1:${SITE_PORT[n4]}#"; }
check_titles "through n4's own site" n4_url 1 2 3 5 6
check_that "curl -sf '$(n4_url 1 master)' | grep >/dev/null '^v.m3u8'" "t1's master through n4's own site"
check_that "[ \"\$(node_metric n4 hlsfs_segments_transcoded_total)\" = 0 ]" \
  "n4 transcoded nothing ($(node_metric n4 hlsfs_segments_fetched_total) segments fetched from the bucket)"
served=$(node_metric n4 hlsfs_segments_fetched_total)
echo "     figure: bucket requests for n4 serving $served segments: $(bucket_requests "$mark")"

echo "== remote expiry: a copy node 4 keeps reading stays, one nobody read goes"
sed "s#/t1/#/t4/#g; s#\"InitialTranscode\":0#\"InitialTranscode\":-1#" "$d/t1.json" >"$d/t4.json"
generate "$d/n1" "$d/t4.json" >/dev/null || fail "generate t4"
tok4=$(grep -o '[0-9a-f]\{32\}' "$d/n1/mnt/s3/out/t4/v.m3u8" | head -1)
for _ in $(seq 300); do [ "$(s3 count "out/t4/v-$tok4-")" = "$per_title" ] && break; sleep 0.2; done
( set +e; while :; do cat "$d/n4/mnt/s3/out/t4/v-$tok4-0.ts" >/dev/null 2>&1; sleep 0.5; done ) &
reader=$!
# Until n4 has read it and published its use (every usage_interval, 1 s).
for _ in $(seq 50); do [[ "$(s3 list "out/t4/.hlsfs/used/$tok4/")" == *n4.json* ]] && break; sleep 0.1; done
# Node 1 now expires copies unused for 4 s (a reload applies it): well
# above the 1 s in which n4's use of segment 0 is seen.
sed -i 's#^log: #cache: {remote_max_age: 4s, gc_interval: 1s}\nlog: #' "$d/n1/hlsfs.yaml"
kill -HUP "${NODE_PID[n1]}"
for _ in $(seq 100); do s3 list "out/t4/v-$tok4-1.ts" | grep >/dev/null . || break; sleep 0.2; done
check_that "! s3 list 'out/t4/v-$tok4-1.ts' | grep >/dev/null ." "the copy nobody read is deleted by node 1's expiry"
check_that "s3 list 'out/t4/v-$tok4-0.ts' | grep >/dev/null ." "the copy node 4 keeps reading is kept"
kill "$reader"; reader=
grep 'KeptForOtherNodes' -q <(curl -s --unix-socket "$d/n1/control.sock" http://hlsfs/v1/status) &&
  echo "     n1: $(curl -s --unix-socket "$d/n1/control.sock" http://hlsfs/v1/status | python3 -c 'import json,sys; print(json.load(sys.stdin)["Cache"]["LastGc"]["Remote"])')"

[ $failed -eq 0 ] || { for n in n1 n2 n3 n4; do echo "--- $n log"; tail -15 "$d/$n/hlsfsd.log"; done; tail -20 "$d/front/error.log"; }
exit $failed
