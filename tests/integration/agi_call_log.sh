# serve-agi's call log lives in a file of its own (store.call_log, default
# <state_dir>/calls.db): every call gets its row there, with the store's ids of the client and
# the employee, and serve-agi never writes the store. A SIGHUP that names another file moves
# the next rows there.
source "$(dirname "$0")/lib.sh"
command -v espeak-ng >/dev/null || { echo "espeak-ng missing"; exit 125; }
command -v sqlite3 >/dev/null || { echo "sqlite3 missing"; exit 125; }
fake() { timeout 60 python3 "$SOURCE_DIR/tests/agi/fake_asterisk.py" "$port" "$@"; }

expect_status 0 sr demo-data --out data --employees 4 --clients 20 --interactions 300 --seed 5
port=$(free_port)
write_config() { # CALL_LOG
  cat >smartroute.toml <<TOML
[store]
call_log = "$1"
[routing]
default_number = "100"
emergency_number = "999"
direct = false
digit_timeout = "1s"
[agi]
port = $port
TOML
}
write_config ""
prepare_store
expect_status 0 sr "${s[@]}" config show
contains "$WORK/out" "store.call_log = \"$WORK/state/calls.db\""

store=$WORK/state/smartroute.db
phone=$(sqlite3 "$store" "SELECT p.raw FROM client_phones p JOIN client_state s ON s.client = p.client WHERE s.top_employee IS NOT NULL LIMIT 1")
[ -n "$phone" ] || fail "no scored demo client"
before=$(sha256sum "$store" | cut -d' ' -f1)

start_serve_agi "${s[@]}" serve-agi
[ -f "$WORK/state/calls.db" ] || fail "serve-agi did not create calls.db at start"

fake "$phone" press:1 1795683000.1 >a.json
fake "$phone" silent 1795683000.2 >b.json
fake "+7 999 000 00 00" silent 1795683000.3 >c.json
for _ in $(seq 50); do # rows are written in batches every 200 ms
  [ "$(sqlite3 "$WORK/state/calls.db" 'SELECT count(*) FROM call_log')" = 3 ] && break
  sleep 0.1
done
check_eq "$(sqlite3 "$WORK/state/calls.db" 'SELECT count(*) FROM call_log')" 3 "rows in calls.db"
# The ids are the store's: the client of the caller, the employee behind the digit.
row=$(sqlite3 "$WORK/state/calls.db" "SELECT client, employee, result, target, mode FROM call_log WHERE uniqueid = '1795683000.1'")
client_key=$(json a.json 'd["variables"]["SMARTROUTE_CLIENT"]')
employee_key=$(json a.json 'd["variables"]["SMARTROUTE_EMPLOYEE"]')
ids=$(sqlite3 "$store" "SELECT (SELECT id FROM clients WHERE key = '$client_key'), (SELECT id FROM employees WHERE key = '$employee_key')")
check_eq "$row" "$ids|selected|$(json a.json 'd["variables"]["SMARTROUTE_TARGET"]')|menu" "selected call row"
check_eq "$(sqlite3 "$WORK/state/calls.db" "SELECT result, target, employee IS NULL FROM call_log WHERE uniqueid = '1795683000.2'")" "default|100|1" "silent call row"
check_eq "$(sqlite3 "$WORK/state/calls.db" "SELECT client IS NULL, mode FROM call_log WHERE uniqueid = '1795683000.3'")" "1|new-client" "unknown caller row"

# A reload naming another file: the next calls go there (its directory is created).
write_config "$WORK/logs/other.db"
kill -HUP "$server"
for _ in $(seq 50); do grep -q event=reloaded server.log && break; sleep 0.1; done
grep -q event=reloaded server.log || { cat server.log; fail "no reload"; }
fake "$phone" press:2 1795683000.4 >d.json
sleep 0.5
kill -TERM "$server"
wait "$server" || fail "serve-agi exited non-zero"
check_eq "$(sqlite3 "$WORK/logs/other.db" 'SELECT uniqueid FROM call_log')" 1795683000.4 "row in the new file"
check_eq "$(sqlite3 "$WORK/state/calls.db" 'SELECT count(*) FROM call_log')" 3 "old file unchanged"

# The store: not one byte changed, and its own (legacy) call_log table stays empty.
check_eq "$(sha256sum "$store" | cut -d' ' -f1)" "$before" "store bytes unchanged"
check_eq "$(sqlite3 "$store" 'SELECT count(*) FROM call_log')" 0 "no row in the store"
[ ! -s "$store-wal" ] || fail "serve-agi wrote the store's WAL"

# A call log from a newer smartroute is refused by name.
sqlite3 "$WORK/logs/other.db" 'PRAGMA user_version=99'
write_config "$WORK/logs/other.db"
expect_status 1 timeout 10 "$SMARTROUTE" "${s[@]}" serve-agi
contains "$WORK/err" "call log $WORK/logs/other.db: schema version 99 is newer"
