# report: real calls through serve-agi and the synthetic Asterisk (tests/agi/fake_asterisk.py)
# fill the call log; the table, --json and --csv must say what those calls did. Rows written
# with sqlite3 then check the edges of a period, and bad dates are usage errors.
source "$(dirname "$0")/lib.sh"
command -v espeak-ng >/dev/null || { echo "espeak-ng missing"; exit 125; }
command -v sqlite3 >/dev/null || { echo "sqlite3 missing"; exit 125; }
fake() { timeout 60 python3 "$SOURCE_DIR/tests/agi/fake_asterisk.py" "$port" "$@" >/dev/null; }

expect_status 0 sr demo-data --out data --employees 6 --clients 80 --interactions 1500 --seed 11
port=$(free_port)
cat >smartroute.toml <<TOML
[routing]
time_zone = "Europe/Moscow"
default_number = "100"
emergency_number = "999"
direct = false
digit_timeout = "1s"
[agi]
port = $port
TOML
db=$WORK/state/smartroute.db
calls=$WORK/state/calls.db # serve-agi's call log (store.call_log)
prepare_store

# Nothing logged yet: a clear message, exit 0, in every output form.
expect_status 0 sr "${s[@]}" report
contains out "no calls from "
contains out " in the call log"
expect_status 0 sr "${s[@]}" --json report
check_eq "$(json out 'd["calls"], d["results"]["selected"]["calls"], d["employees"]')" "(0, 0, [])" "empty --json"
expect_status 0 sr "${s[@]}" report --csv
check_eq "$(cat out)" "since,until,employee,name,offered,chosen,connected" "empty --csv"
contains err "no calls from "

# A client whose menu offers at least two employees.
sqlite3 "$db" "SELECT p.raw FROM client_phones p JOIN client_state s ON s.client = p.client
  WHERE s.top_employee IS NOT NULL" >phones.txt
phone=""
while read -r candidate; do
  sr "${s[@]}" --json explain "$candidate" >x.json
  if [ "$(json x.json 'len(d["options"])')" -ge 2 ]; then phone=$candidate; break; fi
done <phones.txt
[ -n "$phone" ] || fail "no demo client with a menu of two"
key1=$(json x.json 'd["options"][0]["employee"]["id"]')
key2=$(json x.json 'd["options"][1]["employee"]["id"]')
name1=$(json x.json 'd["options"][0]["employee"]["name"]')
offered_keys=$(json x.json '" ".join(o["employee"]["id"] for o in d["options"])')

start_serve_agi "${s[@]}" serve-agi

fake "$phone" press:2 1795683658.1
fake "$phone" press:2 1795683658.2
fake "$phone" late:1 1795683658.3
fake "$phone" invalid:9,1 1795683658.4
fake "$phone" silent 1795683658.5
fake "+7 999 000 00 00" silent 1795683658.6 # a new client, no pool: the default number
fake "$phone" hangup 1795683658.7
mv "$WORK/state/cache" "$WORK/cache.away" # nothing playable: the emergency number
fake "$phone" press:1 1795683658.8
mv "$WORK/cache.away" "$WORK/state/cache"
for _ in $(seq 50); do
  [ "$(sqlite3 "$calls" 'SELECT count(*) FROM call_log' 2>/dev/null)" = 8 ] && break
  sleep 0.1
done
check_eq "$(sqlite3 "$calls" 'SELECT count(*) FROM call_log')" 8 "calls logged"

# The report reads while serve-agi runs and writes.
expect_status 0 sr "${s[@]}" --json report
cp out r.json
check_eq "$(json r.json 'd["calls"]')" 8 "calls"
check_eq "$(json r.json '[d["results"][k]["calls"] for k in ("selected", "direct", "default", "emergency", "hangup")]')" \
  "[4, 0, 2, 1, 1]" "results"
check_eq "$(json r.json 'd["results"]["selected"]["share"]')" 0.5 "share of selected"
check_eq "$(json r.json '(d["modes"]["menu"]["calls"], d["modes"]["new-client"]["calls"], d["modes"]["direct"]["calls"])')" \
  "(7, 1, 0)" "modes"
check_eq "$(json r.json 'd["modes"]["menu"]["results"]["selected"], d["modes"]["new-client"]["results"]["default"]')" \
  "(4, 1)" "results per mode"
# Every menu heard by the known caller (not the emergency call, which had nothing to offer).
emp() { json r.json "[(e['offered'], e['chosen'], e['connected']) for e in d['employees'] if e['id'] == '$1'][0]"; }
check_eq "$(emp "$key1")" "(6, 2, 2)" "employee 1 offered, chosen, connected"
check_eq "$(emp "$key2")" "(6, 2, 2)" "employee 2 offered, chosen, connected"
check_eq "$(json r.json "sorted(e['id'] for e in d['employees'])")" \
  "$(python3 -c 'import sys; print(sorted(sys.argv[1:]))' $offered_keys)" "employees listed"
check_eq "$(json r.json "[e['name'] for e in d['employees'] if e['id'] == '$key1'][0]")" "$name1" "name"
check_eq "$(json r.json 'd["emergencies"]')" "[{'calls': 1, 'reason': 'no option of the menu is cached'}]" "emergency reasons"
check_eq "$(json r.json '(d["session_ms"]["all"]["calls"], d["session_ms"]["selected"]["calls"])')" "(8, 4)" "session calls"
check_eq "$(json r.json '0 < d["session_ms"]["selected"]["p50"] <= d["session_ms"]["selected"]["p90"] < 60000')" True "session percentiles"

# The table says the same, aligned, without colour when not on a terminal.
expect_status 0 sr "${s[@]}" report
cp out table.txt
contains table.txt "8 calls  from "
grep -qE "^  selected +4 +50\.0%$" table.txt || { cat table.txt; fail "selected row"; }
grep -qE "^  new-client +1 +0 +0 +1 +0 +0$" table.txt || { cat table.txt; fail "new-client row"; }
grep -qF "  $key1" table.txt || fail "employee 1 row"
grep -qE "^  $key1 +$name1 +6 +2 +2$" table.txt || { cat table.txt; fail "employee 1 row"; }
grep -qE "^  no option of the menu is cached +1$" table.txt || { cat table.txt; fail "emergency row"; }
grep -q $'\033' table.txt && fail "colour in a file"
# Columns line up: "calls" of the results table ends where its numbers end.
awk '/^  result /{h=index($0,"calls")+4} h && /^  selected /{exit !(substr($0,h,1)=="4")}' table.txt ||
  { cat table.txt; fail "results columns not aligned"; }
if command -v script >/dev/null; then
  script -qec "$SMARTROUTE ${s[*]} report" /dev/null >tty.txt
  grep -q $'\033\\[1m' tty.txt || fail "no bold on a terminal"
  NO_COLOR=1 script -qec "$SMARTROUTE ${s[*]} report" /dev/null >tty.txt
  grep -q $'\033' tty.txt && fail "colour despite NO_COLOR"
fi

# --csv: one row per employee of the --json document, with the same figures.
expect_status 0 sr "${s[@]}" report --csv
python3 - out r.json "$key1" "$name1" <<'PY' || fail "--csv rows"
import csv, json, sys
rows = list(csv.DictReader(open(sys.argv[1], newline="")))
doc = json.load(open(sys.argv[2]))
assert [r["employee"] for r in rows] == [e["id"] for e in doc["employees"]], rows
r = next(r for r in rows if r["employee"] == sys.argv[3])
assert (r["name"], r["offered"], r["chosen"], r["connected"]) == (sys.argv[4], "6", "2", "2"), r
# The period, the same on every line (it is a few seconds later than that of r.json).
assert len({(x["since"], x["until"]) for x in rows}) == 1, rows
assert rows[0]["since"][:13] == doc["since"][:13] and rows[0]["until"].endswith("+03:00"), rows
PY

kill -TERM "$server"
wait "$server" || fail "serve-agi exited non-zero"

# The edges of a period, with rows at its first and last second and just outside.
at() { date -d "$1" +%s; }
id1=$(sqlite3 "$db" "SELECT id FROM employees WHERE key = '$key1'")
sqlite3 "$calls" <<SQL
INSERT INTO call_log(uniqueid, started_at, caller, mode, offered, result, target, employee, reason)
VALUES ('a', $(at 2020-01-31T23:59:59+03:00), '', 'menu', '$key1', 'selected', '', $id1, ''),
       ('b', $(at 2020-02-01T00:00:00+03:00), '', 'direct', '', 'direct', '', $id1, ''),
       ('c', $(at 2020-02-15T12:00:00+03:00), '', 'none', '', 'emergency', '999', NULL, 'no reply to ''SET'''),
       ('d', $(at 2020-02-29T23:59:59+03:00), '', 'menu', '$key1', 'default', '100', NULL, ''),
       ('e', $(at 2020-03-01T00:00:00+03:00), '', 'menu', '$key1', 'selected', '', $id1, '');
SQL
period() { sr "${s[@]}" --json report "$@" >p.json || fail "report $*"; json p.json 'd["calls"]'; }
check_eq "$(period --since 2020-02-01 --until 2020-02-29)" 3 "a date alone includes its day"
check_eq "$(period --since 2020-02-01T00:00:01 --until 2020-02-29)" 2 "first second excluded"
check_eq "$(period --since 2020-02-01 --until 2020-02-29T23:59:59)" 2 "the end is not included"
check_eq "$(period --since 2020-01-31T21:00:00Z --until 2020-02-29)" 3 "an offset is taken as written"
check_eq "$(period --since 2020-01-31T23:59 --until 2020-03-01T00:00:01)" 5 "the rows just outside"
period --since 2020-02-01 --until 2020-02-29 >/dev/null
check_eq "$(json p.json 'd["since"], d["until"]')" "('2020-02-01T00:00:00+03:00', '2020-03-01T00:00:00+03:00')" "period in --json"
check_eq "$(json p.json '[e for e in d["employees"] if e["id"] == "'"$key1"'"][0]["connected"]')" 1 "direct counts as connected"
check_eq "$(json p.json 'd["modes"]["none"]["calls"], d["modes"]["direct"]["results"]["direct"]')" "(1, 1)" "modes of fixed rows"
check_eq "$(json p.json 'd["emergencies"][0]["reason"]')" "no reply to 'SET'" "reason"
check_eq "$(period)" 8 "default: the last 7 days"
check_eq "$(period --since 1h)" 8 "relative --since"
check_eq "$(period --until 1h)" 0 "relative --until"

# An empty period is not an error.
expect_status 0 sr "${s[@]}" report --since 2019-01-01 --until 2019-01-31
check_eq "$(cat out)" "no calls from 2019-01-01 00:00 +03:00 to 2019-02-01 00:00 +03:00 in the call log" "empty period"

# Bad dates and options are usage errors that name the value.
expect_status 2 sr "${s[@]}" report --since yesterday
contains err "--since 'yesterday' is not a date"
expect_status 2 sr "${s[@]}" report --until 7
contains err "--until '7'"
expect_status 2 sr "${s[@]}" report --since 2026-13-01
contains err "'2026-13-01'"
expect_status 2 sr "${s[@]}" report --since 2020-03-01 --until 2020-02-01
contains err "is not before --until"
expect_status 2 sr "${s[@]}" --json report --csv
contains err "--csv and --json"
expect_status 1 sr --config smartroute.toml --state-dir "$WORK/none" report
contains err "smartroute.db"
