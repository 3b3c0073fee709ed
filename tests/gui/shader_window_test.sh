#!/usr/bin/env bash
# The shader path in the window: `invex gui` with INVEX_RENDER_PATH=shader under Xvfb trains
# circle/complex for 30 steps with the big image zoomed out, and must say that the shader drew
# it, with a picture that is not flat where the big image is. (The shader's pixels themselves
# are held to the CPU's by gui_shader_parity.)
# usage: shader_window_test.sh INVEX CHECKER OUTDIR
set -euo pipefail
source "$(dirname "$0")/lib/xvfb.bash"
invex=$1 checker=$2 out=$3
mkdir -p "$out"
png=$out/shader_window.png
log=$out/shader_window.log
rm -f "$png" "$log"
INVEX_RENDER_PATH=shader in_xvfb "$invex" gui \
  --preset circle/complex --train-steps 30 --frames 20 --zoom 0.5 --screenshot "$png" --stats \
  --exit 2>&1 | tee "$log"

fail() { echo "FAIL: $*"; exit 1; }
grep -q '^render path: shader$' "$log" || fail "the shader did not draw the view"
grep -q 'Shader unavailable' "$log" && fail "the shader fell back to the CPU"
view=$(awk '/^view_rect/ {print $2, $3, $4, $5}' "$log")
plot=$(awk '/^plot_rect/ {print $2, $3, $4, $5}' "$log")
# shellcheck disable=SC2086
"$checker" "$png" 1280 800 manifold_image $view activation_plot $plot
echo "ok: the shader drew the view; screenshot $png"
