#!/usr/bin/env bash
# The GUI as a user first sees it: `invex gui` under Xvfb trains circle/complex for 50 steps, runs
# 60 frames, saves a screenshot and frame statistics; then the screenshot is checked where the
# GUI says its manifold image and activation plot are, and the p99 frame time is checked
# against the budget (INVEX_GUI_P99_MS, default 33 ms). The budget holds for the GUI and its
# training on the machine's cores; when other processes took a sizeable share of the CPU
# during the run (more than INVEX_GUI_BUSY_CORES, default 0.3 cores on average), a miss is
# reported as a warning instead, unless INVEX_GUI_STRICT=1.
# usage: screenshot_test.sh INVEX CHECKER OUTDIR
set -euo pipefail
source "$(dirname "$0")/lib/xvfb.bash"
invex=$1 checker=$2 out=$3
budget=${INVEX_GUI_P99_MS:-33}
steps=50
mkdir -p "$out"
png=$out/gui_screenshot.png
log=$out/gui_screenshot.log
rm -f "$png" "$log"

busy_jiffies() { awk '/^cpu / {print $2 + $3 + $4 + $7 + $8 + $9}' /proc/stat; }
start_busy=$(busy_jiffies)
start_ns=$(date +%s%N)
in_xvfb "$invex" gui --preset circle/complex \
  --train-steps $steps --frames 60 --screenshot "$png" --stats --exit | tee "$log"
elapsed=$(( ($(date +%s%N) - start_ns) / 1000000 ))
# CPU seconds of everything on the machine minus ours (the children of this shell).
ours=$(times | awk 'NR == 2 { split($1, u, /[ms]/); split($2, s, /[ms]/);
                             print u[1] * 60 + u[2] + s[1] * 60 + s[2] }')
others=$(awk -v b0="$start_busy" -v b1="$(busy_jiffies)" -v hz="$(getconf CLK_TCK)" \
  -v ours="$ours" -v ms="$elapsed" 'BEGIN { o = ((b1 - b0) / hz - ours) / (ms / 1000);
                                            printf "%.2f", o < 0 ? 0 : o }')
echo "other processes used $others cores on average during the run"

fail() { echo "FAIL: $*"; exit 1; }
[ -s "$png" ] || fail "no screenshot written"
step=$(awk '/^snapshot step/ {print $3}' "$log")
[ -n "$step" ] || fail "the GUI never received a snapshot"
[ "$step" -ge $steps ] || fail "training stopped at step $step, before $steps"
view=$(awk '/^view_rect/ {print $2, $3, $4, $5}' "$log")
plot=$(awk '/^plot_rect/ {print $2, $3, $4, $5}' "$log")
# shellcheck disable=SC2086
"$checker" "$png" 1280 800 manifold_image $view activation_plot $plot

p99=$(awk '/^frame time/ {for (i = 1; i <= NF; ++i) if ($i == "p99") print $(i + 1)}' "$log")
[ -n "$p99" ] || fail "no frame statistics"
if awk -v p="$p99" -v b="$budget" 'BEGIN { exit !(p <= b) }'; then
  echo "ok: p99 frame time $p99 ms (budget $budget ms); screenshot $png"
elif [ "${INVEX_GUI_STRICT:-0}" != 1 ] &&
     awk -v o="$others" -v m="${INVEX_GUI_BUSY_CORES:-0.3}" 'BEGIN { exit !(o > m) }'; then
  echo "WARNING: p99 frame time $p99 ms is over the $budget ms budget, but other processes"
  echo "         used $others cores during the run: not counted as a failure"
else
  fail "p99 frame time $p99 ms is over the $budget ms budget"
fi
