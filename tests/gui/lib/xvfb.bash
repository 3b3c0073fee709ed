# in_xvfb COMMAND...: runs COMMAND on a fresh Xvfb screen of 1280×800 (xvfb-run -a).
# Under AddressSanitizer (tests/sanitizers/run.sh address) COMMAND runs with
# INVEX_TEST_GUI_PRELOAD preloaded: the ASan runtime and Mesa's GL driver. glfwTerminate unloads
# the driver, and LeakSanitizer's check at exit then no longer sees the driver's static data,
# so it reports the allocations that data holds as leaks from an "<unknown module>". Kept
# mapped, the driver's data stays a root and the check covers everything else as before.
in_xvfb() {
  local preload=()
  [[ -n ${INVEX_TEST_GUI_PRELOAD:-} ]] && preload=(env "LD_PRELOAD=$INVEX_TEST_GUI_PRELOAD")
  xvfb-run -a -s "-screen 0 1280x800x24" "${preload[@]}" "$@"
}
