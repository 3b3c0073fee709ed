#!/usr/bin/env bash
# invex reproduce as a user runs it, on a tiny schedule: the files it writes per preset and
# overall, the fields of its reports, the budget that stops a preset, and bad input.
set -u
invex="$1"
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
source "$(dirname "$0")/lib/expect.bash"

# Two presets, 2 λ phases × 1 epoch × 2 steps each: far from their expected outcomes.
out="$tmp/r"
"$invex" reproduce --presets circle/complex sheet/simple --out "$out" --epochs-per-reg 1 \
  --steps-per-epoch 2 --threads 1 >"$tmp/stdout" 2>"$tmp/stderr"
check "4 steps cannot reach the expected outcome: exit 1" -- test $? -eq 1
for p in circle/complex sheet/simple; do
  for f in config.json run.invex manifold.npy latents.npy activations.npy report.json log.csv; do
    check "$p/$f written" -- test -s "$out/$p/$f"
  done
  check "$p/montage.png is a PNG" -- test "$(head -c 4 "$out/$p/montage.png" | tail -c 3)" = "PNG"
done
# PNG width and height (bytes 16-23 of the IHDR chunk): a strip of 20 images of 60 px, 1 px apart;
# the 20×20 grid of the sheet.
png_size() { python3 -c 'import struct, sys; d = open(sys.argv[1], "rb").read(24); print(*struct.unpack(">II", d[16:24]))' "$1"; }
check "1-D montage is one strip" -- test "$(png_size "$out/circle/complex/montage.png")" = "1221 62"
check "2-D montage is the grid" -- test "$(png_size "$out/sheet/simple/montage.png")" = "1221 1221"
check "progress names the preset" -- grep -qF "[1/2 circle/complex]" "$tmp/stderr"
check "each preset's verdict on stderr" -- grep -qF "sheet/simple: NOT PASSED after 4 steps" "$tmp/stderr"

r="$out/report.json"
check "report.json lists both presets in order" -- \
  json_is "$r" '[p["preset"] for p in j["presets"]] == ["circle/complex", "sheet/simple"]'
check "steps, time, activation per preset" -- json_is "$r" \
  'all(p["steps"] == 4 and p["wall_seconds"] > 0 and -1 <= p["min_activation"] <= p["mean_activation"] for p in j["presets"])'
check "not passed, and said so" -- json_is "$r" \
  'not j["all_pass"] and not any(p["pass"] for p in j["presets"])'
check "the loop's winding number and midpoints are measured" -- json_is "$r" \
  'isinstance(j["presets"][0]["report"]["phase"]["winding_number"], float) and isinstance(j["presets"][0]["report"]["midpoint_activation"]["min"], float)'
check "the sheet of a simple cell: collapse measured, no phase, no winding matrix (null)" -- \
  json_is "$r" 'isinstance(j["presets"][1]["report"]["collapse"], float) and j["presets"][1]["report"]["phase"] is None and j["presets"][1]["report"]["winding_matrix"] is None'
check "every expected-outcome check is reported" -- json_is "$r" \
  '[c["what"] for c in j["presets"][1]["report"]["expect"]["checks"]] == ["mean activation >= 0.95", "min activation >= 0.90", "collapse (mean pairwise correlation) >= 0.90", "worst neighbour correlation >= 0.50"]'
check "report.md has a row per preset" -- test "$(grep -c '^| \(circle/complex\|sheet/simple\) |' "$out/report.md")" -eq 2
check "report.md shows each montage" -- grep -qF "](sheet/simple/montage.png)" "$out/report.md"
check "a preset's report.json is what train writes" -- json_is "$out/circle/complex/report.json" \
  'j["steps"] == 4 and j["expect"]["pass"] is False'

# A budget: a long schedule stops at the preset's share of it and does not pass.
"$invex" reproduce --presets circle/orientation --out "$tmp/b" --epochs-per-reg 1000 \
  --budget-minutes 0.02 --threads 1 --quiet >/dev/null 2>&1
check "over budget: exit 1" -- test $? -eq 1
check "over budget: stopped early, not passed" -- json_is "$tmp/b/report.json" \
  'j["presets"][0]["report"]["stopped_because"] == "time limit reached" and not j["presets"][0]["pass"] and j["presets"][0]["steps"] < 200000'

expect 2 "invex reproduce: unknown preset 'circle/nope'" -- \
  "$invex" reproduce --presets circle/nope --out "$tmp/x"
expect 2 "invex reproduce: --budget-minutes: expected a number from 0 to" -- \
  "$invex" reproduce --budget-minutes -1 --out "$tmp/x"
check "bad input trains nothing" -- test ! -e "$tmp/x/report.json"

finish
