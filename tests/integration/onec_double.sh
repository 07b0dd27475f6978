# The 1C OData double (tests/doubles/onec_odata.py) against what onec.md §1 and §5.3 say the
# real standard.odata does: the fixture requests give exactly the fixture rows in 1C order,
# keyset and $skip pages, $count with a BOM, Basic auth with a Cyrillic user, the error
# documents, Atom without $format, every injected fault, exit_after, and a generated
# 100,000-document base that pages completely without duplicates. Needs only python3 and curl.
source "$(dirname "$0")/lib.sh"
DOUBLE_NO_ESPEAK=1 source "$SOURCE_DIR/tests/doubles/double.sh"
command -v curl >/dev/null || { echo "SKIP: curl is not installed"; exit 125; }
# Many small python3 calls: skip a version manager's shim script if there is one.
mkdir "$WORK/bin"
ln -s "$(python3 -c 'import sys; print(sys.executable)')" "$WORK/bin/python3"
PATH=$WORK/bin:$PATH
fixtures=$SOURCE_DIR/tests/doubles/onec

printf '%s\n' 'пароль 1С' >"$WORK/password"
start_double onec_odata.py --user 'Иванова' --password-file "$WORK/password"
odata="$base/trade/odata/standard.odata"
auth=(-u 'Иванова:пароль 1С')

# get PATH?QUERY [curl args...]: percent-encodes like a client (UTF-8, %20, quotes and
# parentheses literal), fetches into $WORK/body and $WORK/headers, prints the HTTP status.
get() {
  local target
  target=$(python3 -c 'import sys, urllib.parse as u; print(u.quote(sys.argv[1], safe="/?&=$,()'"'"':*"))' "$1")
  shift
  curl -sS "${auth[@]}" -o "$WORK/body" -D "$WORK/headers" -w '%{http_code}' "$@" "$odata/$target"
}
# body EXPR: a Python expression over the JSON body (BOM stripped) as d.
body() {
  python3 -c 'import json,sys; d=json.loads(open(sys.argv[1],"rb").read().decode("utf-8-sig")); print(eval(sys.argv[2]))' "$WORK/body" "$1"
}
# same_rows FIXTURE: the body's rows equal the fixture's rows, in the same order.
same_rows() {
  python3 - "$WORK/body" "$fixtures/$1" <<'PY' || fail "rows differ from $1"
import json, sys
got = json.loads(open(sys.argv[1], "rb").read().decode("utf-8-sig"))
want = json.load(open(sys.argv[2], encoding="utf-8"))
set_name = want["odata.metadata"].split("#")[1]
assert got["odata.metadata"].endswith("/trade/odata/standard.odata/$metadata#" + set_name), got["odata.metadata"]
if got["value"] != want["value"]:
    print(json.dumps(got["value"], ensure_ascii=False, indent=1), file=sys.stderr)
    sys.exit(1)
PY
}
header() { grep -i "^$1:" "$WORK/headers" | cut -d' ' -f2- | tr -d '\r'; }

# §5.3 A: users in 1C order (3f2a…, 51c7…, 0a9d…), UTF-8 BOM, JSON content type.
check_eq "$(get "Catalog_Пользователи?\$format=json&\$select=Ref_Key,DataVersion,DeletionMark,Description,Недействителен,Служебный,ФизическоеЛицо_Key,Подразделение_Key,КонтактнаяИнформация&\$orderby=Ref_Key&\$top=1000")" 200 "users status"
same_rows users.json
check_eq "$(head -c3 "$WORK/body" | od -An -tx1 | tr -d ' ')" efbbbf "JSON body BOM"
check_eq "$(header Content-Type)" "application/json;charset=utf-8" "JSON content type"

# §5.3 B: clients, page 1, then page 2 by keyset and by $skip.
clients="Catalog_Контрагенты?\$format=json&\$select=Ref_Key,DataVersion,DeletionMark,Description,ИНН,Партнер_Key,КонтактнаяИнформация&\$orderby=Ref_Key&\$top=2"
check_eq "$(get "$clients")" 200 "clients page 1"
same_rows clients-page1.json
check_eq "$(get "$clients&\$filter=Ref_Key gt guid'0c44ab19-3f7e-11ef-8f3a-005056a1c2d3'")" 200 "keyset page 2"
same_rows clients-page2.json
check_eq "$(get "$clients&\$skip=2")" 200 "skip page 2"
same_rows clients-page2.json

# §5.3 C: calls in a date window, the order.
check_eq "$(get "Document_ТелефонныйЗвонок?\$format=json&\$select=Ref_Key,DataVersion,DeletionMark,Number,Date,Posted,Входящий,АбонентКонтакт,АбонентКонтакт_Type,АбонентКакСвязаться,АбонентПредставление,Ответственный_Key,Автор_Key,Тема&\$filter=Date ge datetime'2024-07-16T00:00:00'&\$orderby=Ref_Key&\$top=1000")" 200 "calls"
same_rows calls.json
check_eq "$(get "Document_ЗаказКлиента?\$format=json&\$select=Ref_Key,DataVersion,DeletionMark,Number,Date,Posted,Партнер_Key,Контрагент_Key,Менеджер_Key,Статус,СуммаДокумента&\$filter=Date ge datetime'2024-07-16T00:00:00' and Posted eq true&\$orderby=Ref_Key&\$top=1000")" 200 "orders"
same_rows orders.json
# Refs compare in 1C's byte order (d+e+c+b+a), not as text: 0a9d… comes after 3f2a….
get "Catalog_Пользователи?\$format=json&\$select=Ref_Key&\$filter=Ref_Key gt guid'3f2a1c10-6e0b-11ee-8f3a-005056a1c2d3'" >/dev/null
check_eq "$(body '[r["Ref_Key"][:4] for r in d["value"]]')" "['51c7', '0a9d']" "refs after 3f2a… in 1C order"
# A composite field matches cast(), never a bare guid.
get "Document_ТелефонныйЗвонок?\$format=json&\$select=Ref_Key&\$filter=АбонентКонтакт eq cast(guid'5f0b9e22-1a2b-11ef-8f3a-005056a1c2d3','Catalog_Партнеры')" >/dev/null
check_eq "$(body 'len(d["value"])')" 1 "calls of a Партнер by cast()"
get "Document_ТелефонныйЗвонок?\$format=json&\$select=Ref_Key&\$filter=АбонентКонтакт eq guid'5f0b9e22-1a2b-11ef-8f3a-005056a1c2d3'" >/dev/null
check_eq "$(body 'len(d["value"])')" 0 "a composite against a bare guid"

# $count: plain text with a BOM; $inlinecount: a string, and $top ignored.
check_eq "$(get "Catalog_Контрагенты/\$count")" 200 "count status"
check_eq "$(od -An -tx1 "$WORK/body" | tr -d ' \n')" efbbbf33 "count body (BOM + 3)"
case "$(header Content-Type)" in text/plain*) ;; *) fail "count content type $(header Content-Type)" ;; esac
get "Catalog_Контрагенты/\$count?\$filter=DeletionMark eq false" >/dev/null
check_eq "$(tail -c1 "$WORK/body")" 2 "filtered count"
get "Catalog_Контрагенты?\$format=json&\$select=Ref_Key&\$inlinecount=allpages&\$top=1" >/dev/null
check_eq "$(body 'd["odata.count"], len(d["value"])')" "('3', 3)" "inlinecount (a string count, \$top ignored)"

# Errors: missing key 404/9, unknown field 400/6 (both exactly the fixtures), bad filter 400/14,
# '+' for a space 400/14, unknown set 404 echoing the name.
check_eq "$(get "Catalog_Контрагенты(guid'00000000-0000-0000-0000-000000000001')?\$format=json")" 404 "missing key"
check_eq "$(body 'd')" "$(python3 -c 'import json,sys; print(json.load(open(sys.argv[1])))' "$fixtures/error-not-found.json")" "not-found body"
check_eq "$(get "Catalog_Контрагенты?\$format=json&\$select=Телефон")" 400 "unknown field"
check_eq "$(body 'd')" "$(python3 -c 'import json,sys; print(json.load(open(sys.argv[1])))' "$fixtures/error-unknown-field.json")" "unknown-field body"
check_eq "$(get "Document_ТелефонныйЗвонок?\$format=json&\$filter=Date ge 2024")" 400 "Date ge 2024"
check_eq "$(body 'd["odata.error"]["code"]')" 14 "Date ge 2024 code"
status=$(curl -sS "${auth[@]}" -o "$WORK/body" -w '%{http_code}' "$odata/Document_%D0%97%D0%B0%D0%BA%D0%B0%D0%B7%D0%9A%D0%BB%D0%B8%D0%B5%D0%BD%D1%82%D0%B0?%24format=json&%24filter=Posted+eq+true")
check_eq "$status/$(body 'd["odata.error"]["code"]')" 400/14 "'+' is not a space"
check_eq "$(get "Catalog_НетТакого?\$format=json")" 404 "unknown set"
contains "$WORK/body" "Catalog_НетТакого"
check_eq "$(get "Catalog_Контрагенты(guid'7d1e0f3a-1a2b-11ef-8f3a-005056a1c2d3')?\$format=json&\$select=Description")" 200 "single entity"
check_eq "$(body 'd["Description"], d["odata.metadata"].endswith("#Catalog_Контрагенты/@Element")')" "('Ромашка ООО', True)" "single entity body"

# %24 for $ works; without $format the answer is Atom; Accept: application/json is JSON.
clients_url=$(python3 -c 'import urllib.parse as u; print(u.quote("Catalog_Контрагенты"))')
curl -sS "${auth[@]}" -o "$WORK/body" "$odata/$clients_url?%24format=json&%24top=1"
check_eq "$(body 'len(d["value"])')" 1 "%24format and %24top"
check_eq "$(get "Catalog_Контрагенты?\$top=1")" 200 "Atom status"
case "$(header Content-Type)" in application/atom+xml*) ;; *) fail "no Atom without \$format: $(header Content-Type)" ;; esac
python3 -c 'import sys, xml.etree.ElementTree as ET; r = ET.parse(sys.argv[1]).getroot(); assert r.tag.endswith("feed"), r.tag' "$WORK/body" || fail "Atom feed"
get "Catalog_Контрагенты?\$top=1" -H 'Accept: application/json' >/dev/null
check_eq "$(body 'len(d["value"])')" 1 "Accept: application/json"

# $metadata: well-formed CSDL with every set, composite X_Type, tabular RowType collections.
check_eq "$(get "\$metadata")" 200 "metadata"
python3 - "$WORK/body" <<'PY' || fail "metadata"
import sys, xml.etree.ElementTree as ET
root = ET.parse(sys.argv[1]).getroot()
ns = {"e": "http://schemas.microsoft.com/ado/2009/11/edm"}
sets = {s.get("Name") for s in root.iter("{%s}EntitySet" % ns["e"])}
assert {"Catalog_Пользователи", "Catalog_Контрагенты", "Catalog_Партнеры", "Document_ТелефонныйЗвонок",
        "Document_ЗаказКлиента", "Document_РеализацияТоваровУслуг",
        "Catalog_Контрагенты_КонтактнаяИнформация"} <= sets, sets
types = {t.get("Name"): {p.get("Name"): p.get("Type") for p in t.findall("e:Property", ns)}
         for t in root.iter("{%s}EntityType" % ns["e"])}
call = types["Document_ТелефонныйЗвонок"]
assert call["АбонентКонтакт"] == "Edm.String" and call["АбонентКонтакт_Type"] == "Edm.String"
assert call["Ref_Key"] == call["Ответственный_Key"] == "Edm.Guid" and call["Date"] == "Edm.DateTime"
assert types["Catalog_Контрагенты"]["КонтактнаяИнформация"] == \
    "Collection(StandardODATA.Catalog_Контрагенты_КонтактнаяИнформация_RowType)"
rows = {t.get("Name") for t in root.iter("{%s}ComplexType" % ns["e"])}
assert "Catalog_Контрагенты_КонтактнаяИнформация_RowType" in rows
assert types["Catalog_Контрагенты_КонтактнаяИнформация"]["LineNumber"] == "Edm.Int64"
PY

# Basic auth: UTF-8 credentials; missing, wrong or cp1251 ones get 401 code 20.
check_eq "$(curl -sS -o "$WORK/body" -D "$WORK/headers" -w '%{http_code}' "$odata/Catalog_Контрагенты?\$format=json")" 401 "no credentials"
check_eq "$(body 'd["odata.error"]["code"]')" 20 "401 code"
check_eq "$(header WWW-Authenticate)" 'Basic realm="1C"' "WWW-Authenticate"
check_eq "$(curl -sS -u 'Иванова:wrong' -o /dev/null -w '%{http_code}' "$odata/\$metadata")" 401 "wrong password"
cp1251=$(printf 'Иванова:пароль 1С' | iconv -f UTF-8 -t CP1251 | base64 -w0)
check_eq "$(curl -sS -H "Authorization: Basic $cp1251" -o /dev/null -w '%{http_code}' "$odata/\$metadata")" 401 "cp1251 credentials"
check_eq "$(stats 'd["auth_failures"]')" 3 "auth failures counted"

# Knob: no BOM.
control '{"bom": false}'
get "Catalog_Контрагенты/\$count" >/dev/null
check_eq "$(cat "$WORK/body")" 3 "count without BOM"
control '{"bom": true}'

# Control: upsert (new and changed), mark_deleted, delete; DataVersion moves on each write.
new_ref=6b1d2e3f-1111-11f0-8f3a-005056a1c2d3
control '{"upsert": {"set": "Catalog_Контрагенты", "row": {"Ref_Key": "'$new_ref'", "Description": "Новый клиент", "КонтактнаяИнформация": [{"Тип": "Телефон", "НомерТелефона": "79990001122"}]}}}'
get "Catalog_Контрагенты(guid'$new_ref')?\$format=json&\$select=DataVersion,КонтактнаяИнформация" >/dev/null
check_eq "$(body 'd["DataVersion"], d["КонтактнаяИнформация"][0]["LineNumber"], d["КонтактнаяИнформация"][0]["Ref_Key"]')" "('AAAAAQAAAAA=', '1', '$new_ref')" "upserted row"
control '{"upsert": {"set": "Catalog_Контрагенты", "row": {"Ref_Key": "'$new_ref'", "ИНН": "7700000001"}}}'
get "Catalog_Контрагенты(guid'$new_ref')?\$format=json&\$select=DataVersion,Description,ИНН" >/dev/null
check_eq "$(body 'd["DataVersion"], d["Description"], d["ИНН"]')" "('AAAAAgAAAAA=', 'Новый клиент', '7700000001')" "merged upsert"
control '{"mark_deleted": {"set": "Catalog_Контрагенты", "ref": "'$new_ref'"}}'
get "Catalog_Контрагенты(guid'$new_ref')?\$format=json&\$select=DataVersion,DeletionMark" >/dev/null
check_eq "$(body 'd["DataVersion"], d["DeletionMark"]')" "('AAAAAwAAAAA=', True)" "marked deleted"
control '{"delete": {"set": "Catalog_Контрагенты", "ref": "'$new_ref'"}}'
check_eq "$(get "Catalog_Контрагенты(guid'$new_ref')?\$format=json")" 404 "physically deleted"

# Faults. json: 500 code -1 once; html after one good request; truncate; close; delay.
control '{"fail": {"status": 500, "count": 1, "kind": "json"}}'
check_eq "$(get "Catalog_Контрагенты?\$format=json")" 500 "injected 500"
check_eq "$(body 'd["odata.error"]["code"]')" -1 "500 code"
contains "$WORK/body" "Произошла внутренняя ошибка OData сервиса"
check_eq "$(get "Catalog_Контрагенты?\$format=json")" 200 "after the fault"
control '{"fail": {"status": 502, "count": 2, "after": 1, "kind": "html"}}'
check_eq "$(get "Catalog_Контрагенты?\$format=json")" 200 "before the html fault"
check_eq "$(get "Catalog_Контрагенты?\$format=json")" 502 "html fault"
case "$(header Content-Type)" in text/html*) ;; *) fail "html fault content type" ;; esac
check_eq "$(get "Catalog_Контрагенты?\$format=json")" 502 "second html fault"
check_eq "$(get "Catalog_Контрагенты?\$format=json")" 200 "after the html faults"
control '{"fail": {"kind": "truncate"}}'
rc=0; get "Catalog_Контрагенты?\$format=json" >/dev/null 2>&1 || rc=$?
check_eq "$rc" 18 "truncated body (curl: partial file)"
control '{"fail": {"kind": "close"}}'
rc=0; get "Catalog_Контрагенты?\$format=json" >/dev/null 2>&1 || rc=$?
check_eq "$rc" 52 "closed without an answer (curl: empty reply)"
control '{"delay": {"seconds": 1, "count": 1}}'
start=$(date +%s%N)
get "Catalog_Контрагенты/\$count" >/dev/null
[ $(( ($(date +%s%N) - start) / 1000000 )) -ge 1000 ] || fail "the delay did not delay"
check_eq "$(stats 'd["faults"]')" 5 "faults injected"
check_eq "$(stats 'd["by_set"]["Catalog_Контрагенты"] > 10 and len(d["urls"]) > 10')" True "stats"

# reset: the base data and counters again.
control '{"reset": true}'
check_eq "$(stats 'd["requests"]')" 0 "requests after reset"
get "Catalog_Контрагенты/\$count" >/dev/null
check_eq "$(tail -c1 "$WORK/body")" 3 "clients after reset"

# exit_after: the third request kills the double before it answers.
start_double onec_odata.py --profile accounting
odata="$base/accounting/odata/standard.odata"
auth=()
check_eq "$(get "Catalog_Контрагенты?\$format=json&\$select=Code,Description,IsFolder&\$filter=IsFolder eq false")" 200 "accounting clients"
check_eq "$(body 'sorted(r["Code"] for r in d["value"])')" "['000000002', '000000003', '000000004', '000000005']" "accounting client codes"
control '{"exit_after": 2}'
check_eq "$(get "Document_СчетНаОплатуПокупателю/\$count")" 200 "before exit 1"
check_eq "$(get "Document_РеализацияТоваровУслуг/\$count")" 200 "before exit 2"
rc=0; get "\$metadata" >/dev/null 2>&1 || rc=$?
check_eq "$rc" 52 "the double exits before answering"
sleep 0.2
if kill -0 "${double_pids[-1]}" 2>/dev/null; then fail "the double is still running"; fi

# Volume: 100,000 generated documents page completely with keyset and with $skip, without
# duplicates, in 1C order; the first request waits for --delay-first.
start_double onec_odata.py --generate-docs 100000 --generate-clients 2000 --seed 7 --delay-first 1
python3 - "$port" <<'PY' || fail "paging the generated documents"
import http.client, json, sys, time, urllib.parse
conn = http.client.HTTPConnection("127.0.0.1", int(sys.argv[1]), timeout=60)
def get(path, query):
    target = "/trade/odata/standard.odata/" + urllib.parse.quote(path) + "?" + \
        urllib.parse.quote(query, safe="=&$,'()")
    conn.request("GET", target)
    r = conn.getresponse()
    body = r.read()
    assert r.status == 200, (r.status, body[:300])
    return body.decode("utf-8-sig")
def key(g):  # 1C order: d+e+c+b+a of a-b-c-d-e
    a, b, c, d, e = g.split("-")
    return d + e + c + b + a
start = time.time()
get("Catalog_Пользователи/$count", "")
assert time.time() - start >= 1, "no --delay-first"
total = 0
for name in ("Document_ТелефонныйЗвонок", "Document_ЗаказКлиента", "Document_РеализацияТоваровУслуг"):
    count = int(get(name + "/$count", ""))
    window = "Date ge datetime'2000-01-01T00:00:00'"
    keyset, last = [], None
    while True:
        f = window + (" and Ref_Key gt guid'%s'" % last if last else "")
        rows = json.loads(get(name, "$format=json&$select=Ref_Key,Date,Posted&$filter=%s"
                              "&$orderby=Ref_Key&$top=5000" % f))["value"]
        keyset += [r["Ref_Key"] for r in rows]
        if len(rows) < 5000:
            break
        last = rows[-1]["Ref_Key"]
    assert len(keyset) == count == len(set(keyset)), (name, len(keyset), count)
    assert [key(g) for g in keyset] == sorted(key(g) for g in keyset), name + " not in 1C order"
    assert keyset != sorted(keyset), name + ": text order should differ from 1C order"
    total += count
    if name == "Document_ЗаказКлиента":
        skipped = []
        while True:
            rows = json.loads(get(name, "$format=json&$select=Ref_Key&$orderby=Ref_Key"
                                  "&$top=5000&$skip=%d" % len(skipped)))["value"]
            skipped += [r["Ref_Key"] for r in rows]
            if len(rows) < 5000:
                break
        assert skipped == keyset, "$skip pages differ from keyset pages"
assert total == 100000 + 6, total
PY
echo "onec_double: ok"
