#!/usr/bin/env bash
# Builds the libFuzzer harnesses (clang, HLSFS_FUZZ=ON) in BUILD_DIR, then for
# each harness: replays its regressions (tests/fuzz/regressions/<name>/: inputs
# that once crashed it) and fuzzes it for SECONDS over a fresh copy of its
# seed corpus (tests/fuzz/corpus/<name>/) with its dictionary. Fails if any
# harness crashes, hangs or breaks a property, printing the input's path.
# Usage: tests/fuzz/run.sh BUILD_DIR [SECONDS]     (SECONDS defaults to 30)
#        FUZZERS="request config" tests/fuzz/run.sh BUILD_DIR 600   (some only)
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
repo=$(cd "$here/../.." && pwd)
build=${1:?usage: tests/fuzz/run.sh BUILD_DIR [SECONDS]}
seconds=${2:-30}
read -r -a fuzzers <<<"${FUZZERS:-request config http_request objstore_replies names}"

command -v clang++ >/dev/null || { echo "fuzz: clang++ is missing (scripts/deps.sh installs clang)" >&2; exit 1; }
start=$(date +%s)
if [ ! -f "$build/CMakeCache.txt" ]; then
  CC=clang CXX=clang++ cmake -S "$repo" -B "$build" -DCMAKE_BUILD_TYPE=Fuzz -DHLSFS_FUZZ=ON -DHLSFS_TESTS=OFF >/dev/null
fi
cmake --build "$build" -j"$(nproc)" --target "${fuzzers[@]/%/_fuzz}" >"$build/fuzz-build.log" 2>&1 ||
  { tail -50 "$build/fuzz-build.log"; echo "fuzz: the build failed (log: $build/fuzz-build.log)" >&2; exit 1; }
echo "fuzz: built ${#fuzzers[@]} harnesses in $(($(date +%s) - start)) s"

# The sanitizers' own settings, whatever the caller's environment says.
export ASAN_OPTIONS=detect_leaks=1
export UBSAN_OPTIONS=print_stacktrace=1:halt_on_error=1
unset LSAN_OPTIONS
for s in llvm-symbolizer /usr/lib/llvm-14/bin/llvm-symbolizer; do
  if command -v "$s" >/dev/null; then export ASAN_SYMBOLIZER_PATH=$(command -v "$s"); break; fi
done
# The HTTP harness puts its unix socket here (sun_path holds 107 bytes: keep it short).
tmp=$(mktemp -d /tmp/hlsfs-fuzz.XXXXXX)
trap 'rm -rf "$tmp"' EXIT
export TMPDIR=$tmp

failed=()
for name in "${fuzzers[@]}"; do
  bin=$build/fuzzers/${name}_fuzz
  work=$build/fuzz-runs/$name
  rm -rf "$work" && mkdir -p "$work/corpus" "$work/artifacts"
  cp "$here/corpus/$name"/* "$work/corpus/"
  common=(-timeout=10 -rss_limit_mb=2048 -artifact_prefix="$work/artifacts/")

  regressions=("$here/regressions/$name"/*)
  if [ -e "${regressions[0]}" ]; then
    if ! "$bin" "${common[@]}" "${regressions[@]}" >"$work/regressions.log" 2>&1; then
      tail -40 "$work/regressions.log"
      echo "fuzz: $name: a regression input crashes again (log: $work/regressions.log)" >&2
      failed+=("$name (regression)")
      continue
    fi
  else
    regressions=()
  fi

  if "$bin" "${common[@]}" -max_total_time="$seconds" -print_final_stats=1 -dict="$here/$name.dict" \
      "$work/corpus" >"$work/fuzz.log" 2>&1; then
    stats=$(grep -E '^#[0-9]+' "$work/fuzz.log" | tail -1 | grep -oE 'cov: [0-9]+ ft: [0-9]+ corp: [^ ]+' || true)
    rate=$(sed -n 's/^stat::average_exec_per_sec: *//p' "$work/fuzz.log")
    runs=$(sed -n 's/^stat::number_of_executed_units: *//p' "$work/fuzz.log")
    echo "fuzz: $name: ok, ${#regressions[@]} regressions, $runs runs in ${seconds} s ($rate exec/s), $stats"
  else
    grep -E 'ERROR|runtime error|property failed|SUMMARY|Test unit written|uncaught|timeout' "$work/fuzz.log" | head -20 || true
    tail -60 "$work/fuzz.log"
    for a in "$work/artifacts"/*; do
      [ -e "$a" ] && echo "fuzz: $name: crashing input: $a  (keep it in tests/fuzz/regressions/$name/ once fixed)" >&2
    done
    failed+=("$name")
  fi
done

echo "fuzz: $(($(date +%s) - start)) s in all"
if [ ${#failed[@]} -gt 0 ]; then
  echo "fuzz: FAILED: ${failed[*]}" >&2
  exit 1
fi
echo "fuzz: all harnesses ok"
