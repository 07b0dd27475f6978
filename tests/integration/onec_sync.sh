# smartroute sync against the 1C OData double (tests/doubles/onec_odata.py), trade profile
# with examples/onec-trade.toml and a Cyrillic Basic-auth user: --check (good and broken
# mappings, every problem at once), a dry run that changes nothing, the first sync (what lands
# in the store), a second sync with nothing to do (all 'same', only the sync bookkeeping
# written), an incremental sync (new, changed, deleted, deletion-marked, re-dated documents;
# a new user made Недействителен, a changed phone, deleted and deletion-marked clients), score
# and explain over the synced data, and the accounting profile with examples/onec-accounting.toml.
source "$(dirname "$0")/lib.sh"
DOUBLE_NO_ESPEAK=1 source "$SOURCE_DIR/tests/doubles/double.sh"
command -v sqlite3 >/dev/null || { echo "SKIP: sqlite3 is not installed"; exit 125; }
# Many small python3 calls: skip a version manager's shim script if there is one.
mkdir "$WORK/bin"
ln -s "$(python3 -c 'import sys; print(sys.executable)')" "$WORK/bin/python3"
PATH=$WORK/bin:$PATH

printf '%s\n' 'пароль 1С' >"$WORK/password"
export SMARTROUTE_ONEC_PASSWORD='пароль 1С'
start_double onec_odata.py --user 'Синхронизация' --password-file "$WORK/password"

# The example configuration, pointed at the double; the fixture documents are from October
# 2024, so every validity is long enough to reach them.
trade_config() {
  sed -e "s#http://1c.example.local#$base#" -e '0,/^user = /s/^user = .*/user = "Синхронизация"/' \
    -e 's/^validity = .*/validity = "1500d"/' "$SOURCE_DIR/examples/onec-trade.toml"
}
trade_config >trade.toml
s=(--config trade.toml --state-dir "$WORK/state")
db=$WORK/state/smartroute.db
q() { sqlite3 "$db" "$1" | paste -sd'|'; }
dump() { sqlite3 "$db" .dump >"$1"; }
# entity WHAT FIELD: a field of one entity's report in the --json summary in $WORK/out.
entity() { json "$WORK/out" "[e for e in d['entities'] if e['what'] == '$1'][0]$2"; }
local_date() { python3 -c 'import datetime, sys; print((datetime.datetime.now() - datetime.timedelta(days=int(sys.argv[1]))).strftime("%Y-%m-%dT%H:%M:%S"))' "$1"; }
guid() { echo "a1b2c3d4-$1-11ef-8f3a-005056a1c2d3"; }

ivanova=3f2a1c10-6e0b-11ee-8f3a-005056a1c2d3
romashka=7d1e0f3a-1a2b-11ef-8f3a-005056a1c2d3
smirnov=0c44ab19-3f7e-11ef-8f3a-005056a1c2d3
sidorov=$(guid 0001)
lyutik=$(guid 0003)
oduvanchik=$(guid 0004)
lyutik_order=$(guid 0013)
new_call=$(guid 0023)

# More than the fixtures: a routable user with extension 205, two clients, a recent order.
control '{"upsert": [{"set": "Catalog_Пользователи", "row": {"Ref_Key": "'$sidorov'", "Description": "Сидоров Олег", "КонтактнаяИнформация": [{"Тип": "Телефон", "Представление": "+7 (495) 123-45-67, доб. 205"}]}},
  {"set": "Catalog_Контрагенты", "row": {"Ref_Key": "'$lyutik'", "Description": "Лютик АО", "КонтактнаяИнформация": [{"Тип": "Телефон", "Представление": "+7 812 111-22-33"}]}},
  {"set": "Catalog_Контрагенты", "row": {"Ref_Key": "'$oduvanchik'", "Description": "Одуванчик", "КонтактнаяИнформация": [{"Тип": "Телефон", "Представление": "8 (343) 222-33-44"}]}},
  {"set": "Document_ЗаказКлиента", "row": {"Ref_Key": "'$lyutik_order'", "Date": "'"$(local_date 10)"'", "Posted": true, "Контрагент_Key": "'$lyutik'", "Менеджер_Key": "'$sidorov'"}}]}'

# --check: the mapping as resolved against $metadata; nothing is read or written.
expect_status 0 sr "${s[@]}" sync --check
contains "$WORK/out" "clients    Catalog_Контрагенты: name Description (Edm.String); phones from КонтактнаяИнформация; aliases Партнер_Key"
contains "$WORK/out" "call       Document_ТелефонныйЗвонок: date Date (Edm.DateTime); client АбонентКонтакт + АбонентКонтакт_Type (composite), else by phone in АбонентКакСвязаться (Edm.String); user Ответственный_Key (reference)"
contains "$WORK/out" "the mapping matches 1C's \$metadata"
[ ! -e "$db" ] || fail "sync --check created the store"
check_eq "$(stats 'list(d["by_set"])')" "['\$metadata']" "sync --check reads only \$metadata"

# A dry run into a new store: the full report, an empty store.
expect_status 0 sr "${s[@]}" --json sync --dry-run
check_eq "$(json "$WORK/out" 'd["dry_run"], d["committed"]')" "(True, False)" "dry run flags"
check_eq "$(entity employees "['added']")/$(entity clients "['added']")/$(entity order "['added']")" 4/4/2 "dry run: would add"
check_eq "$(q 'SELECT (SELECT count(*) FROM employees) + (SELECT count(*) FROM clients) + (SELECT count(*) FROM interactions) + (SELECT count(*) FROM onec_refs) + (SELECT count(*) FROM sync_state) + (SELECT count(*) FROM meta WHERE key IN ("last_sync", "onec_mapping"))')" 0 "rows after a dry run"

# First sync.
control '{"reset_stats": true}'
expect_status 0 sr "${s[@]}" --json sync
cp "$WORK/out" first.json
check_eq "$(json first.json 'd["dry_run"], d["committed"], d["retries"]')" "(False, True, 0)" "first sync flags"
check_eq "$(json first.json '[(e["what"], e["read"], e["added"], e["updated"], e["unchanged"], e["deleted"]) for e in d["entities"]]')" \
  "[('employees', 4, 4, 0, 0, 0), ('clients', 5, 4, 0, 0, 0), ('call', 2, 1, 0, 0, 0), ('order', 2, 2, 0, 0, 0), ('sale', 2, 2, 0, 0, 0)]" "first sync counts"
check_eq "$(json first.json '[e["skipped"] for e in d["entities"]]')" "[{}, {'deletion mark': 1}, {'no user': 1}, {}, {}]" "first sync skipped"
check_eq "$(json first.json 'd["requests"] == 6 and d["bytes"] > 0 and d["wait_seconds"] > 0 and d["cpu_seconds"] >= 0')" True "transfer figures"
check_eq "$(json first.json 'all(0 <= e["cpu_seconds"] <= d["cpu_seconds"] for e in d["entities"])')" True "CPU per entity"
check_eq "$(stats 'd["requests"], d["auth_failures"]')" "(6, 0)" "requests seen by 1C (\$metadata and one page per set)"
# Every page request asks for JSON, a narrow $select, 1C's order and a page size.
check_eq "$(stats 'all("$format=json" in u and "$orderby=Ref_Key" in u and "$top=5000" in u and "$select=Ref_Key," in u for u in d["urls"][1:])')" True "page requests"
contains <(stats '"\n".join(d["urls"])') "Document_ЗаказКлиента?\$format=json&\$select=Ref_Key,DeletionMark,Date,Контрагент_Key,Менеджер_Key&\$filter=Date ge datetime'"
check_eq "$(q "SELECT name, extension, active, source FROM employees ORDER BY name")" \
  "odata.user||0|2|Иванова Анна Сергеевна|204|1|2|Петров Игорь Валерьевич||0|2|Сидоров Олег|205|1|2" "employees"
check_eq "$(q "SELECT c.name, p.phone FROM clients c JOIN client_phones p ON p.client = c.id ORDER BY c.name, p.phone")" \
  "Лютик АО|+78121112233|Одуванчик|+73432223344|Ромашка ООО|+74957654321|Ромашка ООО|+79120001122|Ромашка ООО|+79123456789|Смирнов Павел ИП|+79215550102" "clients and phones"
check_eq "$(q "SELECT a.alias FROM onec_aliases a JOIN clients c ON c.id = a.client WHERE c.key = '$romashka'")" 5f0b9e22-1a2b-11ef-8f3a-005056a1c2d3 "Ромашка's Партнер"
interactions() {
  q "SELECT t.name, substr(i.doc_key, 1, 8), c.name, e.name FROM interactions i JOIN doc_types t ON t.id = i.doc_type
     JOIN clients c ON c.id = i.client JOIN employees e ON e.id = i.employee WHERE i.source = 2 ORDER BY t.name, i.doc_key"
}
check_eq "$(interactions)" \
  "call|2b6f4d80|Ромашка ООО|Иванова Анна Сергеевна|order|a1b2c3d4|Лютик АО|Сидоров Олег|order|c3f1aa20|Ромашка ООО|Иванова Анна Сергеевна|sale|d41e7a90|Ромашка ООО|Иванова Анна Сергеевна|sale|f0a3c512|Смирнов Павел ИП|Иванова Анна Сергеевна" \
  "interactions (the call through the Партнер alias)"
check_eq "$(q "SELECT at FROM interactions WHERE doc_key = 'c3f1aa20-8b5e-11ef-8f3a-005056a1c2d3'")" \
  "$(TZ=Europe/Moscow date -d '2024-10-15 16:20:00' +%s)" "1C's naive date read in Moscow time"
check_eq "$(q "SELECT entity, rows FROM sync_state ORDER BY entity")" \
  "Catalog_Контрагенты|5|Catalog_Пользователи|4|Document_ЗаказКлиента|2|Document_РеализацияТоваровУслуг|2|Document_ТелефонныйЗвонок|2" "sync_state"

check_eq "$(q 'PRAGMA foreign_key_check')" "" "no row references a missing row after the first sync"

# score sees the synced data; explain shows the client that came from 1C and its employee.
expect_status 0 sr "${s[@]}" score
expect_status 0 sr "${s[@]}" explain +74957654321
contains "$WORK/out" "client      Ромашка ООО ($romashka)"
contains "$WORK/out" "direct   ->  Иванова Анна Сергеевна (ext 204)"
expect_status 0 sr "${s[@]}" --json explain +78121112233
check_eq "$(json "$WORK/out" 'd["client"]["name"], d["ranking"][0]["employee"]["name"]')" "('Лютик АО', 'Сидоров Олег')" "explain Лютик"

# Nothing changed in 1C: all 'same', and only the sync's own bookkeeping is written.
dump before.sql
expect_status 0 sr "${s[@]}" --json sync
check_eq "$(json "$WORK/out" '[(e["read"] - sum(e["skipped"].values()) == e["unchanged"], e["added"] + e["updated"] + e["deleted"]) for e in d["entities"]]')" \
  "[(True, 0), (True, 0), (True, 0), (True, 0), (True, 0)]" "second sync: all same"
dump after.sql
changed=$(diff before.sql after.sql | grep '^>' | grep -cv -e '^> INSERT INTO sync_state ' -e "^> INSERT INTO meta VALUES('last_sync'," || true)
check_eq "$changed" 0 "rows written by a sync with nothing to do, besides sync_state and last_sync"
[ "$(diff before.sql after.sql | grep -c '^>')" -le 6 ] || fail "a sync with nothing to do rewrote more than its bookkeeping"

# Changes in 1C. Catalogs: Сидоров becomes Недействителен, Ромашка's first phone changes,
# Смирнов is deletion-marked, Одуванчик deleted. Documents: a new call, Лютик's order gets
# another Менеджер, the order c3f1aa20 is deleted, the sale d41e7a90 deletion-marked and the
# call 2b6f4d80 re-dated out of the window.
control '{"upsert": [{"set": "Catalog_Пользователи", "row": {"Ref_Key": "'$sidorov'", "Недействителен": true}},
  {"set": "Catalog_Контрагенты", "row": {"Ref_Key": "'$romashka'", "КонтактнаяИнформация": [{"Тип": "Телефон", "Представление": "+7 (495) 765-43-22"}]}},
  {"set": "Document_ТелефонныйЗвонок", "row": {"Ref_Key": "'$new_call'", "Date": "'"$(local_date 1)"'", "АбонентКонтакт": "'$lyutik'", "АбонентКонтакт_Type": "StandardODATA.Catalog_Контрагенты", "Ответственный_Key": "'$ivanova'"}},
  {"set": "Document_ЗаказКлиента", "row": {"Ref_Key": "'$lyutik_order'", "Менеджер_Key": "'$ivanova'"}},
  {"set": "Document_ТелефонныйЗвонок", "row": {"Ref_Key": "2b6f4d80-8a11-11ef-8f3a-005056a1c2d3", "Date": "2019-01-10T10:00:00"}}]}'
control '{"mark_deleted": {"set": "Catalog_Контрагенты", "ref": "'$smirnov'"}}'
control '{"delete": {"set": "Catalog_Контрагенты", "ref": "'$oduvanchik'"}}'
control '{"delete": {"set": "Document_ЗаказКлиента", "ref": "c3f1aa20-8b5e-11ef-8f3a-005056a1c2d3"}}'
control '{"mark_deleted": {"set": "Document_РеализацияТоваровУслуг", "ref": "d41e7a90-8c02-11ef-8f3a-005056a1c2d3"}}'
incremental="[('employees', 4, 0, 1, 3, 0), ('clients', 4, 0, 1, 1, 2), ('call', 2, 1, 0, 0, 1), ('order', 1, 0, 1, 0, 1), ('sale', 2, 0, 0, 0, 1)]"
counts='[(e["what"], e["read"], e["added"], e["updated"], e["unchanged"], e["deleted"]) for e in d["entities"]]'

# --dry-run reports exactly what the sync will do, and the store stays byte for byte the same.
dump before.sql
cp "$db" before.db
expect_status 0 sr "${s[@]}" --json sync --dry-run
check_eq "$(json "$WORK/out" "$counts")" "$incremental" "dry run: what would change"
dump after.sql
cmp -s before.sql after.sql || { diff before.sql after.sql >&2; fail "--dry-run changed the store"; }
cmp -s before.db "$db" || fail "--dry-run changed the store file"
expect_status 0 sr "${s[@]}" sync -n
contains "$WORK/out" "dry run, nothing changed, in "

expect_status 0 sr "${s[@]}" --json sync
cp "$WORK/out" incremental.json
check_eq "$(json incremental.json "$counts")" "$incremental" "incremental sync counts"
check_eq "$(json incremental.json '[e["skipped"] for e in d["entities"]][1:]')" \
  "[{'deletion mark': 2}, {'unknown phone': 1}, {}, {'deletion mark': 1, 'unknown client': 1}]" "incremental skipped (the call without a contact had Смирнов's phone)"
check_eq "$(q "SELECT name, active FROM employees WHERE key = '$sidorov'")" "Сидоров Олег|0" "Недействителен user inactive"
check_eq "$(q "SELECT c.name, p.phone FROM clients c JOIN client_phones p ON p.client = c.id ORDER BY c.name, p.phone")" \
  "Лютик АО|+78121112233|Ромашка ООО|+74957654322" "clients and phones after the changes"
check_eq "$(interactions)" "call|a1b2c3d4|Лютик АО|Иванова Анна Сергеевна|order|a1b2c3d4|Лютик АО|Иванова Анна Сергеевна" "interactions after the changes"
check_eq "$(q "SELECT count(*) FROM onec_refs WHERE ref IN ('$smirnov', '$oduvanchik')")" 0 "refs of removed clients forgotten"
# The sync runs with foreign-key enforcement off and deletes what references a removed client
# itself (phones, aliases, interactions, and the score rows of the score run above).
check_eq "$(q 'PRAGMA foreign_key_check')" "" "no row references a missing row after the changes"
check_eq "$(q "SELECT count(*) FROM client_state s LEFT JOIN clients c ON c.id = s.client WHERE c.id IS NULL")" 0 "score rows of removed clients gone"

expect_status 0 sr "${s[@]}" score
expect_status 0 sr "${s[@]}" --json explain +74957654322
check_eq "$(json "$WORK/out" 'd["client"]["name"]')" "Ромашка ООО" "the changed phone finds Ромашка"
expect_status 0 sr "${s[@]}" --json explain +74957654321
check_eq "$(json "$WORK/out" 'd["client"]')" "None" "the old phone finds no one"
expect_status 0 sr "${s[@]}" explain +78121112233
contains "$WORK/out" "client      Лютик АО ($lyutik)"
contains "$WORK/out" "direct   ->  Иванова Анна Сергеевна (ext 204)"
grep -q "Сидоров" "$WORK/out" && fail "explain still offers the inactive Сидоров"

# --check with a broken mapping: every problem at once, with the key and the fix; sync refuses
# it and changes nothing.
sed -e 's/^user_name = .*/user_name = "Наименование"/' \
  -e 's/^client_aliases = .*/client_aliases = ["ИНН"]/' \
  -e 's/^entity = "Document_ТелефонныйЗвонок"/entity = "Document_ТелефонныйЗвонк"/' \
  -e 's/^client = "Контрагент"/client = "Клиент"/' trade.toml >broken.toml
printf '\n[[documents]]\ntype = "visit"\nentity = "Document_ЗаказКлиента"\ndate = "Posted"\nclient = "Контрагент"\nuser = "Менеджер"\n' >>broken.toml
b=(--config broken.toml --state-dir "$WORK/state")
expect_status 1 sr "${b[@]}" sync --check
for line in \
  "onec.user_name: Catalog_Пользователи has no attribute 'Наименование'" \
  "onec.client_aliases: Catalog_Контрагенты.ИНН is a value (Edm.String), not a reference" \
  "documents[0].entity: 1C does not publish Document_ТелефонныйЗвонк (did you mean 'Document_ТелефонныйЗвонок'?): add it to the standard OData interface composition" \
  "documents[1].client: Document_ЗаказКлиента has no attribute 'Клиент'" \
  "documents[2].client: Document_РеализацияТоваровУслуг has no attribute 'Клиент'" \
  "documents[3].date: Document_ЗаказКлиента.Posted is Edm.Boolean, not Edm.DateTime"; do
  contains "$WORK/err" "smartroute: $line"
done
check_eq "$(grep -c '^smartroute: ' "$WORK/err")" 6 "problems reported"
expect_status 1 sr "${b[@]}" --json sync --check
check_eq "$(json "$WORK/out" 'd["ok"], [p["key"] for p in d["problems"]]')" \
  "(False, ['onec.user_name', 'onec.client_aliases', 'documents[0].entity', 'documents[1].client', 'documents[2].client', 'documents[3].date'])" "--check --json problems"
dump before.sql
expect_status 1 sr "${b[@]}" sync
contains "$WORK/err" "the mapping does not match 1C's \$metadata; nothing was changed"
contains "$WORK/err" "documents[3].date: Document_ЗаказКлиента.Posted is Edm.Boolean"
dump after.sql
cmp -s before.sql after.sql || fail "a refused sync changed the store"

# The accounting profile (Бухгалтерия 3.0) with its example: folders left out by
# client_filter, the deletion-marked counterparty too, sales and invoices.
start_double onec_odata.py --profile accounting --user 'Синхронизация' --password-file "$WORK/password"
sed -e "s#http://1c.example.local#$base#" -e '0,/^user = /s/^user = .*/user = "Синхронизация"/' \
  "$SOURCE_DIR/examples/onec-accounting.toml" >accounting.toml
a=(--config accounting.toml --state-dir "$WORK/accounting")
db=$WORK/accounting/smartroute.db
expect_status 0 sr "${a[@]}" sync --check
expect_status 0 sr "${a[@]}" --json sync
check_eq "$(json "$WORK/out" "$counts")" \
  "[('employees', 3, 3, 0, 0, 0), ('clients', 4, 3, 0, 0, 0), ('sale', 3, 3, 0, 0, 0), ('invoice', 3, 2, 0, 0, 0)]" "accounting counts"
check_eq "$(json "$WORK/out" '[e["skipped"] for e in d["entities"]]')" "[{}, {'deletion mark': 1}, {}, {'deletion mark': 1}]" "accounting skipped"
contains <(stats '"\n".join(d["urls"])') "Catalog_Контрагенты?\$format=json&\$select=Ref_Key,DataVersion,DeletionMark,Description,КонтактнаяИнформация&\$filter=IsFolder eq false&"
check_eq "$(q "SELECT name, extension, active FROM employees ORDER BY name")" \
  "odata.user||0|Кузнецов Дмитрий Игоревич|102|1|Смирнова Ольга Викторовна|101|1" "accounting employees"
check_eq "$(q "SELECT c.name, p.phone FROM clients c JOIN client_phones p ON p.client = c.id ORDER BY c.name, p.phone")" \
  "Альфа-Сервис ООО|+78125551234|Петрова Мария Сергеевна ИП|+79112345678|Северная звезда АО|+78126000001|Северная звезда АО|+79217001122" "accounting clients (no folder)"
expect_status 0 sr "${a[@]}" score
expect_status 0 sr "${a[@]}" --json explain +78125551234
check_eq "$(json "$WORK/out" 'd["client"]["name"], [(r["employee"]["name"], r["employee"]["extension"]) for r in d["ranking"]]')" \
  "('Альфа-Сервис ООО', [('Смирнова Ольга Викторовна', '101'), ('Кузнецов Дмитрий Игоревич', '102')])" "accounting explain"
expect_status 0 sr "${a[@]}" --json sync
check_eq "$(json "$WORK/out" '[(e["added"], e["updated"], e["deleted"]) for e in d["entities"]]')" "[(0, 0, 0), (0, 0, 0), (0, 0, 0), (0, 0, 0)]" "accounting second sync"
echo "onec_sync: ok"
