#!/usr/bin/env bash
# A macaque V1 neuron trained from the GUI and exported, without a person: `invex gui --preset
# macaque/cell-A` trains a few steps under Xvfb, saves the run and exports with the Export
# panel's settings. The GIF must decode to 64 frames of 256×256, and the exported activations
# must be the neuron's responses to the run's images, as `invex render` and `invex eval` compute
# them from the saved run, divided by the MEI activation the GUI used. Needs ../shared (the
# model files).
# usage: macaque_test.sh INVEX SOURCE_DIR OUTDIR
set -euo pipefail
source "$(dirname "$0")/lib/xvfb.bash"
invex=$1 src=$2 out=$3
fail() { echo "FAIL: $*"; exit 1; }

models=$(realpath -m "$src/../shared/models/macaque_v1")
if [[ ! -f "$models/monkey_model3.pt" ]]; then
  [[ "${CI:-}" == "true" ]] && fail "the shared model files ($models) are missing in CI"
  echo "skipped: needs the shared data folder ../shared beside the repository (models/macaque_v1," \
    "as the project's maintainers distribute them)"
  exit 0
fi
mkdir -p "$out"
run=$out/run exp=$out/export again=$out/render
rm -rf "$run" "$exp" "$again"
steps=3

in_xvfb "$invex" gui --preset macaque/cell-A --models "$models" \
  --threads 1 --train-steps $steps --frames 10 --save-run "$run" --export "$exp" --stats --exit |
  tee "$out/gui.log"
step=$(awk '/^snapshot step/ {print $3}' "$out/gui.log")
[ -n "$step" ] && [ "$step" -ge $steps ] || fail "training stopped at step '$step', before $steps"
grep -q "^wrote 70 files to $exp in " "$out/gui.log" || fail "no 'wrote 70 files' line"
mei=$(awk '/^mei activation/ {print $3}' "$out/gui.log")
[ -n "$mei" ] || fail "no MEI activation in the statistics"

# The same run's images at the training resolution, and the neuron's raw responses to them.
"$invex" render --run "$run" --out "$again" --size 93 --npy --quiet
"$invex" eval --preset macaque/cell-A --models "$models" --threads 1 \
  --images "$again/manifold.npy" --out "$again/responses.npy"

python3 - "$exp/manifold.gif" "$exp/activations.npy" "$again/responses.npy" "$mei" <<'PY'
import ast, struct, sys

def gif_frames(path):
    """Decodes every frame of a GIF (LZW included); returns [(width, height, pixel count)]."""
    d = open(path, "rb").read()
    if d[:6] not in (b"GIF87a", b"GIF89a"):
        sys.exit("%s: not a GIF" % path)
    flags = d[10]
    p = 13 + (3 << ((flags & 7) + 1) if flags & 0x80 else 0)
    frames = []
    while d[p] != 0x3B:
        if d[p] == 0x21:  # an extension: label, then sub-blocks
            p += 2
            while d[p]:
                p += d[p] + 1
            p += 1
            continue
        if d[p] != 0x2C:
            sys.exit("%s: unexpected block 0x%02x at %d" % (path, d[p], p))
        w, h, f = struct.unpack("<HHB", d[p + 5:p + 10])
        p += 10 + (3 << ((f & 7) + 1) if f & 0x80 else 0)
        min_size, data = d[p], bytearray()
        p += 1
        while d[p]:
            data += d[p + 1:p + 1 + d[p]]
            p += d[p] + 1
        p += 1
        frames.append((w, h, lzw_count(data, min_size)))
    return frames

def lzw_count(data, min_size):
    """The number of pixels the LZW stream decodes to."""
    clear, end = 1 << min_size, (1 << min_size) + 1
    lengths, prev, size, pos, count = None, None, min_size + 1, 0, 0
    while pos + size <= len(data) * 8:
        code = int.from_bytes(data[pos // 8:pos // 8 + 3].ljust(3, b"\0"), "little") >> (pos % 8)
        code &= (1 << size) - 1
        pos += size
        if code == clear:
            lengths, prev, size = [1] * (end + 1), None, min_size + 1
            continue
        if code == end:
            return count
        if prev is not None:
            if code > len(lengths):
                sys.exit("bad LZW code %d" % code)
            lengths.append(lengths[prev] + 1)
        count += lengths[code]
        prev = code
        if len(lengths) == (1 << size) and size < 12:
            size += 1
    sys.exit("LZW stream without an end code")

def npy(path):
    d = open(path, "rb").read()
    n, s = (struct.unpack("<H", d[8:10])[0], 10) if d[6] == 1 else (struct.unpack("<I", d[8:12])[0], 12)
    header = ast.literal_eval(d[s:s + n].decode("latin1"))
    return header["shape"], struct.unpack("<%df" % (len(d[s + n:]) // 4), d[s + n:])

frames = gif_frames(sys.argv[1])
bad = [f for f in frames if f != (256, 256, 256 * 256)]
if len(frames) != 64 or bad:
    sys.exit("manifold.gif: %d frames, expected 64 of 256x256; wrong: %s" % (len(frames), bad[:3]))
(shape, exported), (ref_shape, responses) = npy(sys.argv[2]), npy(sys.argv[3])
if shape != (64,) or ref_shape != (64,):
    sys.exit("activations %s, responses %s; expected 64 each" % (shape, ref_shape))
mei = float(sys.argv[4])
worst = max(abs(a * mei - r) / r for a, r in zip(exported, responses))
print("64 GIF frames of 256x256 decoded; activations = responses / %.4f within %.2g relative"
      " (responses %.3f to %.3f)" % (mei, worst, min(responses), max(responses)))
sys.exit(0 if worst <= 1e-4 else 1)
PY
echo "ok: macaque/cell-A trained $step steps in the GUI and exported a GIF"
