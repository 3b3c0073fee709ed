#!/usr/bin/env bash
# Stopping invex train and going on: SIGINT and SIGTERM save the run and exit 130 naming the
# command that resumes it; --resume continues from the saved step to the end with the same
# result, bit for bit, as a run that was never stopped; a run killed outright (SIGKILL) resumes
# from its last checkpoint.
set -u
invex="$1"
tmp=$(mktemp -d)
pids=()
trap 'kill -KILL "${pids[@]}" 2>/dev/null; rm -rf "$tmp"' EXIT
source "$(dirname "$0")/lib/expect.bash"

# 1000 short steps (12x12 images, 10 latent points, the MEI given): long enough to interrupt
# after the first checkpoint, short enough to finish in seconds.
echo '{"neuron": {"resolution": [12, 12]}, "image": {"height": 12, "width": 12},
       "latent": {"grid_points": 10}, "training": {"epochs_per_reg": 1, "steps_per_epoch": 500},
       "mei": {"activation": 5}}' >"$tmp/c.json"
total=1000

"$invex" train --config "$tmp/c.json" --out "$tmp/full" --threads 1 --quiet >/dev/null 2>&1
check "the reference run finishes" -- test "$(json "$tmp/full/report.json" 'j["steps"]')" = $total

# start_training DIR: trains in the background with a checkpoint every 5 steps; sets $pid.
start_training() {
  "$invex" train --config "$tmp/c.json" --out "$1" --threads 1 --checkpoint-every 5 \
    >"$1.out" 2>"$1.err" &
  pid=$!
  pids+=("$pid")
}
# wait_for_checkpoint DIR: until DIR/run.invex exists (at most 60 s).
wait_for_checkpoint() {
  for _ in $(seq 600); do
    [[ -e "$1/run.invex" ]] && return 0
    sleep 0.1
  done
  fail "no checkpoint in $1 after 60 s"
  return 1
}
# resume DIR: --resume finishes the run with every step, the reference run's images and log;
# sets $from to the step it says it starts at.
resume() {
  local dir="$1"
  "$invex" train --resume "$dir" --threads 1 >"$dir.resumed" 2>"$dir.resume_err"
  check "--resume $dir exits 0" -- test $? -eq 0
  from=$(sed -n "s|^invex train: resuming $dir at step \([0-9]*\) of $total\$|\1|p" "$dir.resume_err")
  check "--resume $dir says where it starts" -- test -n "$from"
  check "--resume $dir reports every step" -- test "$(json "$dir.resumed" 'j["steps"]')" = $total
  check "--resume $dir: report.json as printed" -- \
    cmp -s <(json "$dir.resumed" j) <(json "$dir/report.json" j)
  check "--resume $dir: the reference run's images" -- \
    cmp -s "$tmp/full/manifold.npy" "$dir/manifold.npy"
  check "--resume $dir: the reference run's log" -- cmp -s "$tmp/full/log.csv" "$dir/log.csv"
}

for signal in INT TERM; do
  dir="$tmp/$signal"
  start_training "$dir"
  wait_for_checkpoint "$dir" || continue
  kill -"$signal" "$pid"
  wait "$pid"
  check "SIG$signal: exit 130" -- test $? -eq 130
  check "SIG$signal: says how to resume" -- \
    grep -qxF "invex train: interrupted; resume with: invex train --resume $dir" "$dir.err"
  check "SIG$signal: the run is saved as interrupted" -- \
    test "$(json "$dir/report.json" 'j["stopped_because"]')" = interrupted
  steps=$(json "$dir/report.json" 'j["steps"]')
  check "SIG$signal: stopped after the first checkpoint, before the end ($steps)" -- \
    test "$steps" -ge 5 -a "$steps" -lt $total
  check "SIG$signal: report.json as printed" -- cmp -s <(json "$dir.out" j) <(json "$dir/report.json" j)
  if [[ $signal == INT ]]; then
    resume "$dir"
    check "SIGINT: resumed at the step it stopped at ($from)" -- test "$from" = "$steps"
  fi
done

# SIGKILL: nothing is written at the end; the last checkpoint (a multiple of 5) is the run.
dir="$tmp/KILL"
start_training "$dir"
if wait_for_checkpoint "$dir"; then
  sleep 0.2
  kill -KILL "$pid"
  wait "$pid" 2>/dev/null
  check "SIGKILL: no report" -- test ! -e "$dir/report.json"
  resume "$dir"
  check "SIGKILL: resumed at a checkpoint ($from)" -- test $((from % 5)) -eq 0 -a "$from" -ge 5
fi

finish
