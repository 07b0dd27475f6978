# smartroute sync when 1C fails, against the 1C OData double: every error class gives a
# message that says what 1C said and what to check, and leaves the store as it was; retries
# with backoff happen on network errors and 502/503/504 only (never on 4xx or 1C's own 500);
# a first request slower than onec.timeout is retried; and a sync interrupted by the double
# dying at each request in turn leaves the store byte for byte as it was.
source "$(dirname "$0")/lib.sh"
DOUBLE_NO_ESPEAK=1 source "$SOURCE_DIR/tests/doubles/double.sh"
command -v sqlite3 >/dev/null || { echo "SKIP: sqlite3 is not installed"; exit 125; }
mkdir "$WORK/bin"
ln -s "$(python3 -c 'import sys; print(sys.executable)')" "$WORK/bin/python3"
PATH=$WORK/bin:$PATH

password='секрет-1С-42'
printf '%s\n' "$password" >"$WORK/password"
export SMARTROUTE_ONEC_PASSWORD=$password
start_double onec_odata.py --user 'Синхронизация' --password-file "$WORK/password"

# config FILE [LINE...]: examples/onec-trade.toml pointed at the double ($base), with the
# given lines added to [onec].
config() {
  local file=$1
  shift
  local extra=""
  for line in "$@"; do extra+="\\n$line"; done
  sed -e "s#http://1c.example.local#$base#" -e '0,/^user = /s/^user = .*/user = "Синхронизация"/' \
    -e 's/^validity = .*/validity = "1500d"/' -e "s/^\[onec\]\$/[onec]$extra/" \
    "$SOURCE_DIR/examples/onec-trade.toml" >"$file"
}
s=(--config c.toml --state-dir "$WORK/state")
db=$WORK/state/smartroute.db
dump() { sqlite3 "$db" .dump >"$1"; }

# A first sync (which builds the per-client index and the scoring triggers once at the end)
# interrupted in the middle of the documents: the store keeps its schema, index and triggers
# and holds nothing.
config first.toml 'retries = 0'
control '{"exit_after": 4}' # $metadata, users, clients, calls; the orders request kills it
expect_status 1 sr --config first.toml --state-dir "$WORK/first" sync
check_eq "$(sqlite3 "$WORK/first/smartroute.db" "SELECT count(*) FROM sqlite_master WHERE name IN ('interactions_client', 'interactions_doc', 'interactions_dirty_insert', 'interactions_dirty_update', 'interactions_dirty_delete')")" 5 "indexes and triggers after an interrupted first sync"
check_eq "$(sqlite3 "$WORK/first/smartroute.db" "SELECT (SELECT count(*) FROM interactions) + (SELECT count(*) FROM clients) + (SELECT count(*) FROM employees)")" 0 "rows after an interrupted first sync"
start_double onec_odata.py --user 'Синхронизация' --password-file "$WORK/password"
config c.toml 'retries = 2' 'timeout = "5s"'

# baseline: the store as the last good sync left it, which a failed sync must not change.
baseline() {
  dump good.sql
  cp "$db" good.db
}
expect_status 0 sr "${s[@]}" sync
baseline

# fails WHAT TEXT...: `sync` exits 1 with each TEXT in its error; the store is unchanged and the
# password appears nowhere.
fails() {
  local what=$1
  shift
  expect_status 1 sr "${s[@]}" sync
  for text in "$@"; do contains "$WORK/err" "$text"; done
  grep -qF "$password" "$WORK/out" "$WORK/err" && fail "$what: the password was printed"
  dump now.sql
  cmp -s good.sql now.sql || { diff good.sql now.sql >&2; fail "$what: the store changed"; }
  cmp -s good.db "$db" || fail "$what: the store file changed"
}
# requests EXPR: the double's counters since the last reset_stats, as a Python expression.
requests() { stats "$1"; }
armed() { control '{"reset_stats": true}'; control "$1"; }

# 401: wrong password (no retry), also in the middle of a sync.
SMARTROUTE_ONEC_PASSWORD=wrong armed '{"fail": null}'
SMARTROUTE_ONEC_PASSWORD=wrong fails 401 \
  "smartroute: error: 1C \$metadata: 1C refused user 'Синхронизация' (HTTP 401): 1C says «Нарушение прав доступа!»; check onec.user and the password" \
  "the role for OData access (УдаленныйДоступOData)"
check_eq "$(requests 'd["requests"], d["auth_failures"]')" "(1, 1)" "401 is not retried"
armed '{"fail": {"status": 401, "match": "Catalog_Контрагенты"}}'
fails "401 midway" "Catalog_Контрагенты: 1C refused user 'Синхронизация' (HTTP 401)"
check_eq "$(requests 'd["by_set"].get("Catalog_Контрагенты")')" 1 "401 midway is not retried"

# 404: an entity set 1C does not know (a publication without it), and a wrong publication
# path, where the web server answers with its own HTML page.
armed '{"fail": {"status": 404, "code": "6", "message": "Сегмент пути Document_ЗаказКлиента не найден!", "match": "Document_ЗаказКлиента"}}'
fails "404 set" "Document_ЗаказКлиента: 1C has no such entity set (HTTP 404): 1C says «Сегмент пути Document_ЗаказКлиента не найден!»; check the name, and that the object is in the standard OData interface composition"
check_eq "$(requests 'd["by_set"]["Document_ЗаказКлиента"], d["by_status"].get("404")')" "(1, 1)" "404 is not retried"
cp c.toml good.toml
sed -i "s#/trade/odata/#/trad/odata/#" c.toml
armed '{"fail": null}'
fails "HTML 404" "1C \$metadata: the web server answered HTTP 404 with its own page (Content-Type 'text/html'" "not 1C's OData service: check onec.url"
check_eq "$(requests 'd["requests"]')" 1 "HTML 404 is not retried"
cp good.toml c.toml

# 400 code 6 (a field 1C does not know) and code 14 (a filter 1C cannot parse), with 1C's words.
armed '{"fail": {"status": 400, "code": "6", "message": "Сегмент пути Телефон не найден!", "match": "Catalog_Контрагенты"}}'
fails "400/6" "Catalog_Контрагенты: 1C does not know a field of the query (HTTP 400, code 6): 1C says «Сегмент пути Телефон не найден!»; run 'smartroute sync --check'"
check_eq "$(requests 'd["by_set"]["Catalog_Контрагенты"]')" 1 "400 is not retried"
sed -i 's/^filter = "Posted eq true"$/filter = "Posted eq true and Date ge 2024"/' c.toml
armed '{"fail": null}'
fails "400/14" "Document_ЗаказКлиента: 1C could not parse the query options (HTTP 400, code 14): 1C says «" "2024" "check the 'filter' and 'client_filter' settings"
check_eq "$(requests 'd["by_set"]["Document_ЗаказКлиента"]')" 1 "400/14 is not retried"
cp good.toml c.toml

# 1C's own 500 (code -1) is not retried; an HTML page or a 200 that is not JSON either.
armed '{"fail": {"status": 500, "match": "Catalog_Пользователи"}}'
fails "500" "Catalog_Пользователи: 1C answered HTTP 500 (code -1): 1C says «Произошла внутренняя ошибка OData сервиса"
check_eq "$(requests 'd["by_set"]["Catalog_Пользователи"]')" 1 "500 code -1 is not retried"
armed '{"fail": {"status": 500, "kind": "html", "match": "Document_ТелефонныйЗвонок"}}'
fails "HTML 500" "Document_ТелефонныйЗвонок: 1C answered HTTP 500 (Content-Type 'text/html'" "a web server or proxy page rather than 1C's OData service"
check_eq "$(requests 'd["by_set"]["Document_ТелефонныйЗвонок"]')" 1 "HTML 500 is not retried"
armed '{"fail": {"status": 200, "kind": "html", "match": "Catalog_Контрагенты"}}'
fails "HTML 200" "Catalog_Контрагенты: 1C answered HTTP 200 with a body that is not JSON (Content-Type 'text/html'" "starting '<!DOCTYPE"
check_eq "$(requests 'd["by_set"]["Catalog_Контрагенты"]')" 1 "a 200 that is not JSON is not retried"

# 502/503/504 and network errors (closed connection, cut-off body) are retried with backoff and
# the sync succeeds; more failures than onec.retries fail clearly.
for fault in '"status": 503, "kind": "html", "count": 2' '"status": 502' '"status": 504' '"kind": "close", "count": 2' '"kind": "truncate"'; do
  armed '{"fail": {'"$fault"', "match": "Catalog_Контрагенты"}}'
  start=$(date +%s%N)
  expect_status 0 sr "${s[@]}" --json sync
  elapsed=$((($(date +%s%N) - start) / 1000000))
  # libcurl itself sends a request again once when a kept-alive connection closes without an
  # answer, so two closed connections may cost smartroute only one retry of its own.
  failures=$(requests 'd["faults"]')
  case $fault in
  *close*) check_eq "$(json "$WORK/out" 'd["retries"] in (1, 2), d["committed"]')" "(True, True)" "$fault: retries" ;;
  *) check_eq "$(json "$WORK/out" 'd["retries"], d["committed"]')" "($failures, True)" "$fault: retries" ;;
  esac
  check_eq "$(requests 'd["by_set"]["Catalog_Контрагенты"]')" $((failures + 1)) "$fault: requests"
  # Backoff 0.5 s (then 1 s), each ±25 %.
  [ "$elapsed" -ge 350 ] || fail "$fault: retried after $elapsed ms, without backoff"
done
baseline
armed '{"fail": {"status": 503, "kind": "html", "count": 10, "match": "Catalog_Контрагенты"}}'
fails "503 x3" "Catalog_Контрагенты: 1C answered HTTP 503 (Content-Type 'text/html'"
check_eq "$(requests 'd["by_set"]["Catalog_Контрагенты"]')" 3 "503: one attempt and two retries"
armed '{"fail": {"kind": "close", "count": 10, "match": "Catalog_Контрагенты"}}'
fails "closed x3" "Catalog_Контрагенты: GET $base/trade/odata/standard.odata/" "(after 3 attempts; is 1C up, and onec.url right?)"
check_eq "$(requests 'd["by_set"]["Catalog_Контрагенты"] in (3, 4)')" True "closed: one attempt and two retries (plus libcurl's own)"
control '{"fail": null}'

# A first request slower than onec.timeout (a 1C session starting): retried, and the retry
# succeeds; when the retries are slow too, the sync fails and says so.
start_double onec_odata.py --user 'Синхронизация' --password-file "$WORK/password" --delay-first 3
config c.toml 'retries = 1' 'timeout = "1s"'
expect_status 0 sr "${s[@]}" --json sync
check_eq "$(json "$WORK/out" 'd["retries"], d["committed"]')" "(1, True)" "slow first request retried"
baseline
contains "$WORK/err" "1C \$metadata: GET $base/trade/odata/standard.odata/\$metadata: no complete answer within 1 s; retrying in"
control '{"delay": {"seconds": 3, "count": 2}}'
fails "slow twice" "1C \$metadata: GET $base/trade/odata/standard.odata/\$metadata: no complete answer within 1 s (after 2 attempts; is 1C up, and onec.url right?)"

# Interrupted: with changes waiting in 1C and pages of 2 rows, the double exits when request N
# arrives, for every N of a whole sync; each time the sync fails and the store is byte for byte
# the one of the last good sync. Then a complete sync takes the changes.
changes() {
  control '{"upsert": [{"set": "Catalog_Пользователи", "row": {"Ref_Key": "3f2a1c10-6e0b-11ee-8f3a-005056a1c2d3", "Description": "Иванова Анна Сергеевна (ст.)"}},
    {"set": "Catalog_Контрагенты", "row": {"Ref_Key": "7d1e0f3a-1a2b-11ef-8f3a-005056a1c2d3", "КонтактнаяИнформация": [{"Тип": "Телефон", "Представление": "+7 (495) 765-43-22"}]}},
    {"set": "Document_ЗаказКлиента", "row": {"Ref_Key": "c3f1aa20-8b5e-11ef-8f3a-005056a1c2d3", "Date": "2024-10-20T10:00:00"}}]}'
  control '{"mark_deleted": {"set": "Document_РеализацияТоваровУслуг", "ref": "d41e7a90-8c02-11ef-8f3a-005056a1c2d3"}}'
}
start_double onec_odata.py --user 'Синхронизация' --password-file "$WORK/password"
config c.toml 'retries = 0' 'page_size = 2'
changes
control '{"reset_stats": true}'
expect_status 0 sr "${s[@]}" sync --dry-run
total=$(requests 'd["requests"]')
[ "$total" -ge 10 ] || fail "a whole sync in pages of 2 made only $total requests"
for n in $(seq 0 $((total - 1))); do
  start_double onec_odata.py --user 'Синхронизация' --password-file "$WORK/password"
  config c.toml 'retries = 0' 'page_size = 2'
  changes
  control "{\"reset_stats\": true, \"exit_after\": $n}"
  fails "exit after $n requests" "(after 1 attempts; is 1C up, and onec.url right?)"
  grep -q "exit_after reached" "$WORK/onec_odata.py.err" || fail "the double did not exit after $n requests"
done
start_double onec_odata.py --user 'Синхронизация' --password-file "$WORK/password"
config c.toml 'retries = 0' 'page_size = 2'
changes
expect_status 0 sr "${s[@]}" --json sync
check_eq "$(json "$WORK/out" '[(e["what"], e["updated"], e["deleted"]) for e in d["entities"]]')" \
  "[('employees', 1, 0), ('clients', 1, 0), ('call', 0, 0), ('order', 1, 0), ('sale', 0, 1)]" "the complete sync after the interrupted ones"
check_eq "$(sqlite3 "$db" "SELECT name FROM employees WHERE key = '3f2a1c10-6e0b-11ee-8f3a-005056a1c2d3'")" "Иванова Анна Сергеевна (ст.)" "renamed employee"
echo "onec_sync_errors: ok ($total interruption points)"
