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

# free_port: a TCP port that nothing listens on at 127.0.0.1 now.
free_port() {
  python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])'
}

# start_serve_agi ARGS...: runs `smartroute ARGS...` (global options, serve-agi and its options)
# in the background with its log in server.log, sets $server, kills it on exit, and waits until
# it listens.
start_serve_agi() {
  "$SMARTROUTE" "$@" 2>server.log &
  server=$!
  trap 'kill -9 $server 2>/dev/null || true; rm -rf "$WORK"' EXIT
  for _ in $(seq 100); do grep -q event=listening server.log && break; sleep 0.1; done
  grep -q event=listening server.log || { cat server.log; fail "serve-agi did not start"; }
}

# prepare_store: imports the demo data in ./data (from `sr demo-data --out data ...`) into
# $WORK/state with ./smartroute.toml, scores it and warms the cache; sets s=(...), the options
# that name that config and state for later calls of sr.
prepare_store() {
  s=(--config smartroute.toml --state-dir "$WORK/state")
  expect_status 0 sr "${s[@]}" -q import --employees data/employees.csv --clients data/clients.csv \
    --interactions data/interactions.csv
  expect_status 0 sr "${s[@]}" -q score
  expect_status 0 sr "${s[@]}" -q warm
}
