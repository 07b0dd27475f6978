# preview --call against a real Asterisk 22 (Debian sid root, tests/asterisk/): the Manager
# Interface on loopback with a user allowed to originate, a Local channel standing in for the
# administrator's phone (it answers and records what it hears), and the espeak audio cache
# bind-mounted at its own path. Scenarios:
#   1 the administrator answers -> OriginateResponse Success (Reason 4) reported; Asterisk plays
#     every phrase preview lists, in order; the recording is as long as the phrases
#   2 a wrong secret            -> "AMI login failed", exit 1, the secret never printed
#   3 an unknown extension      -> the originate failure (Reason 0) reported, exit 1
#   4 a busy extension          -> Reason 5 (busy); 5 nobody answers -> Reason 3, after the timeout
# Skips (125) when the Asterisk root cannot be built or run (not root, no network) or when
# espeak-ng is missing.
source "$(dirname "$0")/lib.sh"
command -v espeak-ng >/dev/null || { echo "SKIP: espeak-ng missing"; exit 125; }
source "$SOURCE_DIR/tests/asterisk/lib.sh"
ast_setup

expect_status 0 sr demo-data --out data --employees 6 --clients 80 --interactions 1500 --seed 11
ami_port=$(free_port)
echo "preview-test-secret" >ami.secret
chmod 600 ami.secret
cat >smartroute.toml <<TOML
[routing]
default_number = "300"
emergency_number = "999"
[ami]
port = $ami_port
user = "smartroute"
secret_file = "$WORK/ami.secret"
channel = "Local/{ext}@preview-admin"
originate_timeout = "3s"
timeout = "5s"
TOML
expect_status 0 sr config check smartroute.toml
prepare_store
cache=$WORK/state/cache

# A demo caller with a menu of two options or more.
python3 - "$WORK/state/smartroute.db" >phones.txt <<'PY'
import sqlite3, sys
db = sqlite3.connect(sys.argv[1])
for (raw,) in db.execute("SELECT p.raw FROM client_phones p JOIN client_state s ON s.client = p.client WHERE s.top_employee IS NOT NULL ORDER BY p.raw"):
    print(raw)
PY
phone=""
while read -r candidate; do
  sr "${s[@]}" --json explain "$candidate" >x.json
  if [ "$(json x.json 'd["mode"]')" = menu ] && [ "$(json x.json 'len(d["options"])')" -ge 2 ]; then
    phone=$(json x.json 'd["number"]["value"]')
    break
  fi
done <phones.txt
[ -n "$phone" ] || fail "no demo client with a menu of two"

# The manager as examples/manager.conf sets it up (loopback only, one user that may originate
# and hear call events), on this test's port and with this test's secret.
sed -e "s/^port = 5038$/port = $ami_port/" -e "s/^secret = .*/secret = preview-test-secret/" \
  "$SOURCE_DIR/examples/manager.conf" >manager.conf
grep -q "^port = $ami_port$" manager.conf && grep -q "^secret = preview-test-secret$" manager.conf ||
  fail "examples/manager.conf no longer has the port and secret lines this test replaces"
# The administrator's phones: one answers and records what it hears until the other side
# hangs up, one is busy, one rings and is never answered.
cat >dialplan.conf <<'CONF'
[preview-admin]
exten => admin,1,Answer()
 same => n,Verbose(1,PREVIEW ANSWERED ${CALLERID(all)})
 same => n,Record(RECDIR/admin.wav,0,60,kqx)
 same => n,Hangup()
exten => busy,1,Busy(10)
exten => noanswer,1,Ringing()
 same => n,Wait(30)
CONF
mkdir rec
chmod 777 rec
ast_start dialplan.conf --bind "$cache" --bind "$WORK/rec" --conf "manager.conf=$WORK/manager.conf" \
  --load app_record --subst "RECDIR=$WORK/rec"
logged() { ast_log_since_mark | grep -F -- "$1" >/dev/null; }
preview_call() { sr "${s[@]}" --json preview "$phone" --call "$@"; }

# 1. The administrator answers: Success (Reason 4), every phrase played in order, recorded.
ast_log_mark
expect_status 0 preview_call admin
cp "$WORK/out" call.json
check_eq "$(json call.json 'd["call"]["success"]')" True "1: success"
check_eq "$(json call.json 'd["call"]["reason"]')" 4 "1: reason"
check_eq "$(json call.json 'd["call"]["channel"]')" "Local/admin@preview-admin" "1: channel"
ast_wait_for_log "PREVIEW ANSWERED \"smartroute preview\" <\\$phone>" 10 >/dev/null ||
  fail "1: the administrator's phone did not show the caller"
ast_wait_idle 60 || fail "1: the call did not end after the menu"
# The files Playback played, in order, are preview's (Asterisk logs "Playing 'FILE.FORMAT'").
played=$(ast_log_since_mark | grep -oE "Playing '[^']+'" | sed -E "s/^Playing '(.*)\.[a-z0-9]+'$/\1/" |
  python3 -c 'import sys; print([l.strip() for l in sys.stdin])')
check_eq "$played" "$(json call.json '[p["file"] for p in d["played"]]')" "1: files played by Asterisk"
if ast_log_since_mark | grep -E "WARNING|ERROR" >&2; then fail "1: Asterisk complained (above)"; fi
[ -s rec/admin.wav ] || fail "1: nothing was recorded on the administrator's side"
python3 - rec/admin.wav call.json <<'PY' || fail "1: the recording is not as long as the menu"
import json, sys, wave
with wave.open(sys.argv[1]) as w:
    got = w.getnframes() / w.getframerate()
want = json.load(open(sys.argv[2]))["seconds"]
print(f"recorded {got:.2f} s, menu {want:.2f} s")
assert abs(got - want) < 0.6, (got, want)
PY
sr "${s[@]}" preview "$phone" --call admin >text.out 2>&1 || fail "1: the text report failed: $(cat text.out)"
grep -F "admin answered (Local/admin@preview-admin): the PBX plays the menu there" text.out >/dev/null ||
  fail "1: text report: $(cat text.out)"
ast_wait_idle 60 || fail "1: the second call did not end"

# 2. A wrong secret: refused by Asterisk, said so, the secret never printed.
echo "not-the-secret" >wrong.secret
sed "s|$WORK/ami.secret|$WORK/wrong.secret|" smartroute.toml >wrong.toml
expect_status 1 sr --config wrong.toml --state-dir "$WORK/state" -v preview "$phone" --call admin
contains "$WORK/err" "Action: Login | Username: smartroute | Secret: (hidden)"
contains "$WORK/err" "AMI login failed"
contains "$WORK/err" "Authentication failed"
if grep -q -e not-the-secret -e preview-test-secret "$WORK/out" "$WORK/err"; then fail "2: a secret was printed"; fi

# 3. An extension the PBX does not know: the originate failure, Reason 0.
ast_log_mark
expect_status 1 preview_call nobody
check_eq "$(json "$WORK/out" 'd["call"]["success"]')" False "3: failure"
check_eq "$(json "$WORK/out" 'd["call"]["reason"]')" 0 "3: reason"
contains "$WORK/err" "the PBX could not reach nobody (Local/nobody@preview-admin)"
contains "$WORK/err" "no such extension"

# 4. Busy: Reason 5. 5. Ringing, never answered: Reason 3 once originate_timeout (3 s) is over.
expect_status 1 preview_call busy
check_eq "$(json "$WORK/out" 'd["call"]["reason"]')" 5 "4: reason"
contains "$WORK/err" "busy"
t0=$(date +%s%N)
expect_status 1 preview_call noanswer
took=$((($(date +%s%N) - t0) / 1000000))
check_eq "$(json "$WORK/out" 'd["call"]["reason"]')" 3 "5: reason"
contains "$WORK/err" "nobody answered"
[ "$took" -ge 2500 ] && [ "$took" -lt 15000 ] || fail "5: took $took ms, expected about 3 s"
ast_wait_idle 15 || fail "calls left up"
echo "ok: preview --call: answered (Reason 4) and played $(json call.json 'len(d["played"])') phrases, $(json call.json 'd["seconds"]') s; unknown (0), busy (5), no answer (3, ${took} ms); wrong secret refused"
