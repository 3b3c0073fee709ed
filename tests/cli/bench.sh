#!/usr/bin/env bash
# invex bench as a user runs it: --json is valid JSON with a positive time per step and every
# piece of the step, the scaling options change what is timed, bad options are one-line errors.
set -u
invex="$1"
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
source "$(dirname "$0")/lib/expect.bash"

# The MEI is given so that no MEI search runs; 5 timed steps after the 3 warm-up steps.
"$invex" bench --preset circle/complex --steps 5 --threads 1 --mei 32.5664 --json \
  >"$tmp/b.json" 2>"$tmp/b.err"
check "bench --json exits 0" -- test $? -eq 0
check "bench --json prints no progress line" -- test ! -s "$tmp/b.err"
check "bench --json is JSON" -- json_is "$tmp/b.json" 'True'
r='j["results"][0]'
check "one result, for circle/complex" -- \
  test "$(json "$tmp/b.json" "len(j['results']), $r['preset']")" = "(1, 'circle/complex')"
check "threads as asked" -- test "$(json "$tmp/b.json" 'j["threads"]')" = 1
check "100 images of 30x30 per step" -- \
  test "$(json "$tmp/b.json" "$r['images_per_step'], $r['image_size']")" = "(100, [30, 30])"
check "ms per step > 0, p90 >= median, steps/s = 1000/median" -- json_is "$tmp/b.json" \
  "(lambda m, p, s: m > 0 and p >= m and abs(s * m - 1000) < 1e-6)($r['ms_per_step_median'], $r['ms_per_step_p90'], $r['steps_per_second'])"
check "every piece of the step, each >= 0, generating > 0" -- json_is "$tmp/b.json" \
  "(lambda p: sorted(p) == ['backward', 'generate', 'loss', 'transform_and_neuron', 'update'] and min(p.values()) >= 0 and p['generate'] > 0)($r['pieces_ms_median'])"
check "peak memory > 0" -- json_is "$tmp/b.json" "$r['peak_memory_mb'] > 0"
check "CPU time per step > 0" -- json_is "$tmp/b.json" "$r['cpu_ms_per_step'] > 0"
check "no time to manifold unless asked" -- json_is "$tmp/b.json" "'time_to_manifold_seconds' not in $r"

# Scaling options; a repeated option keeps its last value, --name=value is --name value.
"$invex" bench --preset circle/complex --steps 2 --threads 1 --mei 32.5664 --json \
  --image-size 20 --grid-points 5 --grid-points=10 >"$tmp/s.json" 2>&1
check "--image-size/--grid-points: 10 images of 20x20" -- \
  test "$(json "$tmp/s.json" "$r['images_per_step'], $r['image_size']")" = "(10, [20, 20])"

# --time-to-manifold adds its fields (here it gives up after a second: null or a time).
"$invex" bench --preset circle/complex --steps 1 --threads 1 --mei 32.5664 --grid-points 10 \
  --time-to-manifold --limit 1 --json >"$tmp/t.json" 2>&1
check "--time-to-manifold: its fields" -- json_is "$tmp/t.json" \
  "all(k in $r for k in ['time_to_manifold_seconds', 'time_to_manifold_steps', 'time_to_manifold_final_mean', 'time_to_manifold_final_min'])"

# Without --json: two lines per preset on stderr, the time per step and its pieces.
expect 0 "circle/complex" -- "$invex" bench --preset circle/complex --steps 1 --threads 1 \
  --mei 32.5664 --grid-points 10
expect 0 "pieces (ms, median): CPPN forward" -- "$invex" bench --preset circle/complex --steps 1 \
  --threads 1 --mei 32.5664 --grid-points 10

# Bad options: one line naming the option and what was expected, exit 2.
expect 2 "invex bench: --steps: expected an integer from 1 to 100000, got '0'" -- "$invex" bench --preset circle/complex --steps 0
expect 2 "invex bench: --threads: expected an integer from 0 to 1024, got '2000'" -- "$invex" bench --preset circle/complex --threads 2000
expect 2 "invex bench: --grid-points: expected an integer from 3 to 4096, got '2'" -- "$invex" bench --preset circle/complex --grid-points 2
expect 2 "invex bench: --image-size: expected an integer from 4 to 512, got '3'" -- "$invex" bench --preset circle/complex --image-size=3
expect 2 "invex bench: --limit: expected a number from 1 to 1e+06, got '0'" -- "$invex" bench --preset circle/complex --limit 0
expect 2 "invex bench: --mei: expected a number from 1e-12 to 1e+12, got 'nan'" -- "$invex" bench --preset circle/complex --mei nan
expect 2 "invex bench: --steps: 1 required N missing" -- "$invex" bench --preset circle/complex --steps
expect 2 "invex bench: unknown option '--seed'" -- "$invex" bench --preset circle/complex --seed 3
expect 2 "invex bench: give exactly one of --preset NAME or --config FILE" -- "$invex" bench --steps 2
expect 2 "invex bench: give exactly one of --preset NAME or --config FILE" -- "$invex" bench --preset circle/complex --config "$tmp/c.json"
expect 2 "invex bench: unknown preset 'circle/nope'" -- "$invex" bench --preset circle/nope
expect 2 "invex bench: circle/complex with --image-size/--grid-points: loss.neighbor_size" -- "$invex" bench --preset circle/complex --grid-points 5

finish
