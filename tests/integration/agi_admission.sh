# Who serve-agi lets in and what it does when full or told to stop: agi.allow (a peer not
# listed is closed at once; 127.0.0.2 is allowed, 127.0.0.1 not), agi.max_sessions (one call
# over the cap gets the default target and the close, never an idle socket), SIGTERM (the
# call in progress finishes, new ones are refused).
source "$(dirname "$0")/lib.sh"
command -v espeak-ng >/dev/null || { echo "espeak-ng missing"; exit 125; }
python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.2", 0))' 2>/dev/null ||
  { echo "no 127.0.0.2 on this host"; exit 125; }

expect_status 0 sr demo-data --out data --employees 4 --clients 20 --interactions 300 --seed 5
port=$(free_port)
cat >smartroute.toml <<TOML
[routing]
default_number = "100"
emergency_number = "999"
direct = false
digit_timeout = "1s"
[agi]
port = $port
allow = ["127.0.0.2"]
max_sessions = 1
TOML
prepare_store
phone=$(sqlite3 "$WORK/state/smartroute.db" "SELECT p.raw FROM client_phones p JOIN client_state s ON s.client = p.client WHERE s.top_employee IS NOT NULL LIMIT 1")

start_serve_agi "${s[@]}" serve-agi --drain 5

# client.py SOURCE MODE: one session from SOURCE. MODE "call" answers every command and
# prints the variables; "hold" sends the header, reads the first command and waits for a line
# on stdin before answering the rest; "raw" prints whatever comes before the close.
cat >client.py <<'PY'
import json, socket, sys
port, source, mode = int(sys.argv[1]), sys.argv[2], sys.argv[3]
s = socket.socket()
s.bind((source, 0))
s.settimeout(20)
s.connect(("127.0.0.1", port))
s.sendall(("agi_network: yes\nagi_request: agi://x/smartroute\nagi_channel: PJSIP/t-1\n"
           "agi_uniqueid: 1.%s\nagi_arg_1: %s\n\n" % (mode, sys.argv[4] if len(sys.argv) > 4 else "")).encode())
f = s.makefile("rb")
if mode == "raw":
    try:
        got = f.read().decode()
    except ConnectionResetError:  # closed with our header unread
        got = ""
    print(json.dumps({"got": got}))
    sys.exit(0)
variables, first = {}, True
while True:
    line = f.readline().decode()
    if not line:
        break
    if mode == "hold" and first:
        print("holding", flush=True)
        sys.stdin.readline()
    first = False
    if line.startswith("SET VARIABLE"):
        name, value = line.split('"')[1], line.split('"')[3]
        variables[name] = value
        s.sendall(b"200 result=1\n")
    elif line.startswith('EXEC "MSet"'):
        for pair in line.split('"')[3].split(","):
            name, _, value = pair.partition("=")
            variables[name] = value
        s.sendall(b"200 result=0\n")
    elif line.startswith("STREAM FILE"):
        s.sendall(b"200 result=0 endpos=100\n")
    else:
        s.sendall(b"200 result=0\n")
print(json.dumps(variables))
PY
client() { timeout 30 python3 client.py "$port" "$@"; }

# Not on the allow-list: closed at once, nothing sent.
client 127.0.0.1 raw >refused.json
check_eq "$(json refused.json 'd["got"]')" "" "a peer not allowed gets nothing"
grep -q "event=refused peer=127.0.0.1" server.log || fail "refusal not logged"
client 127.0.0.2 call "$phone" >allowed.json
check_eq "$(json allowed.json 'd["SMARTROUTE_RESULT"]')" default "an allowed peer is served"

# One call held open: the next one is over max_sessions = 1.
coproc HOLD { timeout 30 python3 client.py "$port" 127.0.0.2 hold "$phone"; }
read -r -u "${HOLD[0]}" ready
check_eq "$ready" holding "first call open"
client 127.0.0.2 raw >over.json
check_eq "$(json over.json 'd["got"] == "SET VARIABLE \"SMARTROUTE_TARGET\" \"100\"\n"')" True \
  "over the cap: the default target, then the close ($(cat over.json))"
grep -q "event=overloaded result=default" server.log || fail "overload not logged"

# SIGTERM while the first call is still open: no new call, the open one finishes.
kill -TERM "$server"
for _ in $(seq 50); do grep -q event=stopping server.log && break; sleep 0.1; done
grep -q "event=stopping active=1" server.log || { cat server.log; fail "no drain"; }
python3 - "$port" <<'PY' || fail "a new call was accepted while stopping"
import socket, sys
s = socket.socket()
try:
    s.connect(("127.0.0.1", int(sys.argv[1])))
    s.settimeout(3)
    sys.exit(0 if s.recv(100) == b"" else 1)
except OSError:
    sys.exit(0)
PY
echo go >&"${HOLD[1]}"
read -r -u "${HOLD[0]}" held
check_eq "$(echo "$held" | json /dev/stdin 'd["SMARTROUTE_RESULT"]')" default "the open call finished"
wait "$server" || fail "serve-agi exited non-zero"
grep -q "event=stopped" server.log || fail "no stop line"
