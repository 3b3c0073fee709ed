#!/usr/bin/env bash
# Every command's --help against the options it accepts: help exits 0 and lists exactly the
# options below (the documented interface, with their value names); the parser accepts each of
# them, as --name value and as --name=value; and the range a help line states is the range the
# parser enforces.
set -u
invex="$1"
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
source "$(dirname "$0")/lib/expect.bash"

# Per command: each option with its value name, and a value the parser takes ("" for a flag).
declare -A options
options[train]='--preset NAME=circle/complex|--config FILE=c.json|--resume DIR=r|--out DIR=o
  |--seed N=7|--epochs-per-reg N=2|--steps-per-epoch N=3|--checkpoint-every N=0
  |--stop-mean A=0.5|--stop-min B=-1.5|--mei VALUE=32.5|--models DIR=/|--threads N=1
  |--stop-when-expected=|--quiet='
options[reproduce]='--presets P...=circle/complex|--out DIR=o|--budget-minutes M=1.5
  |--stop-when-expected=|--seed N=7|--epochs-per-reg N=2|--steps-per-epoch N=3
  |--checkpoint-every N=0|--stop-mean A=0.5|--stop-min B=-1.5|--threads N=1|--quiet='
options[render]='--run DIR=r|--out OUTDIR=o|--frames N=8|--size PX=16|--fps F=10
  |--colormap NAME=grey|--path NAME=loop|--quiet=|--gif=|--png=|--npy=|--figure='
options[eval]='--preset NAME=circle/complex|--config FILE=c.json|--images IN.npy=i.npy
  |--out OUT.npy=o.npy|--all-neurons=|--models DIR=/|--threads N=1'
options[bench]='--preset NAME=circle/complex|--config FILE=c.json|--all=|--steps N=2
  |--threads N=1|--image-size PX=20|--grid-points G=10|--mei VALUE=32.5|--models DIR=/|--reference=
  |--time-to-manifold=|--limit SECONDS=5|--json='
options[gui]='--preset NAME=circle/complex|--run DIR=r|--config FILE=c.json|--models DIR=/|--threads N=1
  |--train-steps N=5|--frames M=3|--screenshot FILE=s.png|--stats=|--exit=|--play=
  |--mouse X,Y=10,20|--save-run DIR=s|--export DIR=e|--timeout SECONDS=60
  |--view-pixels N=256|--window WxH=640x480|--zoom F=0.5|--present='
options[tour]='--file FILE=f.tour|--step N=2|--threads N=1|--present=|--frames M=3
  |--screenshot FILE=s.png|--stats=|--exit=|--mouse X,Y=10,20|--window WxH=640x480
  |--timeout SECONDS=60|--export-slides DIR=d'
options[pack]='--run DIR=r|--out DIR=o'
options[presets]=''

# The option lines of a help text, continuation lines joined: "--frames N images along ...".
option_lines() {
  awk '/^  -/ { if (line != "") print line; line = $0; next }
       /^      / && line != "" { sub(/^ +/, " "); line = line $0; next }
       { if (line != "") print line; line = "" }
       END { if (line != "") print line }' | sed -e 's/^ *//' -e 's/^-h,--help/--help/'
}

expect 0 "usage: invex [command] [options]" -- "$invex" --help
expect 0 "usage: invex [command] [options]" -- "$invex" help
"$invex" --help >"$tmp/top.txt" 2>&1
for cmd in "${!options[@]}"; do
  check "invex --help lists $cmd" -- grep -qE "^  $cmd +[a-z]" "$tmp/top.txt"
done

for cmd in "${!options[@]}"; do
  help="$tmp/$cmd.help"
  "$invex" "$cmd" --help >"$help" 2>"$tmp/$cmd.err"
  check "invex $cmd --help exits 0" -- test $? -eq 0
  check "invex $cmd --help: nothing on stderr" -- test ! -s "$tmp/$cmd.err"
  check "invex $cmd --help starts with its usage" -- grep -q "^usage: invex $cmd" <(head -1 "$help")
  expect 0 "usage: invex $cmd" -- "$invex" "$cmd" -h
  option_lines <"$help" >"$tmp/$cmd.lines"

  # Each option, with its value name, has a line of its own, and nothing else has one.
  IFS='|' read -ra specs <<<"$(tr -d '\n' <<<"${options[$cmd]}" | sed 's/ *|/|/g')"
  expected="--help"
  space_args=() equals_args=()
  for spec in "${specs[@]}"; do
    [[ -z "$spec" ]] && continue
    name="${spec%%=*}"
    value="${spec#*=}"
    flag="${name%% *}"
    expected+=$'\n'"$flag"
    check "invex $cmd --help documents '$name'" -- grep -qE -- "^$(sed 's/[.]/[.]/g' <<<"$name")( |$)" "$tmp/$cmd.lines"
    if [[ -n "$value" ]]; then
      space_args+=("$flag" "$value")
      equals_args+=("$flag=$value")
    else
      space_args+=("$flag")
      equals_args+=("$flag")
    fi
  done
  check "invex $cmd --help lists no other option" -- \
    test "$(cut -d' ' -f1 "$tmp/$cmd.lines" | sort)" = "$(sort <<<"$expected")"

  # The parser takes all of them at once: the only complaint is the unknown option at the end.
  expect 2 "invex $cmd: unknown option '--zz-not-an-option'" -- \
    "$invex" "$cmd" "${space_args[@]}" --zz-not-an-option
  expect 2 "invex $cmd: unknown option '--zz-not-an-option'" -- \
    "$invex" "$cmd" "${equals_args[@]}" --zz-not-an-option

  # A ranged option's help states the range its error states.
  while read -r line; do
    flag="${line%% *}"
    range=$(grep -oE '\(-?[0-9.e+-]+ to -?[0-9.e+-]+;' <<<"$line" | tr -d '(;')
    out=$("$invex" "$cmd" "$flag" not-a-number 2>&1)
    if [[ "$out" != *"invex $cmd: $flag: expected "*" from $range, got 'not-a-number'" ]]; then
      fail "invex $cmd $flag not-a-number: expected an error naming the range '$range', got: $out"
    else
      passes=$((passes + 1))
    fi
  done < <(grep -E '\(-?[0-9.e+-]+ to -?[0-9.e+-]+;' "$tmp/$cmd.lines")
done

finish
