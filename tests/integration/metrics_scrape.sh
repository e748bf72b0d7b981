#!/usr/bin/env bash
# /metrics as Prometheus scrapes it, from the real daemon: right after start
# the text passes `promtool check metrics` and every series operators alert
# on is there at 0, before any traffic; one generate and two reads of a
# segment (cold, then cached) move the histograms that should move. The
# alert rules (etc/prometheus-alerts.yml) pass `promtool check rules` and
# their unit tests, and they and the Grafana dashboard (etc/grafana-hlsfs.json)
# name only metrics the daemon exports.
source "$(dirname "$0")/lib.sh"
source "$(dirname "$0")/daemon_lib.sh"
[ "$(id -u)" -eq 0 ] || fail "needs root (FUSE mount)"
command -v promtool >/dev/null || fail "needs promtool (Debian package prometheus)"
ensure_fixtures
d=$(mktemp -d /tmp/hlsfs-it.XXXXXX)
cleanup() { stop_daemon "$d"; rm -rf "$d"; }
trap cleanup EXIT
failed=0

scrape() { curl -sf "http://127.0.0.1:$METRICS_PORT/metrics" >"$1" || fail "no /metrics"; }
promtool_metrics() {  # promtool_metrics FILE WHAT
  local out
  if out=$(promtool check metrics <"$1" 2>&1); then echo "ok   promtool check metrics: $2"
  else echo "FAIL: promtool check metrics: $2:"; echo "$out" | sed 's/^/     /'; failed=1; fi
}
# sample FILE 'name{labels}' -> its value (empty when absent)
sample() { awk -v s="$2" '$1==s {print $2}' "$1"; }
expect_sample() {  # expect_sample FILE SERIES VALUE
  local got; got=$(sample "$1" "$2")
  check_that "[ '$got' = '$3' ]" "$2 = ${got:-absent} (want $3)"
}

mkdir -p "$d/media"
cp "$FIXTURES/h264_aac_1080p30.mp4" "$d/media/movie.mp4"
PREFETCH=0 start_daemon "$d"

echo "== right after start, before any traffic"
scrape "$d/start.prom"
promtool_metrics "$d/start.prom" "at start"
for s in 'hlsfs_read_errors_total{errno="EIO"}' 'hlsfs_read_errors_total{errno="EBUSY"}' \
  'hlsfs_read_errors_total{errno="ENOENT"}' \
  'hlsfs_reader_wait_seconds_count{kind="cold"}' 'hlsfs_reader_wait_seconds_count{kind="cached"}' \
  'hlsfs_reader_wait_seconds_bucket{kind="cold",le="+Inf"}' \
  'hlsfs_backend_errors_total{store="media",op="read"}' 'hlsfs_backend_errors_total{store="media",op="stat"}' \
  'hlsfs_backend_request_seconds_count{store="media",op="write"}' \
  'hlsfs_generate_seconds_count' 'hlsfs_generate_requests_total{result="failed"}' \
  'hlsfs_segment_transcode_seconds_count' 'hlsfs_segments_transcoded_total' 'hlsfs_segment_failures_total' \
  'hlsfs_segment_timeouts_total' 'hlsfs_jobs_refused_total{priority="on-demand",reason="queue_full"}' \
  'hlsfs_readers_refused_total' 'hlsfs_cache_full_total' 'hlsfs_cache_enospc_total' 'hlsfs_gc_evicted_total' \
  'hlsfs_write_back_failures_total' 'hlsfs_fuse_requests_total{op="read"}' 'hlsfs_transcode_queue_depth' \
  'hlsfs_abandoned_job_threads' 'hlsfs_cache_bytes' 'hlsfs_cache_max_bytes'; do
  expect_sample "$d/start.prom" "$s" 0
done
# Present (their values depend on the host, the clock, or a first GC pass).
for s in hlsfs_gc_pass_seconds_count hlsfs_cache_free_bytes hlsfs_cache_min_free_bytes process_cpu_seconds_total \
  process_resident_memory_bytes process_virtual_memory_bytes process_start_time_seconds process_open_fds process_max_fds; do
  check_that "[ -n '$(sample "$d/start.prom" "$s")' ]" "$s present ($(sample "$d/start.prom" "$s"))"
done
check_that "grep -q '^# TYPE process_cpu_seconds_total counter$' '$d/start.prom'" "process_cpu_seconds_total is a counter"
check_that "grep -Eq '^hlsfs_build_info\\{version=\"[0-9.]+\",ffmpeg=\"[^\"]+\"\\} 1$' '$d/start.prom'" \
  "$(grep '^hlsfs_build_info' "$d/start.prom")"
rss=$(sample "$d/start.prom" process_resident_memory_bytes)
kernel_rss=$(($(awk '/^VmRSS:/ {print $2}' /proc/$DAEMON_PID/status) * 1024))
check_that "python3 -c 'import sys; sys.exit(abs($rss - $kernel_rss) > 0.2 * $kernel_rss)'" \
  "process_resident_memory_bytes $rss matches VmRSS $kernel_rss"
fds=$(sample "$d/start.prom" process_open_fds)
kernel_fds=$(ls /proc/$DAEMON_PID/fd | wc -l)
check_that "[ $((fds > kernel_fds ? fds - kernel_fds : kernel_fds - fds)) -le 3 ]" "process_open_fds $fds matches /proc ($kernel_fds)"
start=$(sample "$d/start.prom" process_start_time_seconds)
check_that "python3 -c 'import sys,time; sys.exit(not (time.time() - 60 < $start <= time.time()))'" \
  "process_start_time_seconds $start is within the last minute"

echo "== the alert rules and the dashboard"
if out=$(promtool check rules "$REPO/etc/prometheus-alerts.yml" 2>&1); then echo "ok   promtool check rules: $(echo "$out" | tail -1 | sed 's/^ *//')"
else echo "FAIL: promtool check rules:"; echo "$out" | sed 's/^/     /'; failed=1; fi
if out=$(cd "$REPO/tests/prometheus" && promtool test rules alerts_test.yml 2>&1); then echo "ok   promtool test rules (alerts fire and stay quiet as they should)"
else echo "FAIL: promtool test rules:"; echo "$out" | sed 's/^/     /'; failed=1; fi
# The dashboard's queries, as recording rules, pass promtool too; every
# metric either file names is one the daemon exports.
python3 - "$REPO/etc/grafana-hlsfs.json" "$REPO/etc/prometheus-alerts.yml" "$d/start.prom" "$d/dashboard-rules.yml" <<'PY' || failed=1
import json, re, sys
dash = json.load(open(sys.argv[1]))
alerts = open(sys.argv[2]).read()
exported = set()
for line in open(sys.argv[3]):
    if line.startswith("# TYPE "):
        name, kind = line.split()[2:4]
        exported |= {name} | ({name + s for s in ("_bucket", "_sum", "_count")} if kind == "histogram" else set())
exprs = [t["expr"] for p in dash["panels"] for t in p.get("targets", [])]
named = set(re.findall(r"\b(?:hlsfs|process)_[a-z_]+", " ".join(exprs) + alerts))
sub = lambda e: e.replace("$__rate_interval", "5m").replace("$job", "hlsfs").replace("$instance", ".*")
with open(sys.argv[4], "w") as f:
    f.write("groups:\n  - name: dashboard\n    rules:\n")
    for i, e in enumerate(exprs):
        f.write(f"      - record: dashboard:query{i}\n        expr: {json.dumps(sub(e))}\n")
missing = sorted(named - exported)
if missing:
    print("FAIL: named by the dashboard or the alerts, not exported:", missing); sys.exit(1)
print(f"ok   the dashboard ({len(exprs)} queries) and the alerts name {len(named)} metrics, all exported")
PY
if out=$(promtool check rules "$d/dashboard-rules.yml" 2>&1); then echo "ok   the dashboard's queries parse (promtool)"
else echo "FAIL: the dashboard's queries:"; echo "$out" | sed 's/^/     /'; failed=1; fi

echo "== after a generate and two reads of one segment"
cat >"$d/req.json" <<JSON
{"SourceURI":"file://$d/media/movie.mp4","MasterURI":"file://$d/media/out/master.m3u8",
 "Targets":[{"URI":"file://$d/media/out/low","Duration":5,
   "Video":{"TranscodeVideo":{"CRF":30,"Resolution":"320x"}},
   "Audio":{"TranscodeAudio":{"Codec":"aac","Bitrate":64000}}}]}
JSON
generate "$d" "$d/req.json" >"$d/resp.json" || fail "generate: $(cat "$d/resp.json")"
seg=$(grep -m1 '\.ts$' "$d/mnt/media/out/low.m3u8") || fail "no segment in the playlist"
cat "$d/mnt/media/out/$seg" >/dev/null || fail "the segment cannot be read"
cat "$d/mnt/media/out/$seg" >/dev/null
scrape "$d/after.prom"
promtool_metrics "$d/after.prom" "after traffic"
expect_sample "$d/after.prom" 'hlsfs_generate_requests_total{result="ok"}' 1
expect_sample "$d/after.prom" 'hlsfs_generate_seconds_count' 1
expect_sample "$d/after.prom" 'hlsfs_reader_wait_seconds_count{kind="cold"}' 1
# The second open, and the page cache may spare the kernel asking again.
check_that "[ '$(sample "$d/after.prom" 'hlsfs_reader_wait_seconds_count{kind="cached"}')' -ge 1 ]" \
  "a cached read is timed ($(sample "$d/after.prom" 'hlsfs_reader_wait_seconds_count{kind="cached"}'))"
expect_sample "$d/after.prom" 'hlsfs_segments_transcoded_total' 1
expect_sample "$d/after.prom" 'hlsfs_segment_transcode_seconds_count' 1
check_that "[ '$(sample "$d/after.prom" 'hlsfs_backend_request_seconds_count{store="media",op="open"}')' -ge 2 ]" \
  "the probe's and the job's source opens are timed ($(sample "$d/after.prom" 'hlsfs_backend_request_seconds_count{store="media",op="open"}'))"
check_that "[ '$(sample "$d/after.prom" 'hlsfs_backend_request_seconds_count{store="media",op="write"}')' -ge 2 ]" \
  "the playlist writes are timed ($(sample "$d/after.prom" 'hlsfs_backend_request_seconds_count{store="media",op="write"}'))"
expect_sample "$d/after.prom" 'hlsfs_read_errors_total{errno="EIO"}' 0
cold_sum=$(sample "$d/after.prom" 'hlsfs_reader_wait_seconds_sum{kind="cold"}')
check_that "python3 -c 'import sys; sys.exit(not 0 < $cold_sum < 60)'" "the cold read waited ${cold_sum} s"

[ "$failed" -eq 0 ] || { echo "metrics_scrape: FAILED"; tail -20 "$d/hlsfsd.log"; exit 1; }
echo "metrics_scrape: all passed"
