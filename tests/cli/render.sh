#!/usr/bin/env bash
# invex render as a user runs it: the files it writes for a tiny trained run, the format flags,
# and its error paths (one line naming the problem, exit 2, nothing created).
set -u
invex="$1"
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
source "$(dirname "$0")/lib/expect.bash"

npy_header() { head -c 128 "$1" | tail -c +11 | tr -d '\n'; }

# Two tiny runs (a few training steps, the MEI given): a 1-D loop and a 2-D cylinder.
echo '{"latent": {"grid_points": 10}, "training": {"epochs_per_reg": 1, "steps_per_epoch": 2},
       "mei": {"activation": 32.5664}}' >"$tmp/c1.json"
echo '{"latent": {"periodic": [true, false], "grid_points": 6}, "loss": {"neighbor_size": 0.34},
       "training": {"epochs_per_reg": 1, "steps_per_epoch": 2},
       "mei": {"activation": 32.5664}}' >"$tmp/c2.json"
"$invex" train --config "$tmp/c1.json" --out "$tmp/r1" --quiet --threads 1 >/dev/null 2>&1 ||
  fail "training the 1-D test run"
"$invex" train --config "$tmp/c2.json" --out "$tmp/r2" --quiet --threads 1 >/dev/null 2>&1 ||
  fail "training the 2-D test run"

# Everything, 1-D.
expect 0 "wrote manifold.gif" -- "$invex" render --run "$tmp/r1" --out "$tmp/o1" --frames 8 --size 24
o="$tmp/o1"
check "GIF89a header" -- test "$(head -c 6 "$o/manifold.gif")" = "GIF89a"
check "GIF loops (NETSCAPE2.0)" -- grep -qa "NETSCAPE2.0" "$o/manifold.gif"
check "8 PNG frames" -- test "$(ls "$o/frames" | grep -c '^frame_[0-9]\{4\}\.png$')" -eq 8
check "PNG magic" -- test "$(head -c 4 "$o/frames/frame_0007.png" | tail -c 3)" = "PNG"
check "manifold.npy shape" -- grep -qF "'shape': (8, 1, 24, 24), }" <(npy_header "$o/manifold.npy")
check "manifold.npy size" -- test "$(stat -c %s "$o/manifold.npy")" -eq $((128 + 8 * 24 * 24 * 4))
check "latents.npy shape" -- grep -qF "'shape': (8, 1), }" <(npy_header "$o/latents.npy")
check "activations.npy shape" -- grep -qF "'shape': (8,), }" <(npy_header "$o/activations.npy")
check "activations.csv rows" -- test "$(wc -l <"$o/activations.csv")" -eq 9
check "activations.csv header" -- test "$(head -1 "$o/activations.csv")" = "frame,z0,activation"
check "figure.png" -- test "$(head -c 4 "$o/figure.png" | tail -c 3)" = "PNG"
check "no temporary files" -- test -z "$(find "$o" -name '*.tmp.*')"

# At the training resolution along the canonical loop (100 points for a periodic 1-D latent),
# render reproduces the images train saved, bit for bit: same frozen CPPN, same transform.
expect 0 "wrote" -- "$invex" render --run "$tmp/r1" --out "$tmp/same" --npy --frames 100 --size 30
check "same images as the run" -- cmp -s "$tmp/r1/manifold.npy" "$tmp/same/manifold.npy"
check "same latents as the run" -- cmp -s "$tmp/r1/latents.npy" "$tmp/same/latents.npy"

# A shorter re-export replaces the frame sequence instead of mixing with the old one.
expect 0 "frames/ (4 PNG)" -- "$invex" render --run "$tmp/r1" --out "$o" --png --frames 4 --size 16
check "stale frames removed" -- test "$(ls "$o/frames" | wc -l)" -eq 4

# Format flags select outputs; the run can also be named by its .invex file.
expect 0 "wrote manifold.gif to" -- "$invex" render --run "$tmp/r1/run.invex" --out "$tmp/g" --gif --frames 4 --size 16
check "--gif writes only the GIF" -- test "$(ls "$tmp/g")" = "manifold.gif"

# 2-D, every path.
for p in axis0 axis1 loop; do
  expect 0 "wrote" -- "$invex" render --run "$tmp/r2" --out "$tmp/o2$p" --path $p --frames 6 --size 16 --colormap diverging
done
check "2-D latents.npy shape" -- grep -qF "'shape': (6, 2), }" <(npy_header "$tmp/o2loop/latents.npy")
check "2-D csv header" -- test "$(head -1 "$tmp/o2loop/activations.csv")" = "frame,z0,z1,activation"

# Errors: one line, exit 2, and no output directory made for bad input.
touch "$tmp/file"
expect 2 "invex render: --run: no such directory $tmp/nope" -- "$invex" render --run "$tmp/nope" --out "$tmp/e"
expect 2 "no saved run in $tmp (expected $tmp/run.invex)" -- "$invex" render --run "$tmp" --out "$tmp/e"
expect 2 "not an invex run file" -- "$invex" render --run "$tmp/file" --out "$tmp/e"
expect 2 "cannot create directory $tmp/file/out: Not a directory" -- "$invex" render --run "$tmp/r1" --out "$tmp/file/out"
expect 2 "unknown colour map 'jet' (valid: grey, diverging)" -- "$invex" render --run "$tmp/r1" --out "$tmp/e" --colormap jet
expect 2 "unknown export path 'spiral' (valid: axis0, axis1, loop)" -- "$invex" render --run "$tmp/r1" --out "$tmp/e" --path spiral
expect 2 "export path 'axis1' needs a 2-D latent" -- "$invex" render --run "$tmp/r1" --out "$tmp/e" --path axis1
expect 2 "fps must be in (0, 50] (got 80)" -- "$invex" render --run "$tmp/r1" --out "$tmp/e" --fps 80
expect 2 "--frames: expected an integer from 2 to 10000, got '1'" -- "$invex" render --run "$tmp/r1" --out "$tmp/e" --frames 1
expect 2 "--size: expected an integer" -- "$invex" render --run "$tmp/r1" --out "$tmp/e" --size big
expect 2 "unknown option '--mp4'" -- "$invex" render --run "$tmp/r1" --out "$tmp/e" --mp4
expect 2 "invex render: --out is required" -- "$invex" render --run "$tmp/r1"
check "no output directory for bad input" -- test ! -e "$tmp/e"
expect 0 "usage: invex render" -- "$invex" render --help

finish
