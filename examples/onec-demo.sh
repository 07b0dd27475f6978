#!/usr/bin/env bash
# The demo with data from 1C: a local double of 1C's standard OData interface (the one the
# tests use, tests/doubles/onec_odata.py, profile "trade") plays an Управление торговлей
# infobase with generated users, clients and documents; `smartroute sync` reads it through
# examples/onec-trade.toml, then score, warm and explain a client that came from it.
# Usage: bash examples/onec-demo.sh [DIR]   (DIR defaults to ./demo-onec; it is recreated)
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
dir=$(realpath -m "${1:-demo-onec}")

bash "$root/.ci/install-deps"
cmake -S "$root" -B "$root/build" -G Ninja -DCMAKE_BUILD_TYPE=RelWithDebInfo >/dev/null
cmake --build "$root/build" -j "$(nproc)" --target smartroute
rm -rf "$dir"
mkdir -p "$dir"

echo "== 1. start the 1C double: 20 users, 2,000 clients, 20,000 documents (password in a file)"
printf 'demo-password\n' >"$dir/onec.password"
chmod 600 "$dir/onec.password"
python3 -B -u "$root/tests/doubles/onec_odata.py" --port 0 --profile trade --user odata.user \
  --password-file "$dir/onec.password" --generate-users 20 --generate-clients 2000 \
  --generate-docs 20000 --seed 1 >"$dir/double.out" 2>"$dir/double.err" &
double=$!
trap 'kill $double 2>/dev/null || true' EXIT
for _ in $(seq 100); do
  port=$(head -n1 "$dir/double.out" 2>/dev/null || true)
  [ -n "$port" ] && break
  sleep 0.1
done
[ -n "$port" ] || { cat "$dir/double.err" >&2; exit 1; }
url="http://127.0.0.1:$port/trade/odata/standard.odata/"
echo "1C OData at $url"
# The trade example with the double's address, the password from the file, and the demo's numbers.
sed -e "s#^url = .*#url = \"$url\"#" \
  -e "s#^password_env = .*#password_file = \"$dir/onec.password\"#" \
  "$root/examples/onec-trade.toml" >"$dir/smartroute.toml"
sr() { "$root/build/cmd/smartroute" --config "$dir/smartroute.toml" --state-dir "$dir/state" "$@"; }
echo
echo "== 2. check the mapping against 1C's \$metadata"
sr sync --check
echo
echo "== 3. sync: users, clients with phones, calls, orders and sales into the store"
sr sync
echo
echo "== 4. score, then warm the audio cache with the offline espeak-ng voice"
sr score
sr warm
echo
# A client from 1C with a menu: three eligible employees in its ranking.
phone=$(sqlite3 "$dir/state/smartroute.db" "SELECT p.raw FROM client_phones p
  JOIN clients c ON c.id = p.client AND c.source = 2
  JOIN responsibility r ON r.client = p.client JOIN employees e ON e.id = r.employee
  WHERE e.active AND NOT e.excluded AND e.extension <> ''
  GROUP BY p.client HAVING count(*) >= 3 ORDER BY p.client LIMIT 1")
echo "== 5. explain what caller '$phone' (a client from 1C) hears, and why"
sr explain "$phone"
echo
echo "== 6. a second sync: unchanged catalog rows cost nothing"
sr sync
sr preview "$phone" -o "$dir/menu.wav"
echo "listen: aplay $dir/menu.wav"
