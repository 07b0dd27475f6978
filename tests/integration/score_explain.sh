# score + explain on demo data: explain ranks a known client exactly as score stored it;
# excluding the top employee in the configuration moves the next one up in both.
source "$(dirname "$0")/lib.sh"
at=2026-11-20T12:00
expect_status 0 sr demo-data --out data --employees 30 --clients 400 --interactions 6000 --seed 3 --end 2026-11-20
printf '[routing]\ndefault_number = "200"\nemergency_number = "201"\n' >base.toml
cp base.toml smartroute.toml
s=(--config smartroute.toml --state-dir "$WORK/state")
expect_status 0 sr "${s[@]}" -q import --employees data/employees.csv --clients data/clients.csv \
  --interactions data/interactions.csv --cdr data/cdr/Master.csv
expect_status 0 sr "${s[@]}" --json score --at "$at"
check_eq "$(json "$WORK/out" 'd["full"]')" True "first score is full"
[ "$(json "$WORK/out" 'd["clients_with_responsible"]')" -gt 100 ] || fail "too few clients scored"
db="$WORK/state/smartroute.db"

# A client with at least three eligible employees in its ranking.
client=$(sqlite3 "$db" "SELECT r.client FROM responsibility r JOIN employees e ON e.id = r.employee
  WHERE e.active = 1 AND e.excluded = 0 AND e.extension <> '' GROUP BY r.client
  HAVING count(*) >= 3 ORDER BY r.client LIMIT 1")
[ -n "$client" ] || fail "no client with three eligible employees"
phone=$(sqlite3 "$db" "SELECT raw FROM client_phones WHERE client = $client LIMIT 1")
stored=$(sqlite3 "$db" "SELECT e.key FROM responsibility r JOIN employees e ON e.id = r.employee
  WHERE r.client = $client ORDER BY r.rank" | paste -sd,)
expect_status 0 sr "${s[@]}" --json explain "$phone" --at "$at"
cp "$WORK/out" x1.json
check_eq "$(json x1.json '",".join(r["employee"]["id"] for r in d["ranking"])')" "$stored" "explain ranking = stored ranking"
check_eq "$(json x1.json 'd["client"]["id"]')" "$(sqlite3 "$db" "SELECT key FROM clients WHERE id = $client")" "matched client"
check_eq "$(json x1.json 'd["default_target"]')" 200 "default target"
check_eq "$(json x1.json 'd["emergency_target"]')" 201 "emergency target"

# The top eligible employee, then exclude them.
top=$(sqlite3 "$db" "SELECT e.key FROM client_state s JOIN employees e ON e.id = s.top_employee WHERE s.client = $client")
second=$(sqlite3 "$db" "SELECT e.key FROM responsibility r JOIN employees e ON e.id = r.employee
  WHERE r.client = $client AND e.active = 1 AND e.excluded = 0 AND e.extension <> '' AND e.key <> '$top'
  ORDER BY r.rank LIMIT 1")
printf '[[employees]]\nid = "%s"\nexclude = true\n' "$top" >>smartroute.toml
expect_status 0 sr "${s[@]}" --json explain "$phone" --at "$at"
cp "$WORK/out" x2.json
check_eq "$(json x2.json "[x['reason'] for x in d['dropped'] if x['employee']['id']=='$top'][0]")" excluded "top is dropped as excluded"
check_eq "$(json x2.json "'$top' in [o['employee']['id'] for o in d['options']] or (d['direct'] or {}).get('id')=='$top'")" False "excluded employee not offered"
check_eq "$(json x2.json "'$second' in [o['employee']['id'] for o in d['options']] or (d['direct'] or {}).get('id')=='$second'")" True "next employee offered"

# score notices the configuration change, runs in full and reports the move.
expect_status 0 sr "${s[@]}" --json score --at "$at"
cp "$WORK/out" s2.json
check_eq "$(json s2.json 'd["full"]')" True "rule change forces a full score"
[ "$(json s2.json 'd["changed"]')" -ge 1 ] || fail "no change reported"
check_eq "$(json s2.json "[c['to']['id'] for c in d['changes'] if c['client']['id']=='$(sqlite3 "$db" "SELECT key FROM clients WHERE id = $client")'][0]")" "$second" "new top"
check_eq "$(json s2.json "set(c['reason'] for c in d['changes'] if c['from'] and c['from']['id']=='$top')")" "{'excluded'}" "reason"

# Unknown and invalid numbers are explained, not errors.
expect_status 0 sr "${s[@]}" --json explain "+7 999 000-00-00" --at "$at"
check_eq "$(json "$WORK/out" 'd["mode"]')" new-client "unknown caller"
expect_status 0 sr "${s[@]}" explain "hello" --at "$at"
contains "$WORK/out" "not a phone number"
expect_status 0 sr "${s[@]}" explain "$phone" --at "$at"
contains "$WORK/out" "the caller hears"
expect_status 2 sr "${s[@]}" explain "$phone" --at "soon"

# An incremental score after new interactions rescoring only that client.
printf 'type,key,at,client,employee\ncall,new-1,2026-11-20T11:00:00+03:00,%s,%s\n' \
  "$(sqlite3 "$db" "SELECT key FROM clients WHERE id = $client")" "$second" >new.csv
expect_status 0 sr "${s[@]}" -q import --interactions new.csv
expect_status 0 sr "${s[@]}" --json score --at "$at"
check_eq "$(json "$WORK/out" 'd["full"]')" False "incremental score"
check_eq "$(json "$WORK/out" 'd["clients_scored"]')" 1 "one client rescored"
