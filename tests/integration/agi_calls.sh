# serve-agi against a synthetic Asterisk (tests/agi/fake_asterisk.py) speaking the protocol
# as Asterisk 22 does: the call flow, missing audio, hangups, hostile peers, 50 calls at once.
source "$(dirname "$0")/lib.sh"
command -v espeak-ng >/dev/null || { echo "espeak-ng missing"; exit 125; }
fake() { timeout 60 python3 "$SOURCE_DIR/tests/agi/fake_asterisk.py" "$port" "$@"; }

expect_status 0 sr demo-data --out data --employees 6 --clients 80 --interactions 1500 --seed 11
port=$(free_port)
cat >smartroute.toml <<TOML
[routing]
default_number = "100"
emergency_number = "999"
direct = false
digit_timeout = "1s"
[agi]
port = $port
TOML
prepare_store

# A client whose menu offers at least two employees.
python3 - "$WORK/state/smartroute.db" >phones.txt <<'PY'
import sqlite3, sys
db = sqlite3.connect(sys.argv[1])
for (raw,) in db.execute("SELECT p.raw FROM client_phones p JOIN client_state s ON s.client = p.client WHERE s.top_employee IS NOT NULL"):
    print(raw)
PY
phone=""
while read -r candidate; do
  sr "${s[@]}" --json explain "$candidate" >x.json
  if [ "$(json x.json 'len(d["options"])')" -ge 2 ]; then phone=$candidate; break; fi
done <phones.txt
[ -n "$phone" ] || fail "no demo client with a menu of two"
ext1=$(json x.json 'd["options"][0]["employee"]["extension"]')
ext2=$(json x.json 'd["options"][1]["employee"]["extension"]')
client=$(json x.json 'd["client"]["id"]')

start_serve_agi "${s[@]}" serve-agi

fake "$phone" press:2 >press2.json
check_eq "$(json press2.json 'd["commands"][0]')" 'SET VARIABLE "SMARTROUTE_TARGET" "100"' "first command sets the default"
check_eq "$(json press2.json 'd["variables"]["SMARTROUTE_TARGET"]')" "$ext2" "digit 2 reaches employee 2"
check_eq "$(json press2.json 'd["variables"]["SMARTROUTE_RESULT"]')" selected "result"
check_eq "$(json press2.json 'd["variables"]["SMARTROUTE_CLIENT"]')" "$client" "client"
check_eq "$(json press2.json 'all(c.count(chr(34)) % 2 == 0 for c in d["commands"])')" True "every argument quoted"
check_eq "$(json press2.json 'd["commands"][-1]')" \
  "EXEC \"MSet\" \"SMARTROUTE_TARGET=$ext2,SMARTROUTE_RESULT=selected,SMARTROUTE_EMPLOYEE=$(json x.json 'd["options"][1]["employee"]["id"]'),SMARTROUTE_CLIENT=$client\"" \
  "the outcome in one round trip"
check_eq "$(json press2.json 'len(d["commands"])')" 3 "default, menu, outcome: three commands"

fake "$phone" late:1 >late1.json
check_eq "$(json late1.json 'd["variables"]["SMARTROUTE_TARGET"]')" "$ext1" "digit 1 after the menu"
fake "$phone" silent >silent.json
check_eq "$(json silent.json 'd["variables"]["SMARTROUTE_TARGET"]')" 100 "silence goes to the default"
check_eq "$(json silent.json 'd["variables"]["SMARTROUTE_RESULT"]')" default "silence result"
check_eq "$(json silent.json 'sum(c.startswith("WAIT FOR DIGIT") for c in d["commands"])')" 2 "menu repeated twice"
fake "$phone" invalid:9,1 >invalid.json
check_eq "$(json invalid.json 'd["variables"]["SMARTROUTE_TARGET"]')" "$ext1" "invalid digit, then 1"
fake "+7 999 000 00 00" silent >unknown.json
check_eq "$(json unknown.json 'd["variables"]["SMARTROUTE_TARGET"]')" 100 "unknown caller"
fake "$phone" hangup >hangup.json
check_eq "$(json hangup.json '"SMARTROUTE_RESULT" in d["variables"]')" False "no result after a hangup"
sleep 0.3
grep -q "result=hangup" server.log || fail "hangup not logged"

# A channel that never answers: the 5 s reply deadline, then the emergency target, still in
# lock-step. A prompt Asterisk cannot play on a live channel: 0.5 s for a HANGUP, then the same.
fake "$phone" mute:1 >mute.json
check_eq "$(json mute.json 'd["variables"]["SMARTROUTE_TARGET"]')" 999 "no reply: emergency target"
check_eq "$(json mute.json 'd["variables"]["SMARTROUTE_RESULT"]')" emergency "no reply: result"
check_eq "$(json mute.json '4.5 <= d["seconds"] < 7')" True "no reply: gave up after 5 s ($(json mute.json 'd["seconds"]') s)"
fake "$phone" unplayable >unplayable.json
check_eq "$(json unplayable.json 'd["variables"]["SMARTROUTE_TARGET"]')" 999 "unplayable: emergency target"
check_eq "$(json unplayable.json '0.5 <= d["seconds"] < 3')" True "unplayable: 0.5 s grace ($(json unplayable.json 'd["seconds"]') s)"
sleep 0.3
grep -q "result=emergency target=999 .*reason=\"no reply to 'SET VARIABLE'\"" server.log ||
  { tail -5 server.log; fail "no-reply reason not logged"; }
grep -q 'result=emergency target=999 .*reason="STREAM FILE failed' server.log ||
  { tail -5 server.log; fail "unplayable reason not logged"; }
# Every field of every line is what it says (a dangling view once wrote garbage here).
! LC_ALL=C grep -an '[^ -~]' server.log || fail "bytes that are not printable ASCII in the log"
grep -q "event=call uniqueid=1795683658.1 caller=$phone client=$client mode=menu" server.log ||
  { head -3 server.log; fail "log line fields"; }

# Hostile peers: the server survives each and still routes the next call.
printf 'GET / HTTP/1.1\r\nHost: x\r\n\r\n' >garbage.txt
head -c 1048576 /dev/zero | tr '\0' 'a' >big.txt
printf 'agi_network: yes\nagi_request: agi://x\n' >truncated.txt
for f in garbage big truncated; do fake x "raw:$WORK/$f.txt" >"$f.json" || true; done
python3 - "$port" <<'PY'
import socket, sys, time
s = socket.create_connection(("127.0.0.1", int(sys.argv[1])))
for c in b"agi_network: yes\n":  # a slow drip, then silence: the 2 s header deadline closes it
    s.send(bytes([c])); time.sleep(0.05)
s.settimeout(5)
assert s.recv(100) == b"", "the server should close a stalled header"
PY
kill -0 "$server" || fail "serve-agi died"
fake "$phone" press:2 >after.json
check_eq "$(json after.json 'd["variables"]["SMARTROUTE_TARGET"]')" "$ext2" "still routing after hostile peers"

# 50 calls at once, all routed.
pids=()
for i in $(seq 50); do
  fake "$phone" press:2 "1795683658.$i" >"c$i.json" &
  pids+=($!)
done
wait "${pids[@]}"
routed=0
for i in $(seq 50); do [ "$(json "c$i.json" 'd["variables"]["SMARTROUTE_TARGET"]')" = "$ext2" ] && routed=$((routed + 1)); done
check_eq "$routed" 50 "concurrent calls routed"

# A missing "press 2" fragment drops option 2: digit 2 is no longer an escape digit and
# pressing it is an invalid choice; an empty cache sends callers to the emergency number.
expect_status 0 sr "${s[@]}" --json explain "$phone"
victim=$(json "$WORK/out" '[f["file"] for f in d["fragments"] if f["template"] == "press" and f["digit"] == 2][0]')
mv "$victim.wav" "$victim.wav.away"
fake "$phone" press:2 >dropped.json
check_eq "$(json dropped.json 'd["variables"]["SMARTROUTE_RESULT"]')" default "option 2 dropped"
check_eq "$(json dropped.json 'any("2" in c.split(chr(34))[3] for c in d["commands"] if c.startswith("STREAM FILE"))')" False "2 is not an escape digit"
mv "$victim.wav.away" "$victim.wav"
fake "$phone" press:2 >back.json
check_eq "$(json back.json 'd["variables"]["SMARTROUTE_TARGET"]')" "$ext2" "option 2 back with its file"
mv "$WORK/state/cache" "$WORK/cache.away"
fake "$phone" press:1 >empty.json
check_eq "$(json empty.json 'd["variables"]["SMARTROUTE_TARGET"]')" 999 "empty cache: emergency"
mv "$WORK/cache.away" "$WORK/state/cache"
fake "$phone" press:2 >restored.json
check_eq "$(json restored.json 'd["variables"]["SMARTROUTE_TARGET"]')" "$ext2" "cache back: routed again"

# An Asterisk without the MSet application ("200 result=-2"): the outcome is set one variable
# at a time, from then on without asking again, and the call is routed all the same.
FAKE_ASTERISK_NO_MSET=1 fake "$phone" press:2 >nomset.json
check_eq "$(json nomset.json 'd["variables"]["SMARTROUTE_TARGET"]')" "$ext2" "no MSet: routed"
check_eq "$(json nomset.json 'd["variables"]["SMARTROUTE_RESULT"]')" selected "no MSet: result"
check_eq "$(json nomset.json 'd["variables"]["SMARTROUTE_CLIENT"]')" "$client" "no MSet: client"
check_eq "$(json nomset.json 'sum(c.startswith("SET VARIABLE") for c in d["commands"])')" 5 "no MSet: SET VARIABLE each"
FAKE_ASTERISK_NO_MSET=1 fake "$phone" press:2 >nomset2.json
check_eq "$(json nomset2.json 'sum(c.startswith("EXEC") for c in d["commands"])')" 0 "no MSet: not asked again"
grep -q 'event=warning reason="Asterisk has no MSet application' server.log ||
  fail "no warning about the missing MSet"

sleep 0.5
kill -TERM "$server"
for _ in $(seq 50); do kill -0 "$server" 2>/dev/null || break; sleep 0.1; done
kill -0 "$server" 2>/dev/null && fail "serve-agi did not stop on SIGTERM"
wait "$server" || fail "serve-agi exited non-zero"
[ "$(sqlite3 "$WORK/state/calls.db" 'SELECT count(*) FROM call_log')" -ge 61 ] || fail "call log incomplete"
check_eq "$(sqlite3 "$WORK/state/calls.db" "SELECT count(*) FROM call_log WHERE result = 'selected'")" "$((50 + 8))" "selected calls logged"
check_eq "$(sqlite3 "$WORK/state/calls.db" "SELECT count(*) FROM call_log WHERE result = 'emergency'")" 3 "emergency logged"
