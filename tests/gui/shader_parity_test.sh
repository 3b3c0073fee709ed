#!/usr/bin/env bash
# The shader's picture against the CPU's, read back from a float framebuffer
# (test_shader_parity.cpp), on an Xvfb screen.
# usage: shader_parity_test.sh PARITY_TEST_BINARY
set -euo pipefail
source "$(dirname "$0")/lib/xvfb.bash"
in_xvfb "$1"
