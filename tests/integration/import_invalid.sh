# A malformed row in the middle of a file is reported as file:line and leaves the store as it
# was; --skip-invalid imports the rest and reports each skipped row.
source "$(dirname "$0")/lib.sh"
state=(--state-dir "$WORK/state")

cat >employees.csv <<'CSV'
id,name,extension,active
e1,Петров Иван Сергеевич,201,1
e2,Сидорова Анна Викторовна,202,1
CSV
cat >clients.csv <<'CSV'
id,name,phones
c1,ООО «Ромашка»,8 (495) 123-45-67
c2,ИП Иванов,+7 912 345-67-89 доб. 12; 74951112233
CSV
expect_status 0 sr "${state[@]}" import --employees employees.csv --clients clients.csv
sqlite3 "$WORK/state/smartroute.db" .dump >before.sql

cat >interactions.csv <<'CSV'
type,key,at,client,employee
call,k1,2026-11-01T10:00:00+03:00,c1,e1
call,k2,2026-11-02 11:00,c1,e2
call,k3,yesterday,c2,e1
order,o1,2026-10-01,c9,e1
cal,k5,2026-11-02,c1,e1
order,o2,2026-10-02,c2,e2
CSV
expect_status 1 sr "${state[@]}" import --interactions interactions.csv
contains "$WORK/err" "interactions.csv:4: field 'at': 'yesterday' is not a time"
contains "$WORK/err" "interactions.csv:5: unknown client 'c9'"
contains "$WORK/err" "interactions.csv:6: unknown document type 'cal', did you mean 'call'?"
contains "$WORK/err" "3 invalid rows; nothing was imported"
sqlite3 "$WORK/state/smartroute.db" .dump >after.sql
cmp -s before.sql after.sql || fail "a failed import changed the store"

expect_status 0 sr "${state[@]}" --json import --skip-invalid --interactions interactions.csv
check_eq "$(json "$WORK/out" 'd["interactions"]["inserted"]')" 3 "valid rows imported"
check_eq "$(json "$WORK/out" 'd["interactions"]["skipped"]')" 3 "rows skipped"
check_eq "$(json "$WORK/out" 'len(d["errors"])')" 3 "errors reported"
contains "$WORK/err" "interactions.csv:4:"

# Bad phones and bad headers are named precisely.
printf 'id,name,phones\nc3,Тест,abc\nc4,Тест,101\n' >badphones.csv
expect_status 1 sr "${state[@]}" import --clients badphones.csv
contains "$WORK/err" "badphones.csv:2: phone 'abc'"
contains "$WORK/err" "badphones.csv:3: phone '101' is a short internal number"
printf 'id,nmae\ne9,X\n' >badheader.csv
expect_status 1 sr "${state[@]}" import --employees badheader.csv
contains "$WORK/err" "badheader.csv:1: unknown column 'nmae', did you mean 'name'?"

# A quoted field left open is reported at the line where the record starts.
printf 'id,name,extension\ne5,"Broken,203\ne6,Fine,204\n' >openquote.csv
expect_status 1 sr "${state[@]}" import --employees openquote.csv
contains "$WORK/err" "openquote.csv:2:"

# Phones normalise: the store holds E.164 and the extension.
check_eq "$(sqlite3 "$WORK/state/smartroute.db" "SELECT phone||'/'||extension FROM client_phones ORDER BY phone")" \
  "$(printf '+74951112233/\n+74951234567/\n+79123456789/12')" "stored phones"
