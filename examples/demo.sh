#!/usr/bin/env bash
# The whole product on its embedded defaults: install what is needed, build, generate the
# bundled demo data, import it into a fresh SQLite store, and show what the store now knows.
# Ends with what a person can see and hear: explain of a demo caller, and that caller's menu
# rendered to DIR/menu.wav from the audio cache warmed with the offline espeak-ng voice, and
# `doctor` with serve-agi running for a moment.
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
echo "== 3. rank each client's responsible employees"
sr score
echo
echo "== 4. warm the audio cache: every phrase any menu can need, offline espeak-ng voice"
sr warm
echo
# A demo client with a menu: the first client whose ranking has three eligible employees.
phone=$(sqlite3 "$dir/state/smartroute.db" "SELECT p.raw FROM client_phones p
  JOIN responsibility r ON r.client = p.client JOIN employees e ON e.id = r.employee
  WHERE e.active AND NOT e.excluded AND e.extension <> ''
  GROUP BY p.client HAVING count(*) >= 3 ORDER BY p.client LIMIT 1")
echo "== 5. explain what demo caller '$phone' hears, and why"
sr explain "$phone"
echo
echo "== 6. render that caller's menu to a WAV you can listen to"
sr preview "$phone" -o "$dir/menu.wav"
echo
echo
echo "== 7. check the whole installation, with serve-agi answering doctor's test call"
# The binary itself in the background (not the sr function, whose subshell kill would leave it).
"$root/build/cmd/smartroute" --config "$root/examples/demo.toml" --state-dir "$dir/state" \
  serve-agi >/dev/null 2>"$dir/serve-agi.log" &
agi=$!
for _ in $(seq 50); do grep -q event=listening "$dir/serve-agi.log" && break; sleep 0.1; done
sr doctor --pbx-user "$(id -un)" || true
kill "$agi"
wait "$agi" 2>/dev/null || true
echo
echo "listen: aplay $dir/menu.wav   (or open it in any audio player)"
