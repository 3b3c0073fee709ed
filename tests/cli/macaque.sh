#!/usr/bin/env bash
# The macaque V1 neurons from the command line: --models, and the errors a user meets with a
# wrong folder, data key or index. Needs ../shared (the model files and reference vectors).
set -u
invex="$1"
src="$2"
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
source "$(dirname "$0")/lib/expect.bash"

models=$(realpath -m "$src/../shared/models/macaque_v1")
reference=$(realpath -m "$src/../shared/reference/macaque")
if [[ ! -f "$models/monkey_model3.pt" || ! -f "$reference/inputs.npy" ]]; then
  if [[ "${CI:-}" == "true" ]]; then
    echo "FAIL: the shared data ($models, $reference) is missing in CI"
    exit 1
  fi
  echo "skipped: needs the shared data folder ../shared beside the repository (models/macaque_v1" \
    "and reference/macaque, as the project's maintainers distribute them)"
  exit 0
fi
images="$reference/inputs.npy"

# The folder: given with --models, named in full when it lacks a file or holds a wrong one.
expect 0 "" -- "$invex" eval --preset macaque/cell-A --models "$models" --images "$images"
mkdir "$tmp/empty"
expect 2 "$tmp/empty/monkey_model3.pt: no such file" -- \
  "$invex" eval --preset macaque/cell-A --models "$tmp/empty" --images "$images"
expect 2 "--models: expected the folder of monkey_model3.pt, monkey_model10.pt and monkey_model12.pt, but there is no folder '$tmp/none'" -- \
  "$invex" train --preset macaque/cell-A --models "$tmp/none" --out "$tmp/run"
mkdir "$tmp/junk"
cp "$models"/monkey_model*.pt "$tmp/junk/"
chmod u+w "$tmp/junk"/*
echo "not a model" >"$tmp/junk/monkey_model10.pt"
expect 2 "$tmp/junk/monkey_model10.pt" -- \
  "$invex" bench --preset macaque/cell-B --models "$tmp/junk" --steps 1 --mei 20
expect 2 "--models: only a macaque-ensemble neuron reads model files; circle/complex has a gabor-complex neuron" -- \
  "$invex" train --preset circle/complex --models "$models" --out "$tmp/run"
expect 2 "invex gui: --models: expected the folder" -- "$invex" gui --models "$tmp/none"

# The recording and the neuron: every valid key with its neuron count, the range of indices.
cell() {  # cell FILE DATA_KEY INDEX: a config of that neuron
  printf '{"neuron": {"type": "macaque-ensemble", "data_key": "%s", "index": %s},
  "image": {"height": 93, "width": 93}}\n' "$2" "$3" >"$1"
}
cell "$tmp/key.json" 12345 0
expect 2 "neuron.data_key: '12345' is not a data key of $models; valid keys (neurons):" -- \
  "$invex" eval --config "$tmp/key.json" --models "$models" --images "$images"
expect 2 "3639406161189 (14)" -- \
  "$invex" eval --config "$tmp/key.json" --models "$models" --images "$images"
expect 2 "3631807112901 (29)" -- \
  "$invex" eval --config "$tmp/key.json" --models "$models" --images "$images"
cell "$tmp/index.json" 3631807112901 29
expect 2 "neuron.index: 29 is out of range for data key 3631807112901, which has neurons 0..28" -- \
  "$invex" train --config "$tmp/index.json" --models "$models" --out "$tmp/run"

# Parity: the ensemble's response of every neuron of each recording in the reference vectors,
# as `invex eval` computes it, within 1e-4 relative of the reference implementation's.
npy_close() {  # npy_close OURS.npy REFERENCE.npy: same shape, every value within 1e-4 relative
  python3 - "$1" "$2" <<'PY'
import ast, struct, sys
def read(path):  # float32 little-endian, C order (.npy versions 1 and 2)
    data = open(path, "rb").read()
    size, start = (struct.unpack("<H", data[8:10])[0], 10) if data[6] == 1 else (struct.unpack("<I", data[8:12])[0], 12)
    header = ast.literal_eval(data[start:start + size].decode("latin1"))
    assert header["descr"] == "<f4" and not header["fortran_order"], header
    values = struct.unpack("<%df" % (len(data[start + size:]) // 4), data[start + size:])
    return header["shape"], values
(shape, ours), (ref_shape, ref) = read(sys.argv[1]), read(sys.argv[2])
if shape != ref_shape:
    sys.exit("shape %s, expected %s" % (shape, ref_shape))
worst = max(abs(a - b) / abs(b) for a, b in zip(ours, ref))
print("%d values, largest relative difference %.2g" % (len(ref), worst))
sys.exit(0 if worst <= 1e-4 else 1)
PY
}
for ref in "$reference"/ens_eval_*.npy; do
  key=$(basename "$ref" .npy)
  key=${key#ens_eval_}
  cell "$tmp/$key.json" "$key" 0
  expect 0 "" -- "$invex" eval --config "$tmp/$key.json" --models "$models" --images "$images" \
    --all-neurons --out "$tmp/$key.npy"
  check "invex eval --all-neurons matches $ref within 1e-4 relative" -- \
    npy_close "$tmp/$key.npy" "$ref"
done
# A single neuron is the same number: cell A's responses, one a line.
"$invex" eval --preset macaque/cell-A --models "$models" --images "$images" >"$tmp/a.txt"
"$invex" eval --config "$tmp/3639406161189.json" --models "$models" --images "$images" \
  --all-neurons | cut -d' ' -f12 >"$tmp/a_all.txt"
check "cell A alone is column 11 of its recording" -- cmp -s "$tmp/a.txt" "$tmp/a_all.txt"
expect 2 "--all-neurons: only a macaque-ensemble neuron belongs to a recording; circle/complex has a gabor-complex neuron" -- \
  "$invex" eval --preset circle/complex --images "$images" --all-neurons

finish
