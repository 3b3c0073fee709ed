#!/usr/bin/env bash
# Builds the libFuzzer targets (-DINVEX_FUZZ=ON, clang-14) in build-fuzz/ and runs each for a
# fixed time from its seed corpus (tests/data/fuzz/<target>/, plus the presets, the tour and the
# format-1 run file the repository already holds). A crash, a sanitizer report, a hang of more
# than 10 s or a broken property fails the script; the input is saved as
# build-fuzz/findings/<target>/crash-* (add it to the target's seed folder once fixed, so it
# stays a regression test).
#   tests/fuzz/run.sh [SECONDS per target, default 60] [TARGET...]
set -euo pipefail
cd "$(dirname "$0")/../.."
seconds="${1:-60}"
[[ $# -gt 0 ]] && shift
targets=("$@")
[[ ${#targets[@]} -eq 0 ]] && targets=(config npy run_file tour state_dict)

missing=()
for p in clang-14 libclang-rt-14-dev; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing+=("$p")
done
if [[ ${#missing[@]} -gt 0 ]]; then
  sudo=""
  [[ $(id -u) -ne 0 ]] && sudo="sudo"
  $sudo apt-get update -q
  DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y -q --no-install-recommends "${missing[@]}"
fi

build=build-fuzz
CC=clang-14 CXX=clang++-14 cmake -S . -B "$build" -G Ninja -DCMAKE_BUILD_TYPE=Release \
  -DINVEX_FUZZ=ON -DINVEX_BUILD_GUI=OFF -DINVEX_BUILD_TESTS=OFF \
  -DINVEX_WERROR="${INVEX_WERROR:-OFF}" >/dev/null
cmake --build "$build" --target fuzzers

extra_seeds() {  # seed folders the repository holds already
  case "$1" in
    config) find assets/presets assets/examples -type d ;;
    tour) echo assets/tour ;;
    *) ;;
  esac
}
# Leaks inside the uninstrumented LibTorch are listed there, one reason a line.
export LSAN_OPTIONS="suppressions=$PWD/tests/sanitizers/lsan.supp:print_suppressions=0"
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
status=0
for t in "${targets[@]}"; do
  mkdir -p "$work/$t" "$build/findings/$t"
  # The format-1 run file of tests/data, behind the run_file target's mode byte (0: as is).
  [[ $t == run_file ]] && { printf '\0'; cat tests/data/format1_circle_complex_6_steps.invex; } \
    >"$work/$t/format1.invex"
  dict=()
  [[ -f tests/fuzz/$t.dict ]] && dict=(-dict="tests/fuzz/$t.dict")
  echo "fuzz_$t: ${seconds} s"
  # shellcheck disable=SC2046
  if ! TMPDIR="$work" "$build/tests/fuzz/fuzz_$t" -max_total_time="$seconds" -timeout=10 \
    -rss_limit_mb=2048 -max_len=65536 -print_final_stats=1 "${dict[@]}" \
    -artifact_prefix="$build/findings/$t/" "$work/$t" "tests/data/fuzz/$t" $(extra_seeds "$t") \
    >"$work/$t.log" 2>&1; then
    status=1
    grep -E "ERROR|violated|runtime error|SUMMARY" "$work/$t.log" | head -5
    echo "fuzz_$t: FAILED; the input is in $build/findings/$t/"
  fi
  grep -E "^stat::number_of_executed_units|^Done" "$work/$t.log" | sed "s/^/fuzz_$t: /"
done
exit $status
