#!/usr/bin/env bash
# kill -9 at random moments: invex train --checkpoint-every 50 is killed outright again and again
# (at random times, and while a checkpoint is being written), each time continued with --resume.
# Every --resume starts at a checkpoint no earlier than the last one, the run finishes with the
# images and log of a run never killed, and a cut-short run file is never read as valid.
set -u
invex="$1"
tmp=$(mktemp -d)
pid=""
trap '[[ -n $pid ]] && kill -KILL "$pid" 2>/dev/null; rm -rf "$tmp"' EXIT
source "$(dirname "$0")/lib/expect.bash"
kills_wanted=20
# Seconds for the kill loop: past it, the run is let finish. Sanitizer builds start and train
# several times slower, so tests/sanitizers/run.sh scales it with INVEX_TEST_TIME_SCALE.
time_limit=$((240 * ${INVEX_TEST_TIME_SCALE:-1}))

# circle/complex on a short schedule (2 λ phases × 4 epochs × 50 steps = 400 steps), the MEI
# given so no run spends its life searching for it.
args=(--preset circle/complex --epochs-per-reg 4 --steps-per-epoch 50 --checkpoint-every 50
  --mei 32.9 --threads 1)
total=400
"$invex" train "${args[@]}" --out "$tmp/ref" --quiet >/dev/null 2>&1
check "the reference run finishes" -- test "$(json "$tmp/ref/report.json" 'j["steps"]')" = $total

dir="$tmp/run"
mkdir "$tmp/left"
left=0
# start: a fresh run until the first checkpoint exists, --resume afterwards. Sets $pid, $from.
start() {
  if [[ -e $dir/run.invex ]]; then
    "$invex" train --resume "$dir" --threads 1 >"$tmp/out" 2>"$tmp/err" &
  else
    "$invex" train "${args[@]}" --out "$dir" >"$tmp/out" 2>"$tmp/err" &
  fi
  pid=$!
}
# resumed_at: the step the last --resume said it starts at ("" for a fresh run or none yet).
resumed_at() {
  local line
  for _ in $(seq 100); do
    line=$(sed -n 's/^invex train: resuming .* at step \([0-9]*\) of [0-9]*$/\1/p' "$tmp/err")
    [[ -n $line ]] && break
    kill -0 "$pid" 2>/dev/null || break
    sleep 0.05
  done
  echo "$line"
}

kills=0
last=0
bad_starts=0
t0=$SECONDS
while ((kills < kills_wanted && SECONDS - t0 < time_limit)); do
  start
  if [[ -e $dir/run.invex ]]; then
    from=$(resumed_at)
    if [[ -z $from ]] || ((from % 50 != 0 || from < last)); then
      bad_starts=$((bad_starts + 1))
      echo "resume $kills: started at '${from}' (last checkpoint seen: $last); stderr:"
      head -3 "$tmp/err"
    else
      last=$from
    fi
  fi
  case $((kills % 3)) in
    0)  # A random moment in the first 1.5 s: start-up, reading the checkpoint, the first steps.
      sleep "$(printf '%d.%03d' $((RANDOM % 2)) $((RANDOM % 500)))" ;;
    1)  # While a checkpoint is being written: its temporary file exists (at most 20 s).
      for _ in $(seq 4000); do
        compgen -G "$dir/run.invex.tmp.*" >/dev/null && break
        kill -0 "$pid" 2>/dev/null || break
        sleep 0.005
      done ;;
    2)  # A random moment up to 0.3 s after a new checkpoint landed (at most 20 s), so the run
      # moves on between kills.
      inode=$(stat -c %i "$dir/run.invex" 2>/dev/null)
      for _ in $(seq 400); do
        [[ $(stat -c %i "$dir/run.invex" 2>/dev/null) != "$inode" ]] && break
        kill -0 "$pid" 2>/dev/null || break
        sleep 0.05
      done
      sleep "0.$((RANDOM % 300))" ;;
  esac
  if ! kill -KILL "$pid" 2>/dev/null; then
    # On an idle machine the whole run can end between two kills: it must have ended as the
    # uninterrupted run did; then a fresh run takes the next kills.
    wait "$pid"
    code=$?
    check "a run that ended before its kill exits 0 (exit $code)" -- test $code -eq 0
    check "a run that ended before its kill has the uninterrupted run's images" -- \
      cmp -s "$tmp/ref/manifold.npy" "$dir/manifold.npy"
    echo "the run finished before its kill; starting a fresh one"
    rm -rf "$dir"
    last=0
    continue
  fi
  wait "$pid" 2>/dev/null
  kills=$((kills + 1))
  if [[ -e $dir/report.json ]]; then
    # The kill landed after the run wrote its last file (report.json) but before it exited:
    # the results must be whole and the uninterrupted run's; a fresh run takes the next kills.
    check "kill $kills, after the last file: the uninterrupted run's images" -- \
      cmp -s "$tmp/ref/manifold.npy" "$dir/manifold.npy"
    echo "kill $kills landed after the run's last file; starting a fresh one"
    rm -rf "$dir"
    last=0
    continue
  fi
  # The next run's first successful write removes what this kill left: keep a copy to test.
  for f in "$dir"/run.invex.tmp.*; do
    [[ -e $f ]] && cp "$f" "$tmp/left/$kills.$(basename "$f")" && left=$((left + 1))
  done
done
echo "kill_loop: $kills kills in $((SECONDS - t0)) s ($left temporary files left by them);" \
  "last resume at step $last of $total"
check "at least $kills_wanted kills within $time_limit s" -- test $kills -ge $kills_wanted
check "every --resume started at a checkpoint, never going back" -- test $bad_starts -eq 0

# Let it finish: the result is the uninterrupted run's.
start
wait "$pid"
check "the last --resume finishes the run (exit 0)" -- test $? -eq 0
pid=""
check "every step done" -- test "$(json "$dir/report.json" 'j["steps"]')" = $total
check "the uninterrupted run's images" -- cmp -s "$tmp/ref/manifold.npy" "$dir/manifold.npy"
check "the uninterrupted run's log" -- cmp -s "$tmp/ref/log.csv" "$dir/log.csv"

# A run file cut short anywhere is rejected with one line, never resumed from.
size=$(stat -c %s "$dir/run.invex")
mkdir "$tmp/cut"
for n in 100 $((RANDOM * size / 32768)) $((size - 1)); do
  head -c "$n" "$dir/run.invex" >"$tmp/cut/run.invex"
  expect 2 "$tmp/cut/run.invex" -- "$invex" train --resume "$tmp/cut" --threads 1
done
# A finished run's directory holds no temporary file: each kill's was removed by a later write.
check "no temporary file is left in the finished run's directory" -- \
  test -z "$(compgen -G "$dir/run.invex.tmp.*")"
# Every temporary file a kill left behind is rejected, unless it is a whole checkpoint.
for f in "$tmp"/left/*; do
  [[ -e $f ]] || continue
  cp "$f" "$tmp/cut/run.invex"
  out=$("$invex" train --resume "$tmp/cut" --threads 1 --quiet 2>&1 >/dev/null)
  code=$?
  if [[ $code -eq 0 ]]; then
    check "a left-over temporary file that resumes is a whole checkpoint" -- \
      cmp -s "$tmp/cut/manifold.npy" "$tmp/ref/manifold.npy"
  else
    check "a left-over temporary file is rejected with one line ($out)" -- \
      test $code -eq 2 -a "$(wc -l <<<"$out")" -eq 1
  fi
  rm -f "$tmp/cut/"*
done

finish
