# smartroute doctor on a small demo: all green with serve-agi running; then a broken config,
# a deleted cache file, a stopped server, a foreign program on the port, stale data,
# world-readable secrets and an unreadable cache each turn the right line red (or yellow)
# with the right fix. Then 1C through its double (ok, wrong password, double stopped) and
# the speech services through theirs (free checks by default, the paid one on request).
source "$(dirname "$0")/lib.sh"
source "$SOURCE_DIR/tests/doubles/double.sh"

# The status, message and fix of one check from the last --json run.
status() { json "$WORK/out" "[c for c in d['checks'] if c['name'] == '$1'][0]['status']"; }
message() { json "$WORK/out" "[c for c in d['checks'] if c['name'] == '$1'][0]['message']"; }
fix() { json "$WORK/out" "[c for c in d['checks'] if c['name'] == '$1'][0]['fix']"; }
expect_check() { # NAME STATUS [TEXT IN MESSAGE OR FIX]
  local got
  got=$(status "$1")
  [ "$got" == "$2" ] || { cat "$WORK/out" >&2; fail "check $1: got '$got', expected '$2'"; }
  if [ -n "${3:-}" ] && [[ "$(message "$1") $(fix "$1")" != *"$3"* ]]; then
    cat "$WORK/out" >&2
    fail "check $1 does not mention '$3'"
  fi
}

# -- the demo: demo-data, import, score, warm with espeak, serve-agi running ----------------
expect_status 0 sr demo-data --out data --employees 8 --clients 60 --interactions 600 --seed 5
agi_port=$(free_port)
cat >smartroute.toml <<TOML
[routing]
default_number = "200"
emergency_number = "201"
[tts]
engine = "espeak"
voice = "ru"
[agi]
port = $agi_port
TOML
cp smartroute.toml good.toml
doctor() { "$SMARTROUTE" "${s[@]}" --json doctor --pbx-user "$(id -un)" --timeout 5 "$@"; }
prepare_store

server=""
start_server() {
  "$SMARTROUTE" "${s[@]}" serve-agi 2>>server.log &
  server=$!
  double_pids+=("$server")
  for _ in $(seq 50); do
    [ "$(grep -c event=listening server.log)" -ge "$1" ] && return
    sleep 0.1
  done
  cat server.log >&2
  fail "serve-agi did not start"
}
start_server 1

expect_status 0 doctor
for name in config store data score tts cache agi secrets cache.access; do
  [ "$(status $name)" == ok ] || [ "$(status $name)" == skip ] || { cat "$WORK/out" >&2; fail "$name is not green"; }
done
check_eq "$(json "$WORK/out" 'd["status"]')" skip "overall"
expect_check config ok "is valid"
expect_check store ok "(current)"
expect_check data ok "8 employees, 60 clients"
expect_check score ok "just now"
expect_check onec skip "onec.url is not set"
expect_check tts ok "voice 'ru' loads"
expect_check tts.key skip "needs no key"
expect_check cache ok "phrases of every menu"
expect_check agi ok "answered a test call"
expect_check agi ok "target 200 (default)"
expect_check cache.access ok "can read all"
# The human form: one line per check and a summary; no colour without a terminal.
expect_status 0 sr "${s[@]}" doctor --pbx-user "$(id -un)"
contains "$WORK/out" "ok    agi           serve-agi on 127.0.0.1:$agi_port answered a test call"
contains "$WORK/out" "skip  onec          onec.url is not set"
if grep -q $'\033' "$WORK/out"; then fail "colour without a terminal"; fi
# The test call is served like any other but kept out of the call log and the reports.
grep -q "event=probe uniqueid=doctor-" server.log || { cat server.log >&2; fail "no probe line"; }
sleep 0.5 # serve-agi writes its call log every 200 ms
check_eq "$(sqlite3 "$WORK/state/calls.db" 'SELECT count(*) FROM call_log')" 0 "call_log rows"

# -- a broken configuration: the config line fails with every problem counted ---------------
sed -i 's/^default_number = "200"$/default_number = "200"\nmenu_sise = 3\ndominance = 7/' smartroute.toml
expect_status 1 doctor
expect_check config fail "2 problems, the first: smartroute.toml:3:"
expect_check config fail "'smartroute config check' lists every problem"
expect_check store ok # the other checks still run
expect_check agi ok
cp good.toml smartroute.toml
# A file that cannot be parsed: the rest is not checked against made-up defaults.
printf '[routing\n' >smartroute.toml
expect_status 1 doctor
expect_check config fail "smartroute.toml:1:"
expect_check store skip "needs a configuration"
cp good.toml smartroute.toml

# -- a deleted cache file: the cache line fails and says to warm ----------------------------
victim=$(find "$WORK/state/cache" -name '*.wav' -print -quit)
rm "$victim"
expect_status 1 doctor
expect_check cache fail "1 of"
expect_check cache fail "run 'smartroute warm'"
expect_check agi ok
expect_status 0 sr "${s[@]}" -q warm
expect_status 0 doctor

# -- data age: stale data warns, a store never scored fails --------------------------------
db="$WORK/state/smartroute.db"
sqlite3 "$db" "UPDATE meta SET value = '2020-01-01T00:00:00Z' WHERE key = 'last_import'"
expect_status 3 doctor
expect_check data warn "d ago (2020-01-01T00:00:00Z)"
expect_check data warn "smartroute-nightly.timer"
expect_check score ok
sqlite3 "$db" "DELETE FROM meta WHERE key = 'last_score'"
expect_status 1 doctor
expect_check score fail "run 'smartroute score'"
expect_status 0 sr "${s[@]}" -q import --employees data/employees.csv --clients data/clients.csv \
  --interactions data/interactions.csv
expect_status 0 sr "${s[@]}" -q score
expect_status 0 doctor

# -- the server stopped: a warning that says to start it ------------------------------------
kill "$server"
wait "$server" 2>/dev/null || true
expect_status 3 doctor
expect_check agi warn "serve-agi is not running"
expect_check agi warn "systemctl start smartroute-agi"
expect_status 3 sr "${s[@]}" doctor --pbx-user "$(id -un)"
contains "$WORK/out" "warn  agi"
contains "$WORK/out" "1 warning"

# -- a foreign program on the port: a failure naming it -------------------------------------
python3 -c '
import socket, sys
s = socket.socket(); s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
s.bind(("127.0.0.1", int(sys.argv[1]))); s.listen(5)
print("ready", flush=True)
while True:
    c, _ = s.accept(); c.recv(4096); c.sendall(b"HTTP/1.0 400 Bad Request\r\n\r\n"); c.close()
' "$agi_port" >foreign.out 2>&1 &
double_pids+=($!)
for _ in $(seq 50); do grep -q ready foreign.out && break; sleep 0.1; done
expect_status 1 doctor
expect_check agi fail "is not serve-agi"
expect_check agi fail "HTTP/1.0 400"
expect_check agi fail "python3 (pid"
expect_check agi fail "another agi.port"
kill "${double_pids[-1]}"
wait "${double_pids[-1]}" 2>/dev/null || true
start_server 2
expect_status 0 doctor

# -- permissions: a world-readable secret file, a cache Asterisk cannot read -----------------
printf 'AQVN-key\n' >yc.key
chmod 644 yc.key
chmod 600 smartroute.toml
printf '[onec]\npassword_file = "%s/yc.key"\n' "$WORK" >>smartroute.toml
expect_status 1 doctor
expect_check secrets fail "readable by every user"
expect_check secrets fail "chmod 640 $WORK/yc.key"
chmod 640 yc.key
expect_status 0 doctor
expect_check secrets ok "not readable by every user"
chmod 644 smartroute.toml # it only names where the secrets are: a warning
expect_status 3 doctor
expect_check secrets warn "chmod 640 smartroute.toml"
cp good.toml smartroute.toml
# Judged from the permission bits, so it works as root too. mktemp made $WORK private.
chmod 711 "$WORK" "$WORK/state"
chmod 700 "$WORK/state/cache"
expect_status 1 "$SMARTROUTE" "${s[@]}" --json doctor --pbx-user nobody --timeout 5
expect_check cache.access fail "user nobody cannot enter $WORK/state/cache"
expect_check cache.access fail "chmod -R g+rX $WORK/state/cache"
chmod 755 "$WORK/state/cache"
find "$WORK/state/cache" -name '*.sln16' -exec chmod 600 {} +
expect_status 1 "$SMARTROUTE" "${s[@]}" --json doctor --pbx-user nobody --timeout 5
expect_check cache.access fail "user nobody cannot read $WORK/state/cache/"
expect_check cache.access fail "other files"
find "$WORK/state/cache" -type f -exec chmod 644 {} +
expect_status 0 "$SMARTROUTE" "${s[@]}" --json doctor --pbx-user nobody --timeout 5
expect_check cache.access ok "user nobody"
chmod 700 "$WORK"
expect_status 3 "$SMARTROUTE" "${s[@]}" --json doctor --pbx-user no-such-user-here --timeout 5
expect_check cache.access warn "could not check"
expect_check cache.access warn "--pbx-user"

# -- 1C through its double: ok, wrong password, a mapping 1C does not have, double stopped ---
printf 'onec-pass\n' >onec.password
chmod 600 onec.password
start_double onec_odata.py --profile trade --user odata.user --password-file "$WORK/onec.password"
onec_pid=${double_pids[-1]}
onec_url="$base/trade/odata/standard.odata/"
sed -e "s#^url = .*#url = \"$onec_url\"#" \
  -e "s#^password_env = .*#password_file = \"$WORK/onec.password\"#" \
  "$SOURCE_DIR/examples/onec-trade.toml" >onec.toml
printf '[agi]\nport = %s\n' "$agi_port" >>onec.toml
chmod 600 onec.toml
o=(--config onec.toml --state-dir "$WORK/state")
expect_status 1 "$SMARTROUTE" "${o[@]}" --json doctor --pbx-user "$(id -un)" --timeout 5
expect_check onec ok "answers and accepts user 'odata.user'"
expect_check onec.mapping ok "the mapping matches"
expect_check data fail "never synced from 1C" # the store came from files
expect_status 0 "$SMARTROUTE" "${o[@]}" -q sync
expect_status 0 "$SMARTROUTE" "${o[@]}" -q score
expect_status 0 "$SMARTROUTE" "${o[@]}" -q warm
expect_status 0 "$SMARTROUTE" "${o[@]}" --json doctor --pbx-user "$(id -un)" --timeout 5
expect_check data ok "last sync just now"
printf 'wrong\n' >onec.password
expect_status 1 "$SMARTROUTE" "${o[@]}" --json doctor --pbx-user "$(id -un)" --timeout 5
expect_check onec fail "HTTP 401"
expect_check onec fail "check onec.user/password"
expect_check onec.mapping skip
if grep -qF "onec-pass" "$WORK/out"; then fail "a password in doctor's output"; fi
printf 'onec-pass\n' >onec.password
sed -i 's/^entity = "Document_ЗаказКлиента"$/entity = "Document_ЗаказКлиентов"/' onec.toml
expect_status 1 "$SMARTROUTE" "${o[@]}" --json doctor --pbx-user "$(id -un)" --timeout 5
expect_check onec ok
expect_check onec.mapping fail "Document_ЗаказКлиентов"
expect_check onec.mapping fail "sync --check"
kill "$onec_pid"
wait "$onec_pid" 2>/dev/null || true
expect_status 1 "$SMARTROUTE" "${o[@]}" --json doctor --pbx-user "$(id -un)" --timeout 5
expect_check onec fail "unreachable"
expect_check onec fail "check onec.url"
expect_check tts ok # the others go on

# -- speech services through their doubles: reachability and key apart, nothing paid -------
export YC_KEY=AQVN-good-key-123456
start_double yandex_tts.py --key "$YC_KEY"
yandex_base=$base
tts_config() { # FILE ENGINE LINES...
  local file=$1 engine=$2
  shift 2
  { printf '[routing]\ndefault_number = "200"\nemergency_number = "201"\n[agi]\nport = %s\n' "$agi_port"
    printf '[tts]\nengine = "%s"\ntimeout = "5s"\n' "$engine"
    printf '%s\n' "$@"; } >"$file"
}
tts_config yandex.toml yandex "url = \"$yandex_base\"" 'api_key_env = "YC_KEY"' 'voice = "alena"'
y=(--config yandex.toml --state-dir "$WORK/state")
expect_status 1 "$SMARTROUTE" "${y[@]}" --json doctor --pbx-user "$(id -un)" --timeout 5
expect_check tts ok "answers (HTTP 401 without a key)"
expect_check tts.key skip "not verified: SpeechKit has no free authenticated request"
expect_check tts.key skip "--paid-check"
expect_check cache fail "run 'smartroute warm'" # another voice: other phrases
check_eq "$(stats 'd["synthesize"]')" 0 "syntheses by doctor"
expect_status 1 "$SMARTROUTE" "${y[@]}" --json doctor --pbx-user "$(id -un)" --timeout 5 --paid-check
expect_check tts.key ok "accepted by one empty request"
YC_KEY=AQVN-wrong-key expect_status 1 "$SMARTROUTE" "${y[@]}" --json doctor --paid-check --timeout 5
expect_check tts ok
expect_check tts.key fail "HTTP 401"
expect_check tts.key fail "tts.api_key"
if grep -qF "AQVN-wrong-key" "$WORK/out"; then fail "a key in doctor's output"; fi
env -u YC_KEY "$SMARTROUTE" "${y[@]}" --json doctor --timeout 5 >"$WORK/out" || true
expect_check tts.key fail "environment variable YC_KEY is not set"
check_eq "$(stats 'd["synthesize"]')" 0 "syntheses by doctor"
kill "${double_pids[-1]}"
wait "${double_pids[-1]}" 2>/dev/null || true
expect_status 1 "$SMARTROUTE" "${y[@]}" --json doctor --timeout 5
expect_check tts fail "check tts.url"
expect_check tts.key skip

export SP_PASSWORD='s3cret-Pa55word'
start_double speechpro.py --user ivr --password "$SP_PASSWORD" --domain-id 201
tts_config speechpro.toml speechpro "url = \"$base\"" 'user = "ivr"' 'domain_id = 201' \
  'api_key_env = "SP_PASSWORD"' 'voice = "Julia_8000n"'
p=(--config speechpro.toml --state-dir "$WORK/state")
expect_status 1 "$SMARTROUTE" "${p[@]}" --json doctor --timeout 5
expect_check tts ok "answers"
expect_check tts.key ok "logged in as ivr (domain 201); voice 'Julia_8000n' is offered"
SP_PASSWORD=wrong expect_status 1 "$SMARTROUTE" "${p[@]}" --json doctor --timeout 5
expect_check tts.key fail "HTTP 401"
expect_check tts.key fail "tts.user"
sed -i 's/Julia_8000n/Julya_8000n/' speechpro.toml
expect_status 1 "$SMARTROUTE" "${p[@]}" --json doctor --timeout 5
expect_check tts.key fail "voice 'Julya_8000n' (tts.voice) is not offered"
check_eq "$(stats 'd["synthesize"]')" 0 "syntheses by doctor"

# Local engines: a voice espeak lacks, a program that is not there.
tts_config espeak-bad.toml espeak 'voice = "xx-nonexistent"'
expect_status 1 "$SMARTROUTE" --config espeak-bad.toml --state-dir "$WORK/state" --json doctor --timeout 5
expect_check tts fail "no voice 'xx-nonexistent'"
expect_check cache skip
tts_config command.toml command 'command = ["no-such-synthesiser", "{out}"]'
expect_status 1 "$SMARTROUTE" --config command.toml --state-dir "$WORK/state" --json doctor --timeout 5
expect_check tts fail "'no-such-synthesiser' (tts.command) is not found in PATH"
expect_check tts.key skip
