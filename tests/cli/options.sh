#!/usr/bin/env bash
# How invex reads options, seen in what train writes: --name=value equals --name value, a
# repeated option keeps its last value, integers are base 10 (010 is ten), negative numbers are
# values, and every override lands in the run's config.json (and the report).
set -u
invex="$1"
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
source "$(dirname "$0")/lib/expect.bash"

# A 4-step run of circle/complex with every override given, some twice or with '='.
"$invex" train --preset circle/complex --out "$tmp/a" --threads 1 --quiet \
  --epochs-per-reg 3 --epochs-per-reg=1 --steps-per-epoch=2 --seed 5 --seed 010 \
  --checkpoint-every=3 --stop-mean -1 --stop-min=-2.5 --mei 32.5664 >"$tmp/a.json" 2>"$tmp/a.err"
check "exit 0" -- test $? -eq 0
check "nothing on stderr with --quiet" -- test ! -s "$tmp/a.err"
c="$tmp/a/config.json"
check "--epochs-per-reg: the last one, 1" -- test "$(json "$c" 'j["training"]["epochs_per_reg"]')" = 1
check "--steps-per-epoch=2" -- test "$(json "$c" 'j["training"]["steps_per_epoch"]')" = 2
check "--seed 010 is ten (and the last one)" -- test "$(json "$c" 'j["training"]["seed"]')" = 10
check "--checkpoint-every=3" -- test "$(json "$c" 'j["training"]["checkpoint_every"]')" = 3
check "--stop-mean -1 --stop-min=-2.5: the stop rule" -- \
  test "$(json "$c" 'j["training"]["stop_when"]')" = "{'mean': -1.0, 'min': -2.5}"
check "--mei" -- test "$(json "$c" 'j["mei"]["activation"]')" = 32.5664
check "the preset's own fields are kept" -- test "$(json "$c" 'j["name"], j["neuron"]["type"]')" = "('circle/complex', 'gabor-complex')"
# The stop rule (mean >= -1, min >= -2.5) holds after the first epoch: 2 of the 4 steps.
check "the report: stopped by the rule after one epoch" -- \
  test "$(json "$tmp/a.json" 'j["steps"], j["total_steps"], j["stopped_because"]')" = "(2, 4, 'stop rule met')"
check "the report: the MEI given" -- test "$(json "$tmp/a.json" 'j["mei_activation"]')" = 32.5664

# One of --stop-mean/--stop-min turns the rule on with the other from the config.
"$invex" train --preset circle/complex --out "$tmp/b" --threads 1 --quiet --epochs-per-reg 1 \
  --steps-per-epoch 1 --stop-min 0.5 --mei 32.5664 >/dev/null 2>&1
check "--stop-min alone: mean from the config" -- \
  test "$(json "$tmp/b/config.json" 'j["training"]["stop_when"]')" = "{'mean': 0.95, 'min': 0.5}"

# Options that do not fit together.
expect 2 "invex train: --resume continues a saved run with its own config: do not give --seed" -- \
  "$invex" train --resume "$tmp/a" --seed 3
expect 2 "invex train: --resume continues a saved run: do not give --preset or --config" -- \
  "$invex" train --resume "$tmp/a" --preset circle/complex
expect 2 "invex eval: give exactly one of --preset NAME or --config FILE" -- \
  "$invex" eval --preset circle/complex --config "$tmp/a/config.json" --images "$tmp/x.npy"
expect 2 "invex train: --out: 1 required DIR missing" -- "$invex" train --preset circle/complex --out
expect 2 "invex train: Could not convert: --quiet = maybe" -- "$invex" train --preset circle/complex --quiet=maybe
expect 2 "invex train: unexpected argument 'circle/complex'" -- "$invex" train circle/complex
# The GUI's options are checked before any window opens.
expect 2 "invex gui: --mouse: expected X,Y in pixels (two numbers >= 0), got '3'" -- "$invex" gui --mouse 3
expect 2 "invex gui: --timeout: expected an integer from 0 to 1000000000, got '1.5'" -- "$invex" gui --timeout 1.5
expect 2 "invex gui: unknown option '--bogus'" -- "$invex" gui --exit --bogus
expect 2 "invex: unknown option '--bogus'" -- "$invex" --bogus
expect 2 "invex presets: unexpected argument 'circle'" -- "$invex" presets circle

finish
