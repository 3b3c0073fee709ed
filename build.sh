#!/usr/bin/env bash
# One entry point for a fresh Debian 12 machine: installs what is missing, builds, then
#   ./build.sh run [invex args...]   runs invex (no args: the GUI on circle/complex)
#   ./build.sh test                  runs every test (CTest; the GUI test under Xvfb)
#   ./build.sh build                 only builds
set -euo pipefail
cd "$(dirname "$0")"
mode="${1:-run}"
[[ $# -gt 0 ]] && shift

packages=(
  build-essential cmake ninja-build ccache pkg-config
  libtorch-dev libopenblas0-pthread   # OpenBLAS makes LibTorch's matmuls ~2x faster here
  nlohmann-json3-dev libgif-dev libstb-dev doctest-dev libcli11-dev
  libimgui-dev libglfw3-dev libgl-dev python3-glad
  xvfb xauth libgl1-mesa-dri          # the GUI test runs under Xvfb with Mesa
)
missing=()
for p in "${packages[@]}"; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing+=("$p")
done
if [[ ${#missing[@]} -gt 0 ]]; then
  echo "build.sh: installing ${missing[*]}"
  sudo=""
  [[ $(id -u) -ne 0 ]] && sudo="sudo"
  $sudo apt-get update -q
  DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y -q --no-install-recommends "${missing[@]}"
fi

build_dir="${INVEX_BUILD_DIR:-build}"
cmake -S . -B "$build_dir" -G Ninja -DCMAKE_BUILD_TYPE=Release \
  -DINVEX_WERROR="${INVEX_WERROR:-OFF}" >/dev/null
cmake --build "$build_dir" -j"$(nproc)"

case "$mode" in
  build) ;;
  run) exec "$build_dir/app/invex" "$@" ;;
  test) ctest --test-dir "$build_dir" --output-on-failure "$@" ;;
  *) echo "usage: ./build.sh [run [invex args...] | test | build]" >&2; exit 2 ;;
esac
