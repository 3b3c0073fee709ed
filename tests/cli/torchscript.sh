#!/usr/bin/env bash
# A TorchScript model as a user brings one: the config beside the saved module (a relative
# neuron.file), a short training that writes its report, eval of the same neuron against the dot
# product by hand, and bad models as one-line errors with exit 2. The modules are written at build
# time (tests/torchscript/test_models.h); the third argument is their folder.
set -u
invex="$1"
src="$2"
models="$3"
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
source "$(dirname "$0")/lib/expect.bash"

mkdir -p "$tmp/model"
cp "$src/tests/data/torchscript_linear_filter.json" "$tmp/model/config.json"
cp "$models/linear_filter.pt" "$tmp/model/"
nice -n 10 "$invex" train --config "$tmp/model/config.json" --steps-per-epoch 5 --epochs-per-reg 1 \
  --threads 1 --out "$tmp/run" --quiet >"$tmp/train.log" 2>&1
check "train on a TorchScript neuron exits 0" -- test $? -eq 0
check "it writes report.json" -- test -s "$tmp/run/report.json"
check "a positive MEI and finite activations" -- json_is "$tmp/run/report.json" \
  "j['mei_activation'] > 0 and -10 < j['mean_activation'] < 10 and j['steps'] == 10"
check "config.json names the module by its absolute path" -- json_is "$tmp/run/config.json" \
  "j['neuron']['file'] == '$tmp/model/linear_filter.pt' and j['neuron']['input_shape'] == [1, 12, 12]"

# eval: the response to an image of ones is the sum of the filter's weights.
python3 - "$tmp/ones.npy" <<'PY'
import sys
header = "{'descr': '<f4', 'fortran_order': False, 'shape': (1, 1, 12, 12), }"
header += " " * (127 - 10 - len(header)) + "\n"
with open(sys.argv[1], "wb") as f:
    f.write(b"\x93NUMPY\x01\x00" + len(header).to_bytes(2, "little") + header.encode())
    f.write(b"\x00\x00\x80\x3f" * 144)
PY
"$invex" eval --config "$tmp/model/config.json" --images "$tmp/ones.npy" --out "$tmp/r.npy" \
  >"$tmp/eval.log" 2>&1
check "eval exits 0" -- test $? -eq 0
by_hand=$(python3 -c '
s = 0
for i in range(12):
    for j in range(12):
        s += 0.1 * (i - 5.5) + 0.05 * (j - 5.5) ** 2 / 5.0 - 0.2 * (i == j)
print(s)')
got=$(python3 -c 'import struct, sys; d = open(sys.argv[1], "rb").read(); print(struct.unpack("<f", d[-4:])[0])' "$tmp/r.npy")
check "eval: the response to ones is the sum of the weights ($got vs $by_hand)" -- \
  python3 -c "import sys; sys.exit(0 if abs($got - $by_hand) < 1e-4 * max(1, abs($by_hand)) else 1)"

# Bad models: one line naming the file and what was expected.
sed 's/linear_filter.pt/missing.pt/' "$src/tests/data/torchscript_linear_filter.json" >"$tmp/model/missing.json"
expect 2 "$tmp/model/missing.pt: no such file" -- "$invex" train --config "$tmp/model/missing.json" --out "$tmp/x" --quiet
cp "$models/wrong_shape.pt" "$tmp/model/"
sed 's/linear_filter.pt/wrong_shape.pt/' "$src/tests/data/torchscript_linear_filter.json" >"$tmp/model/shape.json"
expect 2 "$tmp/model/wrong_shape.pt: neuron.output []: expected one floating-point number per image" -- \
  "$invex" train --config "$tmp/model/shape.json" --out "$tmp/x" --quiet
sed 's/\[1, 12, 12\]/[1, 30, 30]/' "$tmp/model/config.json" >"$tmp/model/size.json"
expect 2 "neuron.input_shape: the module takes [1, 30, 30] but the images are [1, 12, 12]" -- \
  "$invex" train --config "$tmp/model/size.json" --out "$tmp/x"

finish
