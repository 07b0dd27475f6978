#!/usr/bin/env bash
# Side-by-side FastAGI load benchmark (shared/reference/agi.md §3; write-up in
# docs/benchmarks-agi.md). One synthetic Asterisk (tests/bench/agi_load.c) runs the same
# scenarios, in the same run, against:
#   minimal     tests/bench/agi_minimal.c: the script and nothing else (the ceiling)
#   floor       the same with serve-agi's three commands per menu call (its protocol floor)
#   smartroute  `smartroute serve-agi` planning from a real store and checking the audio cache
#   panoramisk  Debian python3-panoramisk, fast_agi.Application (tests/bench/peers/)
#   ding-dong   npm ding-dong@0.1.7 (tests/bench/peers/), installed into the work directory
# Scenarios per server: 20,000 sessions at concurrency 100 with hold 0 (sessions/s, server CPU
# per session), 2,000 sessions at concurrency 1 (connect -> first command p99), a burst of 1,000
# simultaneous connects; then on a restarted server: 1,000 calls held 3 s (RSS growth) and
# 5,000 open sessions (RSS total).
#
# The whole sequence (every server, every scenario) is one round; rounds repeat it, so every
# server sees the same machine load within a round and ratios are taken round by round.
#
# Usage: tests/bench/bench_agi.sh [--work DIR] [--small] [--prepare-only] [--bin SMARTROUTE]
#                                 [--rounds N] [--servers "minimal smartroute ..."]
#   --work DIR      keep the store, cache and results there; a store already prepared in DIR is
#                   reused (default: a fresh temporary directory, removed at the end)
#   --small         200,000 clients / 2,000,000 interactions instead of 1,000,000 / 20,000,000
#   --prepare-only  build, prepare the store and the cache, then stop
#   --bin FILE      use this smartroute binary instead of building build-main
#   --rounds N      how many times to run the whole sequence (default 3)
#   --servers LIST  a subset of: minimal floor smartroute panoramisk dingdong (minimal is
#                   always run: the ratios are taken against it)
# Needs: cc, cmake, ninja, sqlite3, espeak-ng, node + npm, and python3-panoramisk
# (apt-get install -y python3-panoramisk). Everything runs on 127.0.0.1 and is bounded in time.
set -euo pipefail
src=$(cd "$(dirname "$0")/../.." && pwd)
work="" small=0 prepare_only=0 bin="" rounds=3 servers="minimal floor smartroute panoramisk dingdong"
while [ $# -gt 0 ]; do
  case $1 in
  --work) work=$2; shift 2 ;;
  --small) small=1; shift ;;
  --prepare-only) prepare_only=1; shift ;;
  --bin) bin=$2; shift 2 ;;
  --rounds) rounds=$2; shift 2 ;;
  --servers) servers=$2; shift 2 ;;
  *) echo "usage: $0 [--work DIR] [--small] [--prepare-only] [--bin SMARTROUTE] [--rounds N] [--servers LIST]" >&2; exit 2 ;;
  esac
done
case " $servers " in *" minimal "*) ;; *) servers="minimal $servers" ;; esac
keep=1
if [ -z "$work" ]; then
  work=$(mktemp -d "${TMPDIR:-/tmp}/smartroute-agibench.XXXXXX")
  keep=0
fi
mkdir -p "$work/bin" "$work/logs"
work=$(cd "$work" && pwd)
employees=5000 clients=1000000 interactions=20000000
if [ "$small" = 1 ]; then clients=200000 interactions=2000000; fi
port_minimal=47311 port_smartroute=47312 port_panoramisk=47313 port_dingdong=47314 port_floor=47315

pids=()
cleanup() {
  for p in "${pids[@]}"; do kill "$p" 2>/dev/null || true; done
  for p in "${pids[@]}"; do wait "$p" 2>/dev/null || true; done
  if [ "$keep" = 0 ]; then rm -rf "$work"; fi
}
trap cleanup EXIT
say() { printf '[%s] %s\n' "$(date -u +%H:%M:%S)" "$*" >&2; }

# ---- build ----
say "building the C programs"
cc -O2 -o "$work/bin/agi_load" "$src/tests/bench/agi_load.c"
cc -O2 -o "$work/bin/agi_minimal" "$src/tests/bench/agi_minimal.c"
if [ -z "$bin" ]; then
  say "building smartroute (build-main)"
  cmake -S "$src" -B "$src/build-main" -G Ninja -DSMARTROUTE_WERROR=ON >"$work/logs/cmake.log"
  ninja -C "$src/build-main" smartroute >"$work/logs/ninja.log"
  bin=$src/build-main/cmd/smartroute
fi
# A private copy: other builds of build-main may relink the binary during the run.
cp "$bin" "$work/bin/smartroute.new" && mv "$work/bin/smartroute.new" "$work/bin/smartroute"
bin=$work/bin/smartroute
echo "commit $(git -C "$src" rev-parse --short HEAD)$(git -C "$src" diff --quiet HEAD -- lib cmd || echo ' + uncommitted changes in lib/ or cmd/'), $("$bin" --version)" >"$work/version.txt"
load=$work/bin/agi_load

# ---- the store: demo data, import, score, a warm cache from a fast command engine ----
state=$work/state cfg=$work/smartroute.toml db=$work/state/smartroute.db
if [ ! -f "$work/prepared" ]; then
  say "preparing: $employees employees, $clients clients, $interactions interactions"
  rm -rf "$state" "$work/data"
  espeak-ng -v ru -s 160 -w "$work/phrase.wav" "Соединяю вас с менеджером"
  printf '#!/bin/sh\ncat "%s"\n' "$work/phrase.wav" >"$work/fake-tts.sh"
  chmod +x "$work/fake-tts.sh"
  cat >"$cfg" <<TOML
[routing]
default_number = "200"
emergency_number = "100"
menu_size = 4

[tts]
engine = "command"
command = ["$work/fake-tts.sh"]
concurrency = 4
rate_limit = 1000

[agi]
listen = "127.0.0.1"
port = $port_smartroute
max_sessions = 6000
TOML
  sr() { timeout 3600 "$bin" --config "$cfg" --state-dir "$state" "$@"; }
  step() { # label, command...: times one preparation step into prepare.log
    local label=$1; shift
    local t0; t0=$(date +%s.%N)
    "$@"
    printf '%-12s %7.1f s\n' "$label" "$(awk -v a="$t0" -v b="$(date +%s.%N)" 'BEGIN { print b - a }')" | tee -a "$work/prepare.log" >&2
  }
  : >"$work/prepare.log"
  step demo-data sr -q demo-data --out "$work/data" --employees "$employees" --clients "$clients" \
    --interactions "$interactions" --seed 1
  step import sr -q import --employees "$work/data/employees.csv" --clients "$work/data/clients.csv" \
    --interactions "$work/data/interactions.csv"
  step score sr -q score --full
  step warm sr -q warm
  rm -rf "$work/data" # 1.2 GB of CSV no longer needed
  echo "$employees $clients $interactions" >"$work/prepared"
fi
read -r employees clients interactions <"$work/prepared"
# A store prepared by an older smartroute: serve-agi (a reader) refuses an older schema, and
# score (a writer) migrates it; with nothing changed it scores nothing.
timeout 3600 "$bin" --config "$cfg" --state-dir "$state" -q score
# Real client numbers from the store: planning does a lookup, a stored ranking and a plan.
sqlite3 "$db" "SELECT phone FROM client_phones ORDER BY random() LIMIT 50000" >"$work/callers.txt"
say "store: $employees employees, $clients clients, $interactions interactions; $(wc -l <"$work/callers.txt") callers; $(du -sh "$db" | cut -f1) store, $(du -sh "$state/cache" | cut -f1) cache"
if [ "$prepare_only" = 1 ]; then exit 0; fi

# ---- the peers ----
dd=$work/ding-dong
if [ ! -d "$dd/node_modules/ding-dong" ] && [[ " $servers " == *" dingdong "* ]]; then
  say "npm install ding-dong@0.1.7 into $dd"
  mkdir -p "$dd"
  (cd "$dd" && timeout 300 npm install --no-audit --no-fund --silent ding-dong@0.1.7 >/dev/null)
fi
case " $servers " in *" panoramisk "*)
  /usr/bin/python3 -c 'import panoramisk.fast_agi' 2>/dev/null ||
    { echo "python3-panoramisk is missing: apt-get install -y python3-panoramisk" >&2; exit 1; } ;;
esac

# start NAME BACKLOG: starts one server in the background, sets $pid once it listens.
start() {
  local name=$1 backlog=$2 port_var=port_$1
  local port=${!port_var}
  case $name in
  minimal) "$work/bin/agi_minimal" "$port" 2>>"$work/logs/$name.log" & ;;
  floor) "$work/bin/agi_minimal" "$port" --floor 2>>"$work/logs/$name.log" & ;;
  smartroute) "$bin" --config "$cfg" --state-dir "$state" serve-agi --port "$port" 2>>"$work/logs/$name.log" & ;;
  panoramisk) /usr/bin/python3 "$src/tests/bench/peers/panoramisk_server.py" --port "$port" --backlog "$backlog" 2>>"$work/logs/$name.log" & ;;
  dingdong) NODE_PATH=$dd/node_modules node "$src/tests/bench/peers/dingdong_server.js" --port "$port" --backlog "$backlog" 2>>"$work/logs/$name.log" & ;;
  esac
  pid=$!
  pids+=("$pid")
  # Wait for the listening socket without connecting (a probe that closes mid-header makes
  # panoramisk spin, agi.md §3).
  for _ in $(seq 300); do
    if ss -Hltn "sport = :$port" | grep -q .; then return 0; fi
    kill -0 "$pid" 2>/dev/null || { echo "$name did not start; see $work/logs/$name.log" >&2; exit 1; }
    sleep 0.1
  done
  echo "$name is not listening on $port after 30 s" >&2
  exit 1
}
stop() {
  kill "$pid" 2>/dev/null || true
  wait "$pid" 2>/dev/null || true
}
# run SERVER TEST agi_load-options...: one scenario; its RESULT line goes to results.txt. Each
# scenario of a round draws its callers with its own seed (the warm-up's callers are not
# the measured ones), the same for every server.
seed=0
run() {
  local name=$1 test=$2 port_var=port_$1; shift 2
  local out err
  seed=$((seed + 1))
  err=$(mktemp)
  out=$("$load" --port "${!port_var}" --callers "$work/callers.txt" --name "$name/$test" \
    --seed "$((round * 100 + seed))" "$@" 2>"$err") || true
  sed 's/^/    /' "$err" >&2
  cat "$err" >>"$work/logs/client.log"
  rm -f "$err"
  echo "round=$round server=$name test=$test ${out#RESULT }" >>"$work/results.txt"
}

: >"$work/results.txt"
: >"$work/logs/client.log"
: >"$work/load.txt"
for round in $(seq "$rounds"); do
say "round $round of $rounds; load average: $(cut -d' ' -f1-3 /proc/loadavg)"
echo "round=$round load=$(cut -d' ' -f1 /proc/loadavg)" >>"$work/load.txt"
for name in $servers; do
  seed=0
  backlog=0
  say "$name: throughput, latency, burst"
  start "$name" "$backlog"
  run "$name" warmup --sessions 2000 --concurrency 10 --max-seconds 120
  run "$name" c100 --sessions 20000 --concurrency 100 --watch-pid "$pid" --max-seconds 300
  run "$name" c1 --sessions 2000 --concurrency 1 --max-seconds 120
  run "$name" burst --burst 1000 --watch-pid "$pid" --max-seconds 60
  if [ "$name" = panoramisk ] || [ "$name" = dingdong ]; then
    if ! tail -1 "$work/results.txt" | grep -q ' failures=0 '; then
      # The default listen backlog (asyncio 100, node 511) dropped connections: raise it.
      stop
      backlog=4096
      say "$name: burst failed with the default backlog; again with backlog $backlog"
      start "$name" "$backlog"
      run "$name" warmup-b --sessions 200 --concurrency 10 --max-seconds 60
      run "$name" burst-backlog --burst 1000 --watch-pid "$pid" --max-seconds 60
    fi
  fi
  stop
  say "$name: 1,000 calls held 3 s, then 5,000 open sessions (fresh server)"
  start "$name" "$backlog"
  run "$name" warmup2 --sessions 2000 --concurrency 10 --max-seconds 120
  run "$name" held --sessions 1000 --concurrency 1000 --hold-ms 3000 --rate 1000 --watch-pid "$pid" --max-seconds 60
  # 5,000 calls arriving over 2 s, each prompt held 5 s: all 5,000 are open at once for ~3 s.
  # (serve-agi gives a STREAM FILE the clip's length + 5 s, ~7 s here; a longer hold would be
  # a stuck Asterisk to it, and it would rightly give up.)
  run "$name" open5000 --sessions 5000 --concurrency 5000 --hold-ms 5000 --rate 2500 --timeout-ms 10000 --watch-pid "$pid" --max-seconds 90
  stop
done
done
say "load average after: $(cut -d' ' -f1-3 /proc/loadavg)"
echo "end load=$(cut -d' ' -f1 /proc/loadavg)" >>"$work/load.txt"

# ---- the tables ----
python3 - "$work/results.txt" "$servers" <<'PY' | tee "$work/summary.md"
import statistics, sys
rows = {}
for line in open(sys.argv[1]):
    kv = dict(f.split("=", 1) for f in line.split() if "=" in f)
    rows[(kv.get("round"), kv.get("server"), kv.get("test"))] = kv
servers = sys.argv[2].split()
rounds = sorted({r for r, _, _ in rows}, key=int)
def g(r, s, t, k):
    try:
        return float(rows[(r, s, t)][k])
    except (KeyError, ValueError):
        return float("nan")
def i(x):
    return "?" if x != x else f"{x:,.0f}"
def mb(kb):
    return "?" if kb != kb else f"{kb / 1024:.1f}"
for r in rounds:
    base_rate, base_cpu = g(r, "minimal", "c100", "rate"), g(r, "minimal", "c100", "cpu_us_per_session")
    print(f"\n### Round {r}\n")
    print("| server | commands/session | sessions/s (c=100) | vs minimal | CPU µs/session | vs minimal "
          "| c=100 failures | burst 1,000: failures, first command p99 (µs) | first command p99 c=1 (µs) "
          "| held 1,000×3 s: failures, VmRSS growth MB (RssAnon) | 5,000 open: VmRSS MB (RssAnon), most holding, failures |")
    print("|---|---|---|---|---|---|---|---|---|---|---|")
    for s in servers:
        rate, cpu = g(r, s, "c100", "rate"), g(r, s, "c100", "cpu_us_per_session")
        burst = i(g(r, s, "burst", "failures")) + ", " + i(g(r, s, "burst", "first_p99_us"))
        if (r, s, "burst-backlog") in rows:
            burst += f" (backlog 4096: {i(g(r, s, 'burst-backlog', 'failures'))})"
        grow = g(r, s, "held", "rss_peak_kb") - g(r, s, "held", "rss_start_kb")
        agrow = g(r, s, "held", "anon_peak_kb") - g(r, s, "held", "anon_start_kb")
        print(f"| {s} | {g(r, s, 'c100', 'commands_per_session'):.2f} | {i(rate)} | {rate / base_rate:.2f} "
              f"| {cpu:.1f} | {cpu / base_cpu:.2f} | {i(g(r, s, 'c100', 'failures'))} | {burst} "
              f"| {i(g(r, s, 'c1', 'first_p99_us'))} "
              f"| {i(g(r, s, 'held', 'failures'))}, +{mb(grow)} (+{mb(agrow)}) "
              f"| {mb(g(r, s, 'open5000', 'rss_peak_kb'))} ({mb(g(r, s, 'open5000', 'anon_peak_kb'))}), "
              f"{i(g(r, s, 'open5000', 'max_holding'))}, {i(g(r, s, 'open5000', 'failures'))} |")
if len(rounds) > 0:
    print("\n### Ratios round by round (median last)\n")
    print("| server | sessions/s vs minimal | CPU/session vs minimal | sessions/s vs floor | CPU/session vs floor |")
    print("|---|---|---|---|---|")
    def series(s, base, key, invert=False):
        out = []
        for r in rounds:
            a, b = g(r, s, "c100", key), g(r, base, "c100", key)
            out.append(a / b)
        ok = [x for x in out if x == x]
        med = statistics.median(ok) if ok else float("nan")
        return " / ".join(f"{x:.2f}" for x in out) + f" (median {med:.2f})"
    for s in servers:
        m6 = "floor" in servers
        print(f"| {s} | {series(s, 'minimal', 'rate')} | {series(s, 'minimal', 'cpu_us_per_session')} "
              f"| {series(s, 'floor', 'rate') if m6 else '-'} | {series(s, 'floor', 'cpu_us_per_session') if m6 else '-'} |")
PY
say "results in $work/results.txt, logs in $work/logs"
