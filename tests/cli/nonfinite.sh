#!/usr/bin/env bash
# invex train on a loss that stops being finite: exit 3 with one line naming the step, and the
# last good state written (run.invex and the report at that step) so nothing is lost.
set -u
invex="$1"
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
source "$(dirname "$0")/lib/expect.bash"

small='"neuron": {"resolution": [12, 12]}, "image": {"height": 12, "width": 12},
       "latent": {"grid_points": 10}'
# A learning rate of 1e30: the first step is finite and moves every weight by about 1e30 (Adam
# steps are about lr), so the second step's images overflow float32.
echo "{$small, \"training\": {\"epochs_per_reg\": 1, \"steps_per_epoch\": 5, \"lr\": 1e30},
       \"mei\": {\"activation\": 5}}" >"$tmp/lr.json"
# An MEI activation of 1e-300 is 0 in float32: the very first loss is -inf.
echo "{$small, \"training\": {\"epochs_per_reg\": 1, \"steps_per_epoch\": 5},
       \"mei\": {\"activation\": 1e-300}}" >"$tmp/mei.json"

# lr: step 1 fails and the run returns to step 0, before the update that diverged; mei: step 0
# fails and nothing had changed yet.
for case in lr:1:0 mei:0:0; do
  IFS=: read -r name step kept <<<"$case"
  dir="$tmp/$name"
  "$invex" train --config "$tmp/$name.json" --out "$dir" --threads 1 >"$dir.out" 2>"$dir.err"
  check "$name: exit 3" -- test $? -eq 3
  check "$name: says which step" -- \
    grep -qF "invex train: non-finite loss or gradient at step $step" "$dir.err"
  check "$name: says the last good state is kept" -- \
    grep -qF "the last good state is kept (step $kept)" "$dir.err"
  check "$name: the run is written" -- test -s "$dir/run.invex" -a -s "$dir/config.json" \
    -a -s "$dir/manifold.npy" -a -s "$dir/log.csv"
  check "$name: the report stops at step $kept" -- \
    test "$(json "$dir/report.json" 'j["steps"], j["stopped_because"][:24]')" = "($kept, 'non-finite loss or gradi')"
  # The weights of the kept state render (the MEI case overflows in the normalisation instead).
  [[ $name == lr ]] && check "$name: the kept state's activations are finite" -- \
    test "$(json "$dir/report.json" 'j["mean_activation"] is not None')" = True
  check "$name: report.json as printed" -- cmp -s <(json "$dir.out" j) <(json "$dir/report.json" j)
done

# The written state is the last good one: resuming it meets the same step again.
"$invex" train --resume "$tmp/lr" --threads 1 >/dev/null 2>"$tmp/resume.err"
check "resuming: exit 3 again" -- test $? -eq 3
check "resuming: from step 0" -- grep -qF "resuming $tmp/lr at step 0 of 10" "$tmp/resume.err"
check "resuming: the same step fails" -- \
  grep -qF "non-finite loss or gradient at step 1" "$tmp/resume.err"

finish
