#!/usr/bin/env bash
# The test command: installs what the tests need, builds hlsfs twice (normal,
# and with AddressSanitizer + UndefinedBehaviorSanitizer), runs every test.
# Usage: scripts/test.sh [ctest args...]   e.g. scripts/test.sh -R render_quality
set -euo pipefail
repo=$(cd "$(dirname "$0")/.." && pwd)
cd "$repo"
scripts/deps.sh all

scripts/build.sh build

# slowest LOG: the ten slowest tests of a ctest log, slowest first.
slowest() {
  echo "ten slowest tests ($(basename "$(dirname "$1")")):"
  awk '/Test +#[0-9]+: / { for (i = 1; i <= NF; i++) if ($i == "sec") printf "%9.1f s  %s\n", $(i-1), $4 }' "$1" |
    sort -rn | sed -n 1,10p  # sed reads it all: head could leave sort a SIGPIPE, and pipefail ends CI
}

# The sanitizer build compiles meanwhile, from here on (the fixtures, the
# unit tests, the integration tests), at the lowest CPU and I/O priority: it
# takes what they leave idle (ffmpeg's serial parts, players, stores,
# sleeps), and a test that times what it transcodes loses almost nothing to
# it (a nice 19 process weighs 1.5 % of a nice 0 one when both want a core).
asan_build=
if [ "${HLSFS_SKIP_SANITIZERS:-0}" != 1 ]; then
  nice -n 19 ionice -c 3 scripts/build.sh build-asan -DCMAKE_BUILD_TYPE=Debug -DHLSFS_SANITIZE=ON \
    >build/asan-build.log 2>&1 &
  asan_build=$!
fi

# One set of media fixtures for both builds (make-fixtures.sh takes a
# minute), made first: unit tests read them too, and run before the
# integration tests that used to make them.
export HLSFS_FIXTURES=$repo/build/fixtures
BUILD=$repo/build bash -c 'source tests/integration/lib.sh && ensure_fixtures'

# Unit tests run two at a time, then the rest in three lanes
# (tests/CMakeLists.txt): the heavy integration tests one by one (they time
# what they transcode, and a neighbour would skew them: they share a
# RESOURCE_LOCK), the fuzzers beside them, and the light lane (tests that
# mostly wait) one by one beside both.
(
  cd build
  ctest --output-on-failure -j2 -L unit "$@"
  ctest --output-on-failure -j3 -LE unit "$@"
) 2>&1 | tee build/ctest.log
slowest build/ctest.log

if [ -n "$asan_build" ]; then
  wait "$asan_build" || { tail -50 build/asan-build.log; echo "the sanitizer build failed (build/asan-build.log)"; exit 1; }
  # Under the sanitizers, what they find things in: the unit tests, the media
  # core over every fixture (render_fixtures) and the daemon's fault tests
  # (hostile input, stalls, disk faults, the control API's limits). The
  # players, nginx, S3 and demo tests repeat the same code paths slowly and
  # run in the normal build only.
  export ASAN_OPTIONS=detect_leaks=1:abort_on_error=1
  export UBSAN_OPTIONS=print_stacktrace=1:halt_on_error=1:suppressions=$repo/tests/ubsan.supp
  export LSAN_OPTIONS=suppressions=$repo/tests/lsan.supp
  (
    cd build-asan
    ctest --output-on-failure -j2 -L unit "$@"
    # render_fixtures beside the fault tests (the light lane), which mostly wait.
    ctest --output-on-failure -j2 -R '^(render_fixtures|hostile_sources|job_deadline|fault_disk|control_api_hardening|objstore_stall|queue_bounds)$' "$@"
  ) 2>&1 | tee build-asan/ctest.log
  slowest build-asan/ctest.log
fi
echo "all tests passed"
