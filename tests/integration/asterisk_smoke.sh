# A real Asterisk 22 (Debian sid root, tests/asterisk/) runs the plain dialplan
# (examples/dialplan/plain-asterisk.conf) against a FastAGI test double: the prompt in the
# bind-mounted cache plays, DTMF from the caller reaches it, the target the server sets is
# dialled; with nothing listening, the dialplan's own fallback is. Independent of serve-agi.
# Skips (125) when the root cannot be built or run: not root, no network to the Debian archive.
source "$(dirname "$0")/lib.sh"
source "$SOURCE_DIR/tests/asterisk/lib.sh"

ms() { echo $(($(date +%s%N) / 1000000)); }
t0=$(ms)
ast_setup
setup_ms=$(($(ms) - t0))
if [ "$AST_SETUP_REUSED" = 1 ]; then setup_kind=warm; else setup_kind=cold; fi

# A 2.5 s prompt, 8 kHz 16-bit mono, in a directory that stands for the audio cache.
mkdir -p "$WORK/cache"
python3 - "$WORK/cache/prompt.wav" <<'PY'
import math, struct, sys, wave
w = wave.open(sys.argv[1], "wb")
w.setnchannels(1); w.setsampwidth(2); w.setframerate(8000)
w.writeframes(b"".join(struct.pack("<h", int(8000 * math.sin(2 * math.pi * 440 * i / 8000)))
                       for i in range(20000)))
PY

# The FastAGI double: plays the prompt, then sets SMARTROUTE_TARGET=201. It dies with this
# shell at the latest.
setpriv --pdeathsig TERM python3 -B -u "$SOURCE_DIR/tests/asterisk/fake_agi.py" --port 0 \
  --target 201 --play "$WORK/cache/prompt" --log "$WORK/sessions.jsonl" \
  >"$WORK/agi.out" 2>"$WORK/agi.err" &
agi_pid=$!
port=""
for _ in $(seq 100); do
  port=$(head -n1 "$WORK/agi.out" 2>/dev/null || true)
  [ -n "$port" ] && break
  kill -0 "$agi_pid" 2>/dev/null || break
  sleep 0.05
done
[ -n "$port" ] || { cat "$WORK/agi.err" >&2; fail "the FastAGI double did not start"; }

# The example dialplan as shipped, pointed at the double's port instead of 4574.
ast_start "$SOURCE_DIR/examples/dialplan/plain-asterisk.conf" --bind "$WORK/cache" \
  --subst "agi://127.0.0.1:4574/=agi://127.0.0.1:$port/"
t1=$(ms)

# session N KEY: a field of the Nth session the double logged (Python expression over s).
session() {
  python3 -c 'import json,sys; s=json.loads(open(sys.argv[1]).read().splitlines()[int(sys.argv[2])]); print(eval(sys.argv[3]))' \
    "$WORK/sessions.jsonl" "$1" "$2"
}

# 1. A caller who never presses: the prompt plays to its end, target 201 is dialled.
ast_log_mark
ast_originate Local/s@smartroute-in caller silent
ast_wait_for_log 'TARGET REACHED 201' 15 >/dev/null || fail "call 1 did not reach target 201"
ast_wait_idle 10 || fail "call 1 did not end"
ast_log_since_mark >"$WORK/call1.log"
contains "$WORK/call1.log" "SMARTROUTE RESULT agistatus=SUCCESS target=201"
! grep -q "SMARTROUTE FALLBACK" "$WORK/call1.log" || fail "call 1 went to the fallback"
check_eq "$(session 0 's["header"]["agi_network_script"]')" smartroute "script name"
check_eq "$(session 0 's["header"]["agi_arg_2"]')" s "DID argument"
check_eq "$(session 0 's["replies"][0]["reply"]')" "200 result=0 endpos=20000" "prompt played to its end"
check_eq "$(session 0 's["replies"][1]["reply"]')" "200 result=1" "SET VARIABLE"

# 2. A caller with a number who presses 2 during the prompt: the digit interrupts STREAM FILE
#    (result=50 is ASCII "2"); the caller's number and the DID arrive as arguments.
ast_log_mark
ast_originate Local/79161234567@smartroute-test caller press2
ast_wait_for_log 'TARGET REACHED 201' 15 >/dev/null || fail "call 2 did not reach target 201"
ast_wait_idle 10 || fail "call 2 did not end"
check_eq "$(session 1 's["header"]["agi_arg_1"]')" 79161234567 "caller argument"
check_eq "$(session 1 's["header"]["agi_arg_2"]')" 5551000 "DID argument"
reply=$(session 1 's["replies"][0]["reply"]')
[[ "$reply" =~ ^200\ result=50\ endpos=[0-9]+$ ]] || fail "DTMF 2 did not reach STREAM FILE: $reply"

# 3. Nothing listens: AGI() fails at once and the dialplan's own fallback (100) is dialled.
kill "$agi_pid"
wait "$agi_pid" 2>/dev/null || true
ast_log_mark
ast_originate Local/s@smartroute-in caller silent
ast_wait_for_log 'TARGET REACHED 100' 10 >/dev/null || fail "call 3 did not reach the fallback"
ast_wait_idle 10 || fail "call 3 did not end"
ast_log_since_mark >"$WORK/call3.log"
contains "$WORK/call3.log" "SMARTROUTE RESULT agistatus=FAILURE target="
contains "$WORK/call3.log" "SMARTROUTE FALLBACK 100"
! grep -q "TARGET REACHED 201" "$WORK/call3.log" || fail "call 3 reached the server's target"

# Nothing unexpected in the log: no warning or error from the three calls.
if grep -E "WARNING|ERROR" "$AST_LOG" | grep -v "Couldn't connect to any host\|FastAGI failed\|Connection refused"; then
  fail "Asterisk logged warnings or errors (above)"
fi
calls_ms=$(($(ms) - t1))
ast_stop
echo "timings: setup ${setup_ms} ms ($setup_kind), asterisk start ${AST_START_MS} ms," \
  "3 calls ${calls_ms} ms, total $(($(ms) - t0)) ms"
