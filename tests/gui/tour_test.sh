#!/usr/bin/env bash
# The tour as a class sees it: `invex tour` under Xvfb opens every step of the tour that ships
# on its shipped run (the same step and state as `invex gui --run` on that run: nothing
# trained), then step 2 in presentation mode at 1280×800, whose screenshot is checked where the
# GUI says its caption, manifold image and activation plot are, with the larger font and a
# larger image than without presentation mode. Export for slides writes the GIF and the strip
# named after the preset. Bad input (a step past the end, a missing tour
# file) is one line and exit 2.
# usage: tour_test.sh INVEX CHECKER SOURCE_DIR OUTDIR
set -euo pipefail
source "$(dirname "$0")/lib/xvfb.bash"
invex=$1 checker=$2 src=$3 out=$4
mkdir -p "$out"
fail() { echo "FAIL: $*"; exit 1; }
x() { in_xvfb "$invex" "$@"; }
field() { awk -v k="$1" 'index($0, k) == 1 {print substr($0, length(k) + 2)}' "$2"; }

# The presets of the shipped tour, in order.
mapfile -t presets < <(awk '/^## / {s++} /^preset:/ {print $2}' "$src/assets/tour/invariance.tour")
[ ${#presets[@]} -ge 4 ] || fail "the shipped tour has ${#presets[@]} steps"
for i in "${!presets[@]}"; do
  n=$((i + 1)) preset=${presets[$i]}
  x tour --step $n --frames 3 --stats --exit >"$out/step$n.log"
  x gui --run "$src/assets/runs/$preset" --frames 3 --stats --exit >"$out/run$n.log"
  [ "$(field "tour step" "$out/step$n.log")" = "$n of ${#presets[@]}" ] ||
    fail "step $n: the tour says '$(field "tour step" "$out/step$n.log")'"
  got=$(field "snapshot step" "$out/step$n.log") want=$(field "snapshot step" "$out/run$n.log")
  [ -n "$got" ] && [ "$got" = "$want" ] ||
    fail "step $n ($preset): snapshot '$got', its shipped run's is '$want'"
  grep -q "^first picture" "$out/step$n.log" || fail "step $n: no picture"
  echo "ok: step $n opens the shipped run of $preset (snapshot step $got)"
done

png=$out/tour_present.png log=$out/tour_present.log
rm -f "$png"
x tour --step 2 --present --frames 30 --screenshot "$png" --stats --exit | tee "$log"
[ -s "$png" ] || fail "no screenshot written"
grep -q "^presentation on, text 22 px" "$log" || fail "presentation mode's text is not 22 px"
grep -q "^tour step 2 of" "$log" || fail "not at step 2"
rect() { field "$1" "$log"; }
# The view grows: the big image is larger than in the tour's normal layout of the same step.
read -r _ _ view_w _ <<<"$(rect view_rect)"
read -r _ _ normal_w _ <<<"$(field view_rect "$out/step2.log")"
[ "${view_w%.*}" -gt "$((${normal_w%.*} * 11 / 10))" ] ||
  fail "the big image is $view_w px wide in presentation mode, $normal_w px without"
# shellcheck disable=SC2046
"$checker" "$png" 1280 800 caption $(rect caption_rect) manifold_image $(rect view_rect) \
  activation_plot $(rect plot_rect)

# Export for slides from step 2: the GIF and the strip, named after the preset.
slides=$out/slides
rm -rf "$slides"
x tour --step 2 --frames 5 --export-slides "$slides" --exit | tee "$out/slides.log"
grep -q "^wrote $slides/circle-complex.gif and $slides/circle-complex-strip.png" "$out/slides.log" ||
  fail "export for slides: $(tail -1 "$out/slides.log")"
[ "$(head -c 6 "$slides/circle-complex.gif")" = GIF89a ] || fail "the GIF is not a GIF"
[ "$(head -c 4 "$slides/circle-complex-strip.png" | tail -c 3)" = PNG ] || fail "the strip is no PNG"
[ ! -e "$slides/.circle-complex.export" ] || fail "the scratch folder was left behind"

expect_error() {
  local want=$1
  shift
  set +e
  "$invex" "$@" >"$out/err.out" 2>"$out/err.txt"
  local rc=$?
  set -e
  [ $rc -eq 2 ] || fail "invex $*: exit $rc, expected 2"
  [ "$(wc -l <"$out/err.txt")" -eq 1 ] && grep -qF "$want" "$out/err.txt" ||
    fail "invex $*: expected one line with '$want', got: $(cat "$out/err.txt")"
}
expect_error "invex tour: --step: expected 1 to ${#presets[@]}" tour --step 99
expect_error "invex tour: cannot read $out/none.tour" tour --file "$out/none.tour"
echo "ok: the tour opens every step without training; presentation mode at step 2: $png"
