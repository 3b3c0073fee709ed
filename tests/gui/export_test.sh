#!/usr/bin/env bash
# The Export panel end to end, without a person: `invex gui --export DIR` trains a little,
# then exports with the panel's default settings as its button does (on the panel's own
# thread, the window drawing a progress bar meanwhile) and leaves once the export has ended.
# Then the files are checked, and an unusable directory must give the panel's inline error and
# exit status 1 without leaving the app hanging.
# usage: export_test.sh INVEX OUTDIR
set -euo pipefail
source "$(dirname "$0")/lib/xvfb.bash"
invex=$1 out=$2
mkdir -p "$out"
exp=$out/export
rm -rf "$exp" "$out/file"
fail() { echo "FAIL: $*"; exit 1; }
gui() { in_xvfb "$invex" gui "$@"; }

gui --preset circle/complex --train-steps 10 --frames 10 --export "$exp" \
  --screenshot "$out/export.png" --exit | tee "$out/export.log"
grep -q "^wrote 70 files to $exp in " "$out/export.log" || fail "no 'wrote 70 files' line"
[ "$(head -c 6 "$exp/manifold.gif")" = "GIF89a" ] || fail "manifold.gif"
[ "$(ls "$exp/frames" | grep -c '^frame_[0-9]\{4\}\.png$')" -eq 64 ] || fail "64 PNG frames"
head -c 128 "$exp/manifold.npy" | grep -qF "'shape': (64, 1, 256, 256), }" || fail "manifold.npy"
head -c 128 "$exp/activations.npy" | grep -qF "'shape': (64,), }" || fail "activations.npy"
[ "$(wc -l <"$exp/activations.csv")" -eq 65 ] || fail "activations.csv"
[ "$(head -c 4 "$exp/figure.png" | tail -c 3)" = "PNG" ] || fail "figure.png"
[ -z "$(find "$exp" -name '*.tmp.*')" ] || fail "temporary files left"

touch "$out/file"
if gui --preset circle/complex --train-steps 2 --frames 5 --export "$out/file/x" --exit \
  >"$out/error.log"; then
  fail "an export under a regular file succeeded"
fi
grep -q "^export failed: cannot create directory $out/file/x: Not a directory" "$out/error.log" ||
  fail "no inline error line: $(cat "$out/error.log")"
echo "ok: the GUI exported 70 files and reported an unusable directory"
