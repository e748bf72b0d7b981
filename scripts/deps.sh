#!/usr/bin/env bash
# Installs every Debian package hlsfs needs to build, run its demo and run its
# tests. Idempotent: packages already present are not fetched again.
# Usage: scripts/deps.sh [build|test|all]   (default: all)
set -euo pipefail
what=${1:-all}

build_pkgs=(
  build-essential cmake pkg-config git
  libavcodec-dev libavformat-dev libavutil-dev libswscale-dev libswresample-dev libavfilter-dev
  libcaf-dev libfuse3-dev fuse3 librocksdb-dev libyaml-cpp-dev
  libcurl4-openssl-dev libssl-dev nlohmann-json3-dev libpugixml-dev
  libgtest-dev libgmock-dev libsystemd-dev libcli11-dev libboost-dev libseccomp-dev
)
# ffmpeg CLI: fixtures, hls-check and the benchmarks compare against it (never used by hlsfs itself).
# nginx serves the mount; chromium + npm's playwright-core and hls.js are the browser player.
# systemd: systemd-analyze verifies the unit (tests/integration/systemd_service.sh).
# clang + libclang-rt-dev (libFuzzer, sanitizers) build tests/fuzz; llvm's
# llvm-symbolizer puts file:line into their crash reports.
# mediainfo: an MP4 parser independent of FFmpeg checks fMP4 init segments
# (render_fmp4; GPAC's MP4Box is not in Debian 12).
test_pkgs=( ffmpeg nginx curl python3 chromium systemd clang libclang-rt-dev llvm mediainfo )

pkgs=("${build_pkgs[@]}")
[ "$what" = build ] || pkgs+=("${test_pkgs[@]}")

missing=()
for p in "${pkgs[@]}"; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing+=("$p")
done
# Node.js may come from elsewhere than Debian (it does on our CI machines):
# only fall back to Debian's npm when there is none.
[ "$what" = build ] || command -v npm >/dev/null 2>&1 || missing+=(npm)
if [ ${#missing[@]} -gt 0 ]; then
  echo "deps: installing ${missing[*]}"
  SUDO=; [ "$(id -u)" -eq 0 ] || SUDO=sudo
  export DEBIAN_FRONTEND=noninteractive
  $SUDO apt-get update -qq
  $SUDO apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
fi
if [ "$what" != build ]; then
  repo=$(cd "$(dirname "$0")/.." && pwd)
  if [ ! -d "$repo/tests/browser/node_modules/playwright-core" ] || [ ! -d "$repo/tests/browser/node_modules/hls.js" ]; then
    echo "deps: npm packages for the browser player (tests/browser)"
    (cd "$repo/tests/browser" && npm ci --no-audit --no-fund --loglevel=error)
  fi
  if [ ! -d "$repo/tests/imm/node_modules/@alicloud/openapi-client" ]; then
    echo "deps: npm packages for the IMM client (tests/imm: Alibaba Cloud's @alicloud/openapi-client)"
    (cd "$repo/tests/imm" && npm ci --no-audit --no-fund --loglevel=error)
  fi
fi
echo "deps: ok"
