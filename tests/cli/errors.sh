#!/usr/bin/env bash
# The command line's error paths, as a user meets them: one line naming the problem, exit 2.
set -u
invex="$1"
src="$2"
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
source "$(dirname "$0")/lib/expect.bash"

expect 2 "unknown preset 'circle/nope'" -- "$invex" train --preset circle/nope --out "$tmp/a"
expect 2 "give exactly one of --preset NAME or --config FILE" -- "$invex" train --out "$tmp/a"
expect 2 "unknown option '--epochs'" -- "$invex" train --preset circle/complex --epochs 3
expect 2 "--steps-per-epoch: expected an integer" -- "$invex" train --preset circle/complex --steps-per-epoch abc
expect 2 "$tmp/missing.json: cannot read the config file" -- "$invex" train --config "$tmp/missing.json"
printf '{\n  "loss": {"tau": 0.3,\n}\n' >"$tmp/broken.json"
expect 2 "$tmp/broken.json:3:1: malformed JSON" -- "$invex" train --config "$tmp/broken.json"
echo '{"neuron": {"type": "gabor-fancy"}}' >"$tmp/type.json"
expect 2 "neuron.type: unknown neuron type 'gabor-fancy'" -- "$invex" train --config "$tmp/type.json"
echo '{"latent": {"grid_points": 2}}' >"$tmp/g.json"
expect 2 "latent.grid_points: expected G >= 3" -- "$invex" train --config "$tmp/g.json"
echo '{"loss": {"tau": -1}}' >"$tmp/tau.json"
expect 2 "loss.tau: expected a positive number" -- "$invex" train --config "$tmp/tau.json"
echo '{"loss": {"neighbor_size": 0.001}}' >"$tmp/nb.json"
expect 2 "no point has a neighbour" -- "$invex" train --config "$tmp/nb.json"
echo '{"training": {"lr": 0}}' >"$tmp/lr.json"
expect 2 "training.lr: expected a positive number" -- "$invex" train --config "$tmp/lr.json"
touch "$tmp/file"
expect 2 "$tmp/file/out" -- "$invex" train --preset circle/complex --out "$tmp/file/out"
expect 2 "not an invex run file" -- bash -c "mkdir -p $tmp/r && echo junk > $tmp/r/run.invex && '$invex' train --resume $tmp/r"
expect 2 "cannot read" -- "$invex" eval --preset circle/complex --images "$tmp/none.npy"
echo "not numpy" >"$tmp/bad.npy"
expect 2 "$tmp/bad.npy" -- "$invex" eval --preset circle/complex --images "$tmp/bad.npy"
expect 2 "unknown command 'trian'" -- "$invex" trian
expect 0 "circle/complex" -- "$invex" presets

finish
