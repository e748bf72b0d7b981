#!/usr/bin/env bash
# Configures and builds hlsfs. Usage: scripts/build.sh [BUILD_DIR] [extra cmake args...]
set -euo pipefail
repo=$(cd "$(dirname "$0")/.." && pwd)
dir=${1:-$repo/build}
shift || true
cmake -S "$repo" -B "$dir" -DCMAKE_BUILD_TYPE=RelWithDebInfo "$@" >/dev/null
cmake --build "$dir" -j"$(nproc)"
