#!/usr/bin/env bash
# The test command: installs what the tests need, builds hlsfs twice (normal,
# and with AddressSanitizer + UndefinedBehaviorSanitizer), runs every test.
# Usage: scripts/test.sh [ctest args...]   e.g. scripts/test.sh -R render_quality
set -euo pipefail
repo=$(cd "$(dirname "$0")/.." && pwd)
cd "$repo"
scripts/deps.sh all

scripts/build.sh build
# One set of media fixtures for both builds (make-fixtures.sh takes a minute).
export HLSFS_FIXTURES=$repo/build/fixtures
(cd build && ctest --output-on-failure "$@")

if [ "${HLSFS_SKIP_SANITIZERS:-0}" != 1 ]; then
  scripts/build.sh build-asan -DCMAKE_BUILD_TYPE=Debug -DHLSFS_SANITIZE=ON
  # Under the sanitizers: the unit tests and the media tests that decode every
  # fixture (the quality comparison only repeats the same code paths slowly).
  export ASAN_OPTIONS=detect_leaks=1:abort_on_error=1
  export UBSAN_OPTIONS=print_stacktrace=1:halt_on_error=1:suppressions=$repo/tests/ubsan.supp
  export LSAN_OPTIONS=suppressions=$repo/tests/lsan.supp
  (cd build-asan && ctest --output-on-failure -E render_quality "$@")
fi
echo "all tests passed"
