# demo-data + import of the same files twice gives identical counts; the second run changes
# nothing; JSONL and CSV are both read.
source "$(dirname "$0")/lib.sh"

expect_status 0 sr demo-data --out demo --employees 30 --clients 500 --interactions 4000 \
  --seed 7 --end 2026-11-20
for f in employees.csv clients.csv interactions.csv cdr/Master.csv; do
  [ -s "demo/$f" ] || fail "demo-data did not write $f"
done

args=(--state-dir "$WORK/state" --json import --employees demo/employees.csv
  --clients demo/clients.csv --interactions demo/interactions.csv --cdr demo/cdr/Master.csv)
expect_status 0 sr "${args[@]}"
cp "$WORK/out" first.json
check_eq "$(json first.json 'd["committed"]')" True "first import committed"
check_eq "$(json first.json 'd["employees"]["inserted"]')" 30 "employees inserted"
check_eq "$(json first.json 'd["clients"]["inserted"]')" 500 "clients inserted"
check_eq "$(json first.json 'd["interactions"]["inserted"]')" 4000 "interactions inserted"
[ "$(json first.json 'd["cdr"]["inserted"]')" -gt 0 ] || fail "no CDR call became an interaction"

expect_status 0 sr "${args[@]}"
cp "$WORK/out" second.json
check_eq "$(json second.json 'd["store"]')" "$(json first.json 'd["store"]')" "store counts"
for kind in employees clients interactions cdr; do
  check_eq "$(json second.json "d['$kind']['inserted'] + d['$kind']['updated']")" 0 \
    "$kind changed on the second import"
done

# The same data as JSON Lines is the same data.
python3 - demo/employees.csv employees.jsonl <<'PY'
import csv, json, sys
with open(sys.argv[1], newline='') as f, open(sys.argv[2], 'w') as out:
    for row in csv.DictReader(f):
        row['active'] = row['active'] == '1'
        out.write(json.dumps(row, ensure_ascii=False) + '\n')
PY
expect_status 0 sr --state-dir "$WORK/state" --json import --employees employees.jsonl
check_eq "$(json "$WORK/out" 'd["employees"]["unchanged"]')" 30 "jsonl employees unchanged"

# Human output names the counts.
expect_status 0 sr --state-dir "$WORK/state" import --clients demo/clients.csv
contains "$WORK/out" "clients"
contains "$WORK/out" "store: 30 employees, 500 clients"
