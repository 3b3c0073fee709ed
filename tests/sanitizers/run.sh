#!/usr/bin/env bash
# The test suite under sanitizers, each in its own build directory (ccache keeps rebuilds short):
#   tests/sanitizers/run.sh address [CTEST ARGS...]  AddressSanitizer + UndefinedBehaviorSanitizer
#                                                    (build-asan/, the whole suite by default)
#   tests/sanitizers/run.sh thread [CTEST ARGS...]   ThreadSanitizer (build-tsan/, by default the
#                                                    tests that use more than one thread)
# Any report fails the test it happens in. LibTorch, OpenMP and the system's graphics libraries
# are not instrumented; what they need is in the suppression files here, one reason a line.
set -euo pipefail
cd "$(dirname "$0")/../.."
mode="${1:?usage: tests/sanitizers/run.sh address|thread [ctest args...]}"
shift
here=$PWD/tests/sanitizers

# The software GL driver Xvfb's GLX loads (Debian's libgl1-mesa-dri).
mesa_driver() {
  local d
  for d in /usr/lib/*/dri/swrast_dri.so /usr/lib/dri/swrast_dri.so; do
    [[ -e $d ]] && { echo "$d"; return; }
  done
  echo "tests/sanitizers/run.sh: Mesa's swrast_dri.so not found (apt install libgl1-mesa-dri)" >&2
  exit 2
}

case "$mode" in
  address)
    build=build-asan
    sanitize=address,undefined
    targets=(invex invex_tests invex_gui_tests invex_gui_screenshot_check invex_gui_shader_parity)
    export ASAN_OPTIONS="detect_leaks=1:abort_on_error=0:detect_stack_use_after_return=0"
    export LSAN_OPTIONS="suppressions=$here/lsan.supp:print_suppressions=0"
    export UBSAN_OPTIONS="print_stacktrace=1:halt_on_error=1:suppressions=$here/ubsan.supp"
    # Instrumented runs are several times slower: tests with a time bound scale it.
    export INVEX_TEST_TIME_SCALE=3
    # The GUI tests keep Mesa's GL driver loaded until exit (tests/gui/lib/xvfb.bash says why);
    # the ASan runtime must come first among preloaded libraries.
    driver=$(mesa_driver)
    export INVEX_TEST_GUI_PRELOAD="$(gcc -print-file-name=libasan.so) $driver"
    default_tests=()
    ;;
  thread)
    build=build-tsan
    sanitize=thread
    targets=(invex_tests invex_gui_tests)
    export TSAN_OPTIONS="suppressions=$here/tsan.supp:halt_on_error=0:second_deadlock_stack=1:print_suppressions=0"
    # The tests with more than one thread: the background run and its commands and snapshots,
    # the render worker, export cancel, the fused CPPN's and PNG encoding's workers, the storm.
    default_tests=(-R "background run|commands return|storm|render worker|cancel|one thread and on two|threaded|chunks or threads")
    ;;
  *) echo "usage: tests/sanitizers/run.sh address|thread [ctest args...]" >&2; exit 2 ;;
esac

cmake -S . -B "$build" -G Ninja -DCMAKE_BUILD_TYPE=Release -DINVEX_SANITIZE="$sanitize" \
  -DINVEX_WERROR="${INVEX_WERROR:-OFF}" >/dev/null
cmake --build "$build" --target "${targets[@]}"
if [[ $# -gt 0 ]]; then
  ctest --test-dir "$build" --output-on-failure "$@"
else
  ctest --test-dir "$build" --output-on-failure "${default_tests[@]}"
fi
