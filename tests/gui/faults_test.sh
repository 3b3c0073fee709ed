#!/usr/bin/env bash
# The GUI's Save run and Export on a full disk (INVEX_FAIL_WRITE_AFTER=0: every write fails), as
# `invex gui --save-run DIR --export DIR` does them: each reports the path and the OS error, the
# app exits with status 1 instead of hanging, no temporary file is left, and a run saved earlier
# to the same directory is untouched.
# usage: faults_test.sh INVEX OUTDIR
set -uo pipefail
source "$(dirname "$0")/lib/xvfb.bash"
invex=$1 out=$2
full="No space left on device"
rm -rf "$out"
mkdir -p "$out"
fail() { echo "FAIL: $*"; exit 1; }
gui() { in_xvfb "$invex" gui "$@"; }

gui --preset circle/complex --train-steps 2 --save-run "$out/run" --exit >"$out/good.log" 2>&1 ||
  fail "the first save: $(tail -3 "$out/good.log")"
cp -r "$out/run" "$out/before"

INVEX_FAIL_WRITE_AFTER=0 gui --preset circle/complex --train-steps 4 --save-run "$out/run" \
  --export "$out/export" --exit >"$out/full.log" 2>&1 && fail "saving to a full disk succeeded"
grep -qxF "invex gui: could not save the run to $out/run: save failed: cannot write $out/run/config.json: $full" \
  "$out/full.log" || fail "no save error line: $(cat "$out/full.log")"
grep -qxF "export failed: cannot write $out/export/manifold.gif: $full" "$out/full.log" ||
  fail "no export error line: $(cat "$out/full.log")"
diff -r "$out/before" "$out/run" >/dev/null || fail "the earlier save changed"
[ -z "$(find "$out" -name '*.tmp.*' -o -name '*.staged')" ] || fail "temporary files left"
echo "ok: the GUI reported a full disk for Save run and Export and kept the earlier save"
