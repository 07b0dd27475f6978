# Helpers for integration scenarios that talk to a service double; source after lib.sh.
# start_double SCRIPT ARGS...: starts tests/doubles/SCRIPT on a free port, sets $port and
# $base, and stops it on exit (the temporary directory is still removed).
# The TTS doubles speak with espeak-ng; DOUBLE_NO_ESPEAK=1 before sourcing skips that check
# (the 1C double needs only python3).
[ -n "${WORK:-}" ] || { echo "source tests/integration/lib.sh first" >&2; exit 1; }

if [ "${DOUBLE_NO_ESPEAK:-}" != 1 ]; then
  command -v espeak-ng >/dev/null || { echo "SKIP: espeak-ng is not installed" >&2; exit 125; }
fi

double_pids=()
trap 'for p in "${double_pids[@]}"; do kill "$p" 2>/dev/null || true; done; rm -rf "$WORK"' EXIT

start_double() {
  local script=$1
  shift
  python3 -B -u "$SOURCE_DIR/tests/doubles/$script" --port 0 "$@" \
    >"$WORK/$script.out" 2>"$WORK/$script.err" &
  double_pids+=($!)
  port=""
  for _ in $(seq 100); do
    port=$(head -n1 "$WORK/$script.out" 2>/dev/null || true)
    [ -n "$port" ] && break
    kill -0 "${double_pids[-1]}" 2>/dev/null || break
    sleep 0.1
  done
  [ -n "$port" ] || { cat "$WORK/$script.err" >&2; fail "$script did not start"; }
  base="http://127.0.0.1:$port"
}

# control JSON: arms a fault in the running double (see tests/doubles/tts_common.py).
control() {
  python3 - "$base/_control" "$1" <<'PY'
import sys, urllib.request
req = urllib.request.Request(sys.argv[1], data=sys.argv[2].encode(), method="POST",
                             headers={"Content-Type": "application/json"})
urllib.request.urlopen(req, timeout=10).read()
PY
}

# stats EXPR: prints a Python expression over the double's GET /_stats document as d.
stats() {
  python3 - "$base/_stats" "$1" <<'PY'
import json, sys, urllib.request
d = json.load(urllib.request.urlopen(sys.argv[1], timeout=10))
print(eval(sys.argv[2]))
PY
}

# check_wav FILE RATE: fails unless FILE is a mono 16-bit WAV at RATE Hz longer than 0.5 s.
check_wav() {
  local info
  info=$(python3 - "$1" <<'PY'
import sys, wave
with wave.open(sys.argv[1]) as w:
    print(w.getframerate(), w.getnchannels(), w.getsampwidth(), w.getnframes() / w.getframerate())
PY
) || fail "$1 is not a readable WAV file"
  read -r rate channels width seconds <<<"$info"
  check_eq "$rate/$channels/$width" "$2/1/2" "$1: rate/channels/bytes per sample"
  python3 -c "import sys; sys.exit(0 if float(sys.argv[1]) > 0.5 else 1)" "$seconds" ||
    fail "$1 lasts $seconds s, expected more than 0.5 s"
}

# say ARGS...: the real binary's `say`, bounded in time, through expect_status's capture.
say() {
  timeout 60 "$SMARTROUTE" --config "$WORK/smartroute.toml" say "$@"
}
