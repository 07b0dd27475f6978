#!/usr/bin/env bash
# Import throughput: generates demo data and times `smartroute import` into a fresh store
# (first import), again over the same files (nothing changes), and a 10% incremental file
# into the full store. Prints rows/s for each. Usage:
#   tests/bench/bench_import.sh [BINARY] [EMPLOYEES] [CLIENTS] [INTERACTIONS]
set -euo pipefail
bin=${1:-build/cmd/smartroute}
employees=${2:-5000}
clients=${3:-200000}
interactions=${4:-2000000}
work=$(mktemp -d "${TMPDIR:-/tmp}/smartroute-bench.XXXXXX")
trap 'rm -rf "$work"' EXIT
sr() { "$bin" --state-dir "$work/state" "$@"; }

now() { date +%s.%N; }
rate() { python3 -c "import sys; n,a,b=map(float,sys.argv[1:]); print(f'{b-a:7.2f} s  {n/(b-a):10,.0f} rows/s')" "$@"; }

echo "data: $employees employees, $clients clients, $interactions interactions"
t0=$(now)
sr -q demo-data --out "$work/data" --employees "$employees" --clients "$clients" \
  --interactions "$interactions" --seed 1 --end 2026-11-20
t1=$(now)
echo "demo-data:                      $(rate "$interactions" "$t0" "$t1")"
sr -q import --employees "$work/data/employees.csv" --clients "$work/data/clients.csv"
t2=$(now)
echo "import employees+clients:       $(rate "$clients" "$t1" "$t2")"
/usr/bin/time -f "%M" -o "$work/rss" "$bin" --state-dir "$work/state" -q import \
  --interactions "$work/data/interactions.csv"
t3=$(now)
echo "import interactions (first):    $(rate "$interactions" "$t2" "$t3")  max RSS $(( $(cat "$work/rss") / 1024 )) MiB"
sr -q import --interactions "$work/data/interactions.csv"
t4=$(now)
echo "import interactions (again):    $(rate "$interactions" "$t3" "$t4")  (all unchanged)"
# 10% new rows with new keys into the full store: the incremental path, no index rebuild.
tenth=$((interactions / 10))
awk -F, -v n="$tenth" 'NR == 1 { print; next } NR > n + 1 { exit } { $2 = "new-" $2; print }' OFS=, \
  "$work/data/interactions.csv" >"$work/new.csv"
t5=$(now)
sr -q import --interactions "$work/new.csv"
t6=$(now)
echo "import 10% new into full store: $(rate "$tenth" "$t5" "$t6")"
echo "store size: $(du -h "$work/state/smartroute.db" | cut -f1)"
