#!/usr/bin/env bash
# `smartroute sync` throughput against the 1C OData double (tests/doubles/onec_odata.py): DOCS
# generated documents (calls 50 %, orders 30 %, sales 20 %, over the last 300 days), CLIENTS
# clients and USERS users, read in pages of 5,000 with examples/onec-trade.toml (every validity
# 1500d and no Posted filter, so that every document is transferred). Per binary:
#   first     a first sync of everything into a fresh store
#   again     the same sync again (catalogs skipped by DataVersion, documents all 'same')
#   tenth     a first sync into another fresh store with validity 30d (a tenth of the
#             documents, the same catalogs): its max RSS against 'first' shows how memory
#             grows with the number of documents
# Each line: documents and pages read, wall time, smartroute's CPU (its own summary, and user +
# sys from /usr/bin/time), CPU per 1,000 documents, the share of wall time smartroute spent on
# the CPU (target <= 20 %), the time spent waiting for 1C, the double's CPU meanwhile, max RSS.
# Several binaries (say, before and after a change) run against the same double in one run, so
# their figures compare under the same machine load.
# Usage: tests/bench/bench_sync.sh [--docs N] [--clients M] [--users K] [BINARY...]
set -euo pipefail
src=$(cd "$(dirname "$0")/../.." && pwd)
docs=1000000 clients=100000 users=200 bins=()
while [ $# -gt 0 ]; do
  case $1 in
  --docs) docs=$2; shift 2 ;;
  --clients) clients=$2; shift 2 ;;
  --users) users=$2; shift 2 ;;
  -*) echo "usage: $0 [--docs N] [--clients M] [--users K] [BINARY...]" >&2; exit 2 ;;
  *) bins+=("$(realpath "$1")"); shift ;;
  esac
done
[ ${#bins[@]} -gt 0 ] || bins=("$src/build/cmd/smartroute")
work=$(mktemp -d "${TMPDIR:-/tmp}/smartroute-syncbench.XXXXXX")
double=""
trap '[ -z "$double" ] || kill "$double" 2>/dev/null; rm -rf "$work"' EXIT
cd "$work"

printf 'bench\n' >password
export SMARTROUTE_ONEC_PASSWORD=bench
started=$(date +%s.%N)
python3 -B -u "$src/tests/doubles/onec_odata.py" --port 0 --user odata.user --password-file password \
  --generate-docs "$docs" --generate-clients "$clients" --generate-users "$users" --seed 1 \
  >double.out 2>double.err &
double=$!
port=""
for _ in $(seq 1200); do
  port=$(head -n1 double.out 2>/dev/null || true)
  [ -n "$port" ] && break
  kill -0 "$double" 2>/dev/null || { cat double.err >&2; exit 1; }
  sleep 0.1
done
[ -n "$port" ] || { echo "the double did not start" >&2; exit 1; }
printf 'double: %s documents, %s clients, %s users generated in %.1f s\n' "$docs" "$clients" \
  "$users" "$(python3 -c "import sys; print(float(sys.argv[2]) - float(sys.argv[1]))" "$started" "$(date +%s.%N)")"
uptime

# config VALIDITY: the trade example against the double, page_size 5000 (the default).
config() {
  sed -e "s#http://1c.example.local#http://127.0.0.1:$port#" -e "s/^validity = .*/validity = \"$1\"/" \
    -e '/^filter = "Posted eq true"$/d' "$src/examples/onec-trade.toml"
}
config 1500d >all.toml
config 30d >tenth.toml

clock_ticks=$(getconf CLK_TCK)
double_cpu() { awk -v hz="$clock_ticks" '{ print ($14 + $15) / hz }' "/proc/$double/stat"; }

# run LABEL BINARY CONFIG STATE: one sync, one line of figures.
run() {
  local label=$1 bin=$2 config=$3 state=$4 before after
  before=$(double_cpu)
  /usr/bin/time -f '%e %U %S %M' -o time.txt "$bin" --config "$config" --state-dir "$state" \
    --json sync >summary.json
  after=$(double_cpu)
  python3 - "$label" summary.json time.txt "$before" "$after" <<'PY'
import json, sys
label, summary, timing, before, after = sys.argv[1:]
d = json.load(open(summary))
wall, user, system, rss = open(timing).read().split()
documents = [e for e in d["entities"] if e["what"] not in ("employees", "clients")]
docs = sum(e["read"] for e in documents)
doc_cpu = sum(e.get("cpu_seconds", float("nan")) for e in documents)
cpu = float(user) + float(system)
print(f"{label:<12} {docs:>9,} {d['requests'] - 1:>6} {float(wall):>7.2f} {d['cpu_seconds']:>7.2f} "
      f"{cpu:>7.2f} {1e6 * cpu / max(docs, 1):>9.2f} {1e6 * doc_cpu / max(docs, 1):>9.2f} "
      f"{100 * cpu / float(wall):>6.1f}% {d['wait_seconds']:>6.2f} "
      f"{float(after) - float(before):>8.2f} {int(rss) / 1024:>7.0f}")
changes = sum(e["added"] + e["updated"] + e["deleted"] for e in d["entities"])
if label.endswith("again") and changes:
    print(f"  warning: the second sync changed {changes} rows; it should change none")
PY
}
# The double keeps the rows it serialized: one untimed dry run first, so that the first timed
# run does not pay for filling its cache.
"${bins[0]}" --config all.toml --state-dir warm -q sync --dry-run
rm -rf warm
printf '\n%-12s %9s %6s %7s %7s %7s %9s %9s %7s %6s %8s %7s\n' run docs pages "wall s" "cpu s" \
  "time s" "cpu/1k ms" "doc/1k ms" share "1C s" "double s" "RSS MiB"
i=0
for bin in "${bins[@]}"; do
  i=$((i + 1))
  name=$(basename "$bin")
  [ ${#bins[@]} -eq 1 ] && name="" || name="$i:"
  run "${name}first" "$bin" all.toml "state$i"
  run "${name}again" "$bin" all.toml "state$i"
  run "${name}tenth" "$bin" tenth.toml "state$i-tenth"
  rm -rf "state$i" "state$i-tenth"
done
echo
for i in "${!bins[@]}"; do echo "$((i + 1)): ${bins[$i]}"; done
echo "docs: document rows read; pages: requests after \$metadata (one per page, catalogs too);"
echo "cpu s: the summary's cpu_seconds (the sync itself); time s: user + sys of the process;"
echo "cpu/1k ms: time s per 1,000 documents; doc/1k ms: the CPU of the document sets alone"
echo "(catalogs excluded) per 1,000 documents, from the summary's per-entity cpu_seconds;"
echo "share: time s / wall s (target <= 20 %); 1C s: waiting for answers (wait_seconds);"
echo "double s: CPU of the Python double meanwhile (it shares the machine's cores)."
uptime
