#!/usr/bin/env bash
# Regenerates the trained runs that ship in assets/runs/<preset>/ (core/io/shipped_run.h says
# what each folder holds):
#   assets/runs/make_runs.sh [INVEX] [PRESET...]
# INVEX is the binary (default build/app/invex), PRESET the presets to make (default: the
# simulated cells, circle/, sheet/ and torus/; the macaque presets need the model files of
# ../shared and are not shipped).
# Each preset trains with its own seed on a shorter schedule than its own: 10 epochs per λ
# (at most 2,000 steps), ending early at the first epoch whose canonical sweep has mean
# normalised activation >= 0.95 and minimum >= 0.9 (method.md §6, the stop rule). Training and
# the MEI are deterministic whatever the number of threads, so a rerun on the same machine
# writes the same bytes (check with `git status` or cmp); another processor's OpenBLAS kernel
# can change the last bits (method.md §12.6). Trainings run one at a time at a low priority.
set -euo pipefail
root="$(cd "$(dirname "$0")/../.." && pwd)"
invex="${1:-$root/build/app/invex}"
[[ $# -gt 0 ]] && shift
presets=("$@")
if [[ ${#presets[@]} -eq 0 ]]; then
  mapfile -t presets < <(INVEX_PRESETS="$root/assets/presets" "$invex" presets | cut -d' ' -f1 |
    grep -E '^(circle|sheet|torus)/')
fi

work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
# A cache of its own: the MEI activation is computed here, not taken from an older invex's cache.
export INVEX_CACHE_DIR="$work/cache" INVEX_PRESETS="$root/assets/presets"
start=$(date +%s)
for preset in "${presets[@]}"; do
  t0=$(date +%s)
  nice -n 10 "$invex" train --preset "$preset" --out "$work/$preset" --quiet \
    --epochs-per-reg 10 --stop-mean 0.95 --stop-min 0.9 --checkpoint-every 0 >"$work/report.json"
  nice -n 10 "$invex" pack --run "$work/$preset" --out "$root/assets/runs/$preset" 2>/dev/null
  echo "$preset: $(grep -oE '"steps": [0-9]+' "$work/report.json"), \
$(grep -oE '"mean_activation": [0-9.]{1,6}' "$work/report.json"), \
$(grep -oE '"min_activation": -?[0-9.]{1,6}' "$work/report.json"), $(($(date +%s) - t0)) s"
done
echo "all done in $(($(date +%s) - start)) s"
