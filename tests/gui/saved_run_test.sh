#!/usr/bin/env bash
# Save a run from the GUI and open it again: the reopened run shows the same snapshot step and
# the same activation at z (same frozen CPPN, same neuron, same MEI).
# usage: saved_run_test.sh INVEX CHECKER OUTDIR
set -euo pipefail
source "$(dirname "$0")/lib/xvfb.bash"
invex=$1 checker=$2 out=$3
mkdir -p "$out"
run=$out/saved_run
rm -rf "$run"
fail() { echo "FAIL: $*"; exit 1; }
gui() { in_xvfb "$invex" gui "$@"; }

gui --preset circle/complex --train-steps 10 --frames 10 --save-run "$run" --stats --exit |
  tee "$out/save.log"
[ -s "$run/run.invex" ] && [ -s "$run/config.json" ] || fail "the run was not saved"
gui --run "$run" --frames 10 --screenshot "$out/reopened.png" --stats --exit | tee "$out/open.log"

field() { awk -v k="$1" '$0 ~ "^" k {print $NF}' "$2"; }
step_saved=$(awk '/^snapshot step/ {print $3}' "$out/save.log")
step_open=$(awk '/^snapshot step/ {print $3}' "$out/open.log")
[ -n "$step_open" ] && [ "$step_open" = "$step_saved" ] ||
  fail "reopened at step '$step_open', saved at step '$step_saved'"
a_saved=$(field "activation at z" "$out/save.log")
a_open=$(field "activation at z" "$out/open.log")
[ -n "$a_open" ] && [ "$a_open" = "$a_saved" ] ||
  fail "activation at z is '$a_open' after reopening, '$a_saved' when saved"
view=$(awk '/^view_rect/ {print $2, $3, $4, $5}' "$out/open.log")
# shellcheck disable=SC2086
"$checker" "$out/reopened.png" 1280 800 manifold_image $view
echo "ok: saved at step $step_saved and reopened with a(z) = $a_open"
