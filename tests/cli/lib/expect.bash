# Shared by the CLI test scripts (sourced; kept out of tests/cli/*.sh so CTest does not run it).
# Counts in $passes and $fails; a script ends with `finish`.
fails=0
passes=0

fail() {
  echo "FAIL: $*"
  fails=$((fails + 1))
}
check() {  # check DESCRIPTION -- command...
  local what="$1"
  shift 2
  if "$@"; then passes=$((passes + 1)); else fail "$what"; fi
}
# expect CODE PATTERN -- command...: exit code CODE and PATTERN in the output; a bad-input exit
# (2) must say so in exactly one line.
expect() {
  local code="$1" pattern="$2"
  shift 3
  local out
  out=$("$@" 2>&1)
  local got=$?
  if [[ $got -ne $code ]] || ! grep -qF -- "$pattern" <<<"$out"; then
    fail "$* -> exit $got, expected $code with '$pattern'; output:"
    echo "$out" | head -5
  elif [[ $code -eq 2 && $(wc -l <<<"$out") -ne 1 ]]; then
    fail "$* -> more than one line of error output:"
    echo "$out" | head -5
  else
    passes=$((passes + 1))
  fi
}
finish() {
  echo "$passes passed, $fails failed"
  [[ $fails -eq 0 ]]
}
# json FILE EXPRESSION: prints the Python expression evaluated with `j` bound to FILE's JSON;
# json_is FILE EXPRESSION: succeeds when it is true. (python3 comes with build.sh's packages.)
json() {
  python3 -c 'import json, sys; j = json.load(open(sys.argv[1])); print(eval(sys.argv[2]))' "$1" "$2"
}
json_is() {
  python3 -c 'import json, sys; j = json.load(open(sys.argv[1])); sys.exit(0 if eval(sys.argv[2]) else 1)' "$1" "$2"
}
