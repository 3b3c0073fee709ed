#!/usr/bin/env bash
# Faults at the disk, as a user meets them: a full disk (injected with INVEX_FAIL_WRITE_AFTER at
# the first and at a later write, and a real one on a small tmpfs where this machine lets us
# mount), a read-only output directory, a directory where a file is expected, and paths with
# spaces and non-ASCII characters. A failure is one line naming the path and the OS error, exit 2,
# and every file written before it stays whole: the last good checkpoint resumes.
set -u
invex="$1"
# As root, a private mount namespace holds this script's tmpfs and read-only bind mount; they
# vanish with it, whatever happens.
if [[ -z ${FAULTS_PRIVATE_MOUNTS:-} && $(id -u) -eq 0 ]] && unshare -m true 2>/dev/null; then
  FAULTS_PRIVATE_MOUNTS=1 exec unshare -m bash "$0" "$@"
fi
tmp=$(mktemp -d)
trap 'umount "$tmp/small" "$tmp/ro" 2>/dev/null; chmod -R u+w "$tmp"; rm -rf "$tmp"' EXIT
source "$(dirname "$0")/lib/expect.bash"
full="No space left on device"

# 400 short steps of 12×12 images with the MEI given: a run takes a second or two.
echo '{"neuron": {"resolution": [12, 12]}, "image": {"height": 12, "width": 12},
       "latent": {"grid_points": 10}, "training": {"epochs_per_reg": 1, "steps_per_epoch": 200},
       "mei": {"activation": 5}}' >"$tmp/c.json"
total=400  # 2 λ phases × 200 steps
train() { "$invex" train --config "$tmp/c.json" --threads 1 --quiet "$@"; }
"$invex" train --config "$tmp/c.json" --out "$tmp/ref" --threads 1 --quiet >/dev/null 2>&1
check "the reference run finishes" -- test "$(json "$tmp/ref/report.json" 'j["steps"]')" = $total

no_temporaries() { check "$1: no temporary file left" -- test -z "$(find "$1" -name '*.tmp.*' -o -name '*.staged')"; }
# resumes_like_ref DIR STEP [ARGS]: --resume DIR says it starts at STEP and ends with the reference
# run's images and log.
resumes_like_ref() {
  local dir="$1" step="$2" out="${3:-$1}"
  "$invex" train --resume "$dir" --out "$out" --threads 1 >"$out.resumed" 2>"$out.resume_err"
  check "--resume $dir exits 0" -- test $? -eq 0
  check "--resume $dir starts at step $step" -- \
    grep -qxF "invex train: resuming $dir at step $step of $total" "$out.resume_err"
  check "--resume $dir: the reference run's images" -- cmp -s "$tmp/ref/manifold.npy" "$out/manifold.npy"
  check "--resume $dir: the reference run's log" -- cmp -s "$tmp/ref/log.csv" "$out/log.csv"
}

# --- A full disk, injected. The first write (config.json, before any training) fails:
expect 2 "invex train: cannot write $tmp/f0/config.json: $full" -- \
  env INVEX_FAIL_WRITE_AFTER=0 "$invex" train --config "$tmp/c.json" --out "$tmp/f0" --quiet
check "first write failed: nothing written" -- test -z "$(ls -A "$tmp/f0")"
# A later write: config.json and the checkpoints of steps 5 and 10 land, step 15's fails.
expect 2 "invex train: cannot write $tmp/f3/run.invex: $full" -- \
  env INVEX_FAIL_WRITE_AFTER=3 "$invex" train --config "$tmp/c.json" --out "$tmp/f3" --quiet \
  --threads 1 --checkpoint-every 5
check "later write failed: config.json and the last good checkpoint" -- \
  test "$(ls "$tmp/f3")" = "$(printf 'config.json\nrun.invex')"
no_temporaries "$tmp/f3"
resumes_like_ref "$tmp/f3" 10
# The end of a run: config.json, run.invex and manifold.npy land, latents.npy fails; the final
# checkpoint is whole, and --resume writes the rest without another step.
expect 2 "invex train: cannot write $tmp/fe/latents.npy: $full" -- \
  env INVEX_FAIL_WRITE_AFTER=4 "$invex" train --config "$tmp/c.json" --out "$tmp/fe" --quiet \
  --threads 1 --checkpoint-every 0
no_temporaries "$tmp/fe"
resumes_like_ref "$tmp/fe" $total

# invex render over an earlier export: every file afterwards is whole, the earlier export's or
# the new one's, and the frame sequence is never a mix.
render() { "$invex" render --run "$tmp/ref" --frames 4 --size 16 --quiet "$@"; }
render --out "$tmp/old" --colormap diverging >/dev/null 2>&1
render --out "$tmp/new" --colormap grey >/dev/null 2>&1
whole_files() {  # whole_files DIR: each file is byte for byte the old or the new export's
  local f bad=0
  while IFS= read -r f; do
    cmp -s "$1/$f" "$tmp/old/$f" || cmp -s "$1/$f" "$tmp/new/$f" || bad=1
  done < <(cd "$1" && find . -type f)
  check "$1: every file is a whole export's" -- test $bad -eq 0
  check "$1: the same files as before" -- \
    test "$(cd "$1" && find . | sort)" = "$(cd "$tmp/old" && find . | sort)"
  local frames
  frames=$(cd "$1/frames" && cat ./*.png | md5sum)
  check "$1: one sequence of frames" -- test "$frames" = "$(cat "$tmp"/old/frames/*.png | md5sum)" \
    -o "$frames" = "$(cat "$tmp"/new/frames/*.png | md5sum)"
  no_temporaries "$1"
}
for n in 0 2 6; do  # the GIF, a PNG frame, an .npy file
  cp -r "$tmp/old" "$tmp/r$n"
  out=$(INVEX_FAIL_WRITE_AFTER=$n render --out "$tmp/r$n" 2>&1)
  check "render, write $n fails: exit 2" -- test $? -eq 2
  check "render, write $n fails: one line naming the file and the OS error ($out)" -- \
    grep -qxE "invex render: cannot write $tmp/r$n/[a-z0-9_./]+: $full" <<<"$out"
  whole_files "$tmp/r$n"
done

# --- A real full disk: a tmpfs with room for config.json and one checkpoint, not two (the
# atomic write of the second needs the first's room again).
ckpt=$(stat -c %s "$tmp/ref/run.invex")
mkdir "$tmp/small"
if mount -t tmpfs -o size=$(((ckpt * 3 / 2 / 4096 + 2) * 4096)) tmpfs "$tmp/small" 2>/dev/null; then
  train --out "$tmp/small/run" --checkpoint-every 5 >/dev/null 2>"$tmp/small.err"
  check "tmpfs: exit 2 on a full disk" -- test $? -eq 2
  check "tmpfs: one line naming the file and the OS error" -- \
    grep -qE "^invex train: cannot write $tmp/small/run/[a-z.]+: $full\$" "$tmp/small.err"
  no_temporaries "$tmp/small"
  step=$("$invex" train --resume "$tmp/small/run" --out "$tmp/cont" --threads 1 2>&1 >/dev/null |
    sed -n 's/^invex train: resuming .* at step \([0-9]*\) of .*/\1/p')
  check "tmpfs: the last checkpoint resumes ($step)" -- test -n "$step" -a "${step:-0}" -ge 5
  check "tmpfs: resumed elsewhere, the reference run's images" -- \
    cmp -s "$tmp/ref/manifold.npy" "$tmp/cont/manifold.npy"
  rm -rf "$tmp/small/run"
  expect 2 ": $full" -- "$invex" render --run "$tmp/ref" --out "$tmp/small/x" --size 256 --quiet
  no_temporaries "$tmp/small"
else
  echo "skipped: a real full disk needs a tmpfs mount (root, or a private mount namespace)"
fi

# --- A read-only output directory: a bind mount made read-only for root, chmod for anyone else.
mkdir -p "$tmp/ro"
cp -r "$tmp/ref" "$tmp/ro/run"
if [[ $(id -u) -ne 0 ]]; then
  chmod -R a-w "$tmp/ro"
  reason="Permission denied"
elif mount --bind "$tmp/ro" "$tmp/ro" 2>/dev/null && mount -o remount,bind,ro "$tmp/ro" 2>/dev/null; then
  reason="Read-only file system"
else
  reason=""
  echo "skipped: a read-only directory for root needs a read-only bind mount"
fi
if [[ -n $reason ]]; then
  expect 2 "invex train: cannot create directory $tmp/ro/new: $reason" -- train --out "$tmp/ro/new"
  # --resume finds out before training that it cannot write where the run is.
  expect 2 "invex train: cannot write $tmp/ro/run/config.json: $reason" -- \
    "$invex" train --resume "$tmp/ro/run" --quiet
  expect 2 "invex render: cannot create directory $tmp/ro/export: $reason" -- \
    "$invex" render --run "$tmp/ro/run" --out "$tmp/ro/export" --quiet
  expect 2 "invex render: cannot write $tmp/ro/run/manifold.npy: $reason" -- \
    "$invex" render --run "$tmp/ro/run" --out "$tmp/ro/run" --npy --frames 4 --quiet
  check "read-only: the run is untouched" -- diff -r "$tmp/ref" "$tmp/ro/run"
fi

# --- A directory where a file is expected.
mkdir -p "$tmp/d/config.json" "$tmp/e/run.invex" "$tmp/x.json" "$tmp/g/manifold.gif" "$tmp/i.npy"
expect 2 "$tmp/x.json: cannot read the config file" -- train --config "$tmp/x.json"
expect 2 "invex train: cannot write $tmp/d/config.json: Is a directory" -- train --out "$tmp/d"
expect 2 "invex train: cannot write $tmp/e/run.invex: Is a directory" -- \
  train --out "$tmp/e" --checkpoint-every 5
expect 2 "invex train: cannot read $tmp/e/run.invex: Is a directory" -- \
  "$invex" train --resume "$tmp/e"
expect 2 "invex render: cannot read $tmp/e/run.invex: Is a directory" -- \
  "$invex" render --run "$tmp/e" --out "$tmp/e2"
expect 2 "invex render: cannot write $tmp/g/manifold.gif: Is a directory" -- \
  "$invex" render --run "$tmp/ref" --out "$tmp/g" --gif --frames 4 --size 16 --quiet
expect 2 "cannot read $tmp/i.npy: Is a directory" -- \
  "$invex" eval --config "$tmp/c.json" --images "$tmp/i.npy"
"$invex" render --run "$tmp/ref" --out "$tmp/n" --npy --frames 3 --size 12 --quiet >/dev/null 2>&1
expect 2 "cannot write $tmp/i.npy: Is a directory" -- \
  "$invex" eval --config "$tmp/c.json" --images "$tmp/n/manifold.npy" --out "$tmp/i.npy"

# --- Spaces and non-ASCII characters: everything works and messages show the path as given.
p="$tmp/my runs/Überprüfung – 日本語 é"
expect 0 '"steps": 400' -- train --out "$p"
check "odd path: every file written" -- test -s "$p/report.json" -a -s "$p/run.invex"
expect 0 "invex train: resuming $p at step $total of $total" -- "$invex" train --resume "$p"
expect 0 "wrote manifold.gif" -- "$invex" render --run "$p" --out "$p/export ü" --frames 4 --size 16
check "odd path: the same images as anywhere else" -- cmp -s "$p/manifold.npy" "$tmp/ref/manifold.npy"
expect 2 "$p/nö such.json: cannot read the config file" -- train --config "$p/nö such.json"
no_temporaries "$tmp/my runs"

finish
