#!/usr/bin/env bash
# The whole product on its embedded defaults: install what is needed, build, generate the
# bundled demo data, import it into a fresh SQLite store, and show what the store now knows.
# Usage: bash examples/demo.sh [DIR]   (DIR defaults to ./demo; it is recreated)
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
dir=$(realpath -m "${1:-demo}")

bash "$root/.ci/install-deps"
cmake -S "$root" -B "$root/build" -G Ninja -DCMAKE_BUILD_TYPE=RelWithDebInfo >/dev/null
cmake --build "$root/build" -j "$(nproc)" --target smartroute
sr() { "$root/build/cmd/smartroute" --config "$root/examples/demo.toml" --state-dir "$dir/state" "$@"; }

rm -rf "$dir"
echo "== 1. generate demo data (40 employees, 2,000 clients, 20,000 documents, CDRs)"
sr demo-data --out "$dir/data" --employees 40 --clients 2000 --interactions 20000 --seed 1
echo
echo "== 2. import it into the store ($dir/state/smartroute.db)"
sr import --employees "$dir/data/employees.csv" --clients "$dir/data/clients.csv" \
  --interactions "$dir/data/interactions.csv" --cdr "$dir/data/cdr/Master.csv"
echo
echo "== 3. the configuration in force, with where each value came from (excerpt)"
sr config show | grep -E '^(store|routing)\.'
