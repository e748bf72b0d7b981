#!/usr/bin/env bash
# The built hlsfsctl and hlsfsd as operators and scripts meet them: --help of
# every command (exit 0, stdout), --version naming the libraries they run
# with, usage errors on stderr with exit 2 (a bare hlsfsctl too), and the
# exit status of commands that run (0 done, 1 failed, 2 refused). No daemon,
# no media: a few seconds.
source "$(dirname "$0")/lib.sh"
source "$(dirname "$0")/daemon_lib.sh"
d=$(mktemp -d /tmp/hlsfs-cli.XXXXXX)
trap 'rm -rf "$d"' EXIT
failed=0

# run FILE PROGRAM ARGS...: $d/FILE.out, $d/FILE.err, and the exit status in rc.
run() {
  ran=$1; shift
  rc=0
  "$@" >"$d/$ran.out" 2>"$d/$ran.err" || rc=$?
}
# expect WHAT RC WHERE TEXT: of the last run, the exit status, and TEXT in
# stdout or stderr (WHERE), the other one empty.
expect() {
  local what=$1 want=$2 where=$3 text=$4 other=err
  [ "$where" = err ] && other=out
  if [ "$rc" != "$want" ]; then echo "FAIL: $what: exit $rc, wanted $want; stderr: $(head -3 "$d/$ran.err")"; failed=1
  elif ! grep -qF -- "$text" "$d/$ran.$where"; then echo "FAIL: $what: no \"$text\" on std$where: $(head -3 "$d/$ran.$where")"; failed=1
  elif [ -s "$d/$ran.$other" ]; then echo "FAIL: $what: std$other is not empty: $(head -3 "$d/$ran.$other")"; failed=1
  else echo "ok   $what: exit $rc, \"$text\" on std$where"; fi
}

echo "== --help of every command: exit 0, on stdout"
for cmd in "" generate status gc sign nginx-site formats render; do
  run "help-$cmd" "$HLSFSCTL" $cmd --help
  expect "hlsfsctl${cmd:+ $cmd} --help" 0 out "Usage: hlsfsctl${cmd:+ $cmd}"
done
run hlsfsd-help "$HLSFSD" --help
expect "hlsfsd --help" 0 out "Usage: hlsfsd"
grep -q "^Exit status:" "$d/help-.out" && grep -q "^Exit status:" "$d/hlsfsd-help.out" &&
  echo "ok   both document their exit status" || { echo "FAIL: an --help without the exit status"; failed=1; }

echo "== --version: hlsfs and the libraries, as they run"
run ctl-version "$HLSFSCTL" --version
expect "hlsfsctl --version" 0 out "hlsfsctl "
run hlsfsd-version "$HLSFSD" --version
expect "hlsfsd --version" 0 out "hlsfsd "
for lib in FFmpeg libavformat libavcodec libavutil CAF RocksDB; do
  for p in ctl hlsfsd; do
    grep -qE "^  $lib +[0-9]" "$d/$p-version.out" || { echo "FAIL: $p --version does not name $lib"; failed=1; }
  done
done
grep -qE "^  libfuse +3\.[0-9.]+ \(runtime\)" "$d/hlsfsd-version.out" && echo "ok   hlsfsd names libfuse" ||
  { echo "FAIL: hlsfsd --version does not name libfuse"; failed=1; }
# The same libavformat as the ffmpeg CLI of the same packages loads
# ("libavformat    59. 27.100 / 59. 27.100": built / loaded).
if command -v ffprobe >/dev/null; then
  want=$(ffprobe -hide_banner -version | sed -n 's/^libavformat .*\/ *//p' | tr -d ' ')
  check_that "grep -qE '^  libavformat +$want \\(runtime' '$d/hlsfsd-version.out'" "libavformat $want, as ffprobe loads it"
fi
cat "$d/hlsfsd-version.out"

echo "== usage errors: stderr, exit 2"
run bare "$HLSFSCTL"
expect "a bare hlsfsctl" 2 err "Usage: hlsfsctl"
run unknown-option "$HLSFSCTL" --no-such-option status
expect "hlsfsctl --no-such-option" 2 err "--no-such-option"
run unknown-command "$HLSFSCTL" frobnicate
expect "hlsfsctl frobnicate" 2 err 'unknown command "frobnicate"'
run sign-unknown "$HLSFSCTL" sign /media/out/a/master.m3u8 --no-such-option
expect "hlsfsctl sign --no-such-option" 2 err "--no-such-option"
run render-jobs "$HLSFSCTL" render req.json --jobs 0
expect "hlsfsctl render --jobs 0" 2 err "--jobs"
run hlsfsd-unknown "$HLSFSD" --no-such-option
expect "hlsfsd --no-such-option" 2 err "--no-such-option"
run hlsfsd-config "$HLSFSD" --config  # ExecStart with HLSFS_CONFIG empty
expect "hlsfsd --config (no FILE)" 2 err "--config"

echo "== commands still run, with their exit status"
write_config "$d" "signing: {secret: $(head -c 16 /dev/urandom | od -An -tx1 | tr -d ' \n'), base_url: \"http://cdn.example\"}"
mkdir -p "$d/media/out/a"
run formats "$HLSFSCTL" formats --list
expect "hlsfsctl formats --list" 0 out "containers (demuxers)"
run sign "$HLSFSCTL" --config "$d/hlsfs.yaml" sign /media/out/a/master.m3u8 --ttl 2h
expect "hlsfsctl sign" 0 out "http://cdn.example/s/"
run sign-uri "$HLSFSCTL" --config "$d/hlsfs.yaml" sign --ttl 10m "file://$d/media/out/a/master.m3u8"
expect "hlsfsctl sign --ttl first, a file:/// URI" 0 out "/media/out/a/~/master.m3u8"
run sign-root "$HLSFSCTL" --config "$d/hlsfs.yaml" sign /media/top.m3u8
expect "hlsfsctl sign of a store's root: refused" 2 err "--allow-store-root"
run sign-root-allowed "$HLSFSCTL" --config "$d/hlsfs.yaml" sign /media/top.m3u8 --allow-store-root
expect "hlsfsctl sign --allow-store-root" 0 out "/media/~/top.m3u8"
run site "$HLSFSCTL" --config "$d/hlsfs.yaml" nginx-site --listen 127.0.0.1:1 --output "$d/site.conf"
check_that "[ $rc = 0 ] && [ \$(stat -c %a '$d/site.conf') = 600 ] && grep -q 'listen 127.0.0.1:1;' '$d/site.conf'" \
  "hlsfsctl nginx-site --output: the site, mode 0600"
run check "$HLSFSD" --check-config --config "$d/hlsfs.yaml"
expect "hlsfsd --check-config" 0 out "is valid"
run status "$HLSFSCTL" --endpoint "unix:$d/no-daemon.sock" status --json
expect "hlsfsctl status with no daemon: failed" 1 err "error:"
run missing-config "$HLSFSCTL" --config "$d/none.yaml" status
expect "hlsfsctl status with no configuration: failed" 1 err "none.yaml"
echo '{}' >"$d/bad.json"
run bad-request "$HLSFSCTL" render "$d/bad.json"
expect "hlsfsctl render of an invalid request: refused" 2 err "error:"

exit $failed
