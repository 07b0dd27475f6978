# Asterisk cdr_csv Master.csv: answered calls between a client number and an employee's
# extension become "call" interactions, in both directions; the rest is counted and ignored.
source "$(dirname "$0")/lib.sh"
state=(--state-dir "$WORK/state")

printf 'id,name,extension\ne1,Петров Иван,201\ne2,Сидорова Анна,202\n' >employees.csv
printf 'id,name,phones\nc1,Ромашка,8 (495) 123-45-67\nc2,Лютик,+7 912 345-67-89\n' >clients.csv
cat >Master.csv <<'CSV'
"","84951234567","201","from-trunk","""Ромашка"" <84951234567>","PJSIP/trunk-00000001","PJSIP/201-00000002","Dial","PJSIP/201,30","2026-11-20 10:00:00","2026-11-20 10:00:05","2026-11-20 10:03:00",180,175,"ANSWERED","DOCUMENTATION","1763622000.1",""
"","202","89123456789","from-internal","""Анна"" <202>","PJSIP/202-00000003","PJSIP/trunk-00000004","Dial","PJSIP/trunk/89123456789","2026-11-20 11:00:00","2026-11-20 11:00:09","2026-11-20 11:05:00",300,291,"ANSWERED","DOCUMENTATION","1763625600.2",""
"","74951234567","201","from-trunk","""x"" <74951234567>","PJSIP/trunk-00000005","PJSIP/201-00000006","Dial","PJSIP/201,30","2026-11-20 12:00:00","","2026-11-20 12:00:30",30,0,"NO ANSWER","DOCUMENTATION","1763629200.3",""
"","201","202","from-internal","""Иван"" <201>","PJSIP/201-00000007","PJSIP/202-00000008","Dial","PJSIP/202","2026-11-20 13:00:00","2026-11-20 13:00:02","2026-11-20 13:01:00",60,58,"ANSWERED","DOCUMENTATION","1763632800.4",""
"","84990000000","201","from-trunk","""y"" <84990000000>","PJSIP/trunk-00000009","PJSIP/201-0000000a","Dial","PJSIP/201,30","2026-11-20 14:00:00","2026-11-20 14:00:02","2026-11-20 14:01:00",60,58,"ANSWERED","DOCUMENTATION","1763636400.5",""
CSV
expect_status 0 sr "${state[@]}" --json import --employees employees.csv --clients clients.csv --cdr Master.csv
check_eq "$(json "$WORK/out" 'd["cdr"]["inserted"]')" 2 "calls imported"
check_eq "$(json "$WORK/out" 'd["cdr_ignored"]')" 3 "calls ignored"
db="$WORK/state/smartroute.db"
check_eq "$(sqlite3 "$db" "SELECT c.key||'-'||e.key||'-'||datetime(i.at,'unixepoch') FROM interactions i JOIN clients c ON c.id=i.client JOIN employees e ON e.id=i.employee ORDER BY i.at")" \
  "$(printf 'c1-e1-2026-11-20 07:00:05\nc2-e2-2026-11-20 08:00:09')" "call interactions (answer time, Moscow → UTC)"

# Again: nothing changes.
expect_status 0 sr "${state[@]}" --json import --cdr Master.csv
check_eq "$(json "$WORK/out" 'd["cdr"]["unchanged"]')" 2 "second CDR import"

# A truncated row is an error with its line.
printf '"","84951234567","201"\n' >short.csv
expect_status 1 sr "${state[@]}" import --cdr short.csv
contains "$WORK/err" "short.csv:1: expected at least 16 cdr_csv fields, found 3"
