# Shared helpers for the integration scenarios; each scenario sources this file.
# The binary comes from $SMARTROUTE (set by CTest), the sources from $SOURCE_DIR.
set -euo pipefail
: "${SMARTROUTE:?run through ctest, or set SMARTROUTE to the binary}"
SOURCE_DIR=${SOURCE_DIR:-$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)}
WORK=$(mktemp -d "${TMPDIR:-/tmp}/smartroute-test.XXXXXX")
trap 'rm -rf "$WORK"' EXIT
unset SMARTROUTE_CONFIG
cd "$WORK"

sr() { "$SMARTROUTE" "$@"; }

fail() {
  echo "FAIL: $*" >&2
  exit 1
}

# expect_status N command...: runs the command, fails unless it exits with N.
expect_status() {
  local want=$1
  shift
  local got=0
  "$@" >"$WORK/out" 2>"$WORK/err" || got=$?
  if [ "$got" -ne "$want" ]; then
    echo "--- stdout" >&2; cat "$WORK/out" >&2
    echo "--- stderr" >&2; cat "$WORK/err" >&2
    fail "'$*' exited $got, expected $want"
  fi
}

# contains FILE TEXT: fails unless FILE contains TEXT.
contains() {
  grep -qF -- "$2" "$1" || { cat "$1" >&2; fail "$1 does not contain '$2'"; }
}

# json FILE EXPR: prints a Python expression evaluated over the JSON document in FILE as d.
json() {
  python3 -c 'import json,sys; d=json.load(open(sys.argv[1])); print(eval(sys.argv[2]))' "$1" "$2"
}

# check_eq ACTUAL EXPECTED WHAT
check_eq() {
  [ "$1" == "$2" ] || fail "$3: got '$1', expected '$2'"
}
