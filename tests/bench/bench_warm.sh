#!/usr/bin/env bash
# warm throughput against a service with 200 ms latency at concurrency 16: the bound is
# 16 / 0.2 = 80 phrases/s; prints the achieved rate and its share of the bound.
# Usage: tests/bench/bench_warm.sh [BINARY] [EMPLOYEES] [CONCURRENCY] [DELAY]
set -euo pipefail
bin=${1:-build/cmd/smartroute}
employees=${2:-120}
concurrency=${3:-16}
delay=${4:-0.2}
src=$(cd "$(dirname "$0")/../.." && pwd)
work=$(mktemp -d "${TMPDIR:-/tmp}/smartroute-bench.XXXXXX")
python3 -B "$src/tests/bench/latency_double.py" --delay "$delay" >"$work/port" &
double=$!
trap 'kill $double 2>/dev/null || true; rm -rf "$work"' EXIT
for _ in $(seq 100); do [ -s "$work/port" ] && break; sleep 0.1; done
port=$(head -1 "$work/port")
cat >"$work/smartroute.toml" <<TOML
[tts]
engine = "yandex"
voice = "alena"
url = "http://127.0.0.1:$port"
api_key_env = "BENCH_KEY"
concurrency = $concurrency
rate_limit = 1000
TOML
sr() { BENCH_KEY=bench-key "$bin" --config "$work/smartroute.toml" --state-dir "$work/state" "$@"; }
sr -q demo-data --out "$work/data" --employees "$employees" --clients 10 --interactions 10 --end 2026-11-20
sr -q import --employees "$work/data/employees.csv"
/usr/bin/time -f "warm cpu: user %U s, sys %S s, wall %e s, max RSS %M KB" env BENCH_KEY=bench-key "$bin" --config "$work/smartroute.toml" --state-dir "$work/state" --json warm >"$work/warm.json"
python3 - "$work/warm.json" "$concurrency" "$delay" <<'PY'
import json, sys
d = json.load(open(sys.argv[1])); c = int(sys.argv[2]); delay = float(sys.argv[3])
rate = d["synthesized"] / d["seconds"]; bound = c / delay if delay > 0 else float("inf")
print(f"phrases {d['synthesized']}, requests {d['requests']}, workers {d['workers']}, {d['seconds']:.2f} s")
print(f"throughput {rate:.1f} phrases/s of a {bound:.0f}/s bound = {100 * rate / bound:.0f}%")
PY
echo "requests seen by the double: $(curl -s "http://127.0.0.1:$port/")"
