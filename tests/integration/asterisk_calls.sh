# End-to-end calls: a real Asterisk 22 (Debian sid root, tests/asterisk/) runs the plain
# dialplan (examples/dialplan/plain-asterisk.conf) against the real `smartroute serve-agi` and
# its espeak audio cache. Each call is a Local channel from the CLI: Local/<caller>@smartroute-test
# sets the caller's number, its other leg plays the caller with SendDTMF ([caller] context).
# Each scenario asserts where the call went (TARGET REACHED <ext> in the Asterisk log) and the
# server's own account of it (its event=call log line):
#   1 a known client presses 2            -> employee 2 of the menu (from explain --json)
#   2 the caller says nothing             -> the default number
#   3 an unknown number                   -> the new-client greeting, then the default number
#   4 a dominant client                   -> connected directly to the dominant employee
#   5 the "press 2" phrase is not cached  -> option 2 dropped: pressing 2 selects nothing
#   6 the audio cache is gone             -> the emergency number
#   8 the caller hangs up during the menu -> session closed at once, result=hangup, no error
#   9 50 calls at once                    -> every one routed to its employee 2, in bounded time
#  10 Asterisk cannot play the phrases    -> STREAM FILE fails on a live channel: emergency
#   7 serve-agi stopped (run last)        -> the dialplan's own fallback
# Skips (125) when the Asterisk root cannot be built or run (not root, no network) or when
# espeak-ng is missing. SMARTROUTE_TEST_KEEP=DIR keeps the Asterisk and serve-agi logs there.
source "$(dirname "$0")/lib.sh"
command -v espeak-ng >/dev/null || { echo "SKIP: espeak-ng missing"; exit 125; }

# Both logs, kept when asked; on a failure, serve-agi's last lines too (tests/asterisk/lib.sh
# prints Asterisk's).
keep_logs() {
  [ -n "${SMARTROUTE_TEST_KEEP:-}" ] || return 0
  mkdir -p "$SMARTROUTE_TEST_KEEP"
  [ -z "${AST_LOG:-}" ] || [ ! -f "$AST_LOG" ] || cp "$AST_LOG" "$SMARTROUTE_TEST_KEEP/asterisk.log"
  [ ! -f "$WORK/server.log" ] || cp "$WORK/server.log" "$SMARTROUTE_TEST_KEEP/serve-agi.log"
}
fail() {
  echo "FAIL: $*" >&2
  if [ -s "$WORK/server.log" ]; then
    echo "--- serve-agi's last lines:" >&2
    tail -n 15 "$WORK/server.log" >&2
  fi
  keep_logs
  exit 1
}

server=""
stop_server() {
  if [ -n "$server" ]; then
    kill -KILL "$server" 2>/dev/null || true
    wait "$server" 2>/dev/null || true
    server=""
  fi
}
# Runs after tests/asterisk/lib.sh has stopped Asterisk (it chains this trap).
trap 'stop_server; rm -rf "$WORK"' EXIT
source "$SOURCE_DIR/tests/asterisk/lib.sh"

ms() { echo $(($(date +%s%N) / 1000000)); }
t0=$(ms)
ast_setup
setup_ms=$(($(ms) - t0))
if [ "$AST_SETUP_REUSED" = 1 ]; then setup_kind=warm; else setup_kind=cold; fi

# --- The store and the audio cache -----------------------------------------------------------
# Three distinct numbers, so that the log tells who routed a call: the server's default (300)
# and emergency (999) numbers, the dialplan's own fallback (100, SMARTROUTE_DEFAULT); the demo
# employees have 201…206. Direct mode is on: the demo data has both menu and dominant clients.
t1=$(ms)
expect_status 0 sr demo-data --out data --employees 6 --clients 80 --interactions 1500 --seed 11
port=$(free_port)
cat >smartroute.toml <<TOML
[routing]
default_number = "300"
emergency_number = "999"
direct = true
digit_timeout = "2s"
repeats = 1
[agi]
port = $port
TOML
prepare_store
cache=$WORK/state/cache
[ -d "$cache" ] || fail "warm made no audio cache"

# Menu clients (two options or more) and a dominant client, with what explain expects.
python3 - "$WORK/state/smartroute.db" >phones.txt <<'PY'
import sqlite3, sys
db = sqlite3.connect(sys.argv[1])
for (raw,) in db.execute("SELECT p.raw FROM client_phones p JOIN client_state s ON s.client = p.client WHERE s.top_employee IS NOT NULL ORDER BY p.raw"):
    print(raw)
PY
menu_phones=() direct_phone=""
while read -r candidate; do
  sr "${s[@]}" --json explain "$candidate" >x.json
  e164=$(json x.json 'd["number"]["value"] if d["number"]["kind"] == "e164" else ""')
  [ -n "$e164" ] || continue
  case "$(json x.json 'd["mode"]'):$(json x.json 'len(d["options"])')" in
    menu:[23]) if [ ${#menu_phones[@]} -lt 5 ]; then menu_phones+=("$e164"); cp x.json "menu$((${#menu_phones[@]} - 1)).json"; fi ;;
    direct:0) if [ -z "$direct_phone" ]; then direct_phone=$e164; cp x.json direct.json; fi ;;
  esac
  [ ${#menu_phones[@]} -ge 5 ] && [ -n "$direct_phone" ] && break
done <phones.txt
[ ${#menu_phones[@]} -ge 5 ] || fail "fewer than five demo clients with a menu of two"
[ -n "$direct_phone" ] || fail "no demo client in direct mode"
phone=${menu_phones[0]}
ext2s=()
for i in 0 1 2 3 4; do ext2s+=("$(json "menu$i.json" 'd["options"][1]["employee"]["extension"]')"); done
ext2=${ext2s[0]}
emp2=$(json menu0.json 'd["options"][1]["employee"]["id"]')
client=$(json menu0.json 'd["client"]["id"]')
press2_file=$(json menu0.json '[f["file"] for f in d["fragments"] if f["template"] == "press" and f["digit"] == 2][0]')
direct_ext=$(json direct.json 'd["direct"]["extension"]')
direct_emp=$(json direct.json 'd["direct"]["id"]')
connecting_file=$(json direct.json '[f["file"] for f in d["fragments"] if f["template"] == "connecting"][0]')
unknown=+79990000000
expect_status 0 sr "${s[@]}" --json explain "$unknown"
cp "$WORK/out" unknown.json
check_eq "$(json unknown.json 'd["mode"]')" new-client "an unknown number is a new client"
greeting_new_file=$(json unknown.json '[f["file"] for f in d["fragments"] if f["template"] == "greeting_new"][0]')
for e in "$ext2" "$direct_ext"; do
  case "$e" in 100 | 300 | 999 | "") fail "an employee's extension ($e) clashes with a routing number" ;; esac
done
prep_ms=$(($(ms) - t1))

# --- serve-agi --------------------------------------------------------------------------------
srv_log=$WORK/server.log
srv_mark=0
start_server() {
  : >"$srv_log"
  srv_mark=0
  setpriv --pdeathsig KILL "$SMARTROUTE" "${s[@]}" serve-agi --drain 5 2>"$srv_log" &
  server=$!
  for _ in $(seq 100); do
    grep -q event=listening "$srv_log" && return 0
    kill -0 "$server" 2>/dev/null || break
    sleep 0.05
  done
  cat "$srv_log" >&2
  fail "serve-agi did not start"
}
# srv_mark: later srv_wait calls only look at server log lines written from now on.
srv_mark() { srv_mark=$(wc -l <"$srv_log"); }
srv_since_mark() { tail -n +"$((srv_mark + 1))" "$srv_log"; }
# srv_wait REGEX COUNT TIMEOUT: waits until COUNT lines since the mark match; prints them.
srv_wait() {
  local re=$1 count=$2 limit=$3 deadline
  deadline=$(($(date +%s%N) + limit * 1000000000))
  while :; do
    if [ "$(srv_since_mark | grep -cE -- "$re")" -ge "$count" ]; then
      srv_since_mark | grep -E -- "$re"
      return 0
    fi
    [ "$(date +%s%N)" -lt "$deadline" ] || break
    sleep 0.1
  done
  echo "--- fewer than $count serve-agi lines matching /$re/ after ${limit}s; its log since the mark:" >&2
  srv_since_mark | tail -n 30 >&2
  return 1
}
# field LINE KEY: the value of KEY=… in a key=value log line.
field() { grep -oE "(^| )$2=[^ ]*" <<<"$1" | head -n1 | sed -E "s/^ ?$2=//"; }

start_server

# --- Asterisk ---------------------------------------------------------------------------------
# The dialplan as shipped, pointed at this server's port; the cache visible in the chroot at
# the same absolute path, since STREAM FILE gets absolute file names.
t2=$(ms)
ast_start "$SOURCE_DIR/examples/dialplan/plain-asterisk.conf" --bind "$cache" \
  --subst "agi://127.0.0.1:4574/=agi://127.0.0.1:$port/"
ast_cli "agi set debug on" >/dev/null # the AGI transcript in the log, for post-mortems
# done_scenario N TEXT: reports what scenario N saw and how long it took (since $ts).
done_scenario() { echo "scenario $1: $2 ($(($(ms) - ts)) ms)"; }
# outcome LINE: the essentials of a serve-agi event=call line.
outcome() { echo "serve-agi mode=$(field "$1" mode) choice=$(field "$1" choice) result=$(field "$1" result) target=$(field "$1" target) ms=$(field "$1" ms)"; }

# call CALLER SCENARIO: one call from the number CALLER whose caller side runs
# SCENARIO@caller; marks both logs first.
call() {
  ast_log_mark
  srv_mark
  ast_originate "Local/$1@smartroute-test" caller "$2"
}
# reached EXT TIMEOUT WHAT: the call reached EXT, and no other target.
reached() {
  ast_wait_for_log "TARGET REACHED $1( |$)" "$2" >/dev/null || fail "$3: the call did not reach $1"
  ast_wait_idle 10 || fail "$3: the call did not end"
  local others
  others=$(ast_log_since_mark | grep -oE 'TARGET REACHED [^ ]+' | sort -u)
  check_eq "$others" "TARGET REACHED $1" "$3: targets reached"
}
# served REGEX WHAT: the one event=call line of this call; prints it.
served() {
  local line
  line=$(srv_wait '^event=call ' 1 5) || fail "$2: serve-agi logged no call"
  check_eq "$(wc -l <<<"$line")" 1 "$2: calls logged"
  grep -qE -- "$1" <<<"$line" || fail "$2: serve-agi logged '$line', expected /$1/"
  echo "$line"
}
# logged TEXT: the Asterisk log holds TEXT since the mark. (Not grep -q: with pipefail, its
# early exit would fail the pipeline on SIGPIPE.)
logged() { ast_log_since_mark | grep -F -- "$1" >/dev/null; }
# played FILE: since the mark, the Asterisk log shows FILE (the base name STREAM FILE got, in
# whichever format Asterisk picked) being played.
played() { logged "Playing '$1."; }
# no_trouble WHAT: neither Asterisk nor serve-agi complained during the call.
no_trouble() {
  if ast_log_since_mark | grep -E "WARNING|ERROR" >&2; then fail "$1: Asterisk complained (above)"; fi
  if srv_since_mark | grep -vE '^event=call ' >&2; then fail "$1: unexpected serve-agi lines (above)"; fi
}

# 1. A known client presses 2 during the menu: employee 2's extension.
ts=$(ms)
call "$phone" press2
reached "$ext2" 20 "1 (press 2)"
line=$(served "caller=\\$phone client=$client mode=menu .*choice=2 result=selected target=$ext2 employee=$emp2 " "1 (press 2)")
logged "SMARTROUTE RESULT agistatus=SUCCESS target=$ext2 result=selected employee=$emp2 client=$client" ||
  fail "1: the dialplan did not see the four variables (one EXEC MSet)"
logged 'AGI Rx << EXEC "MSet" "SMARTROUTE_TARGET=' || fail "1: the outcome was not set with MSet"
logged "AGI Tx >> 200 result=50 endpos=" || fail "1: the digit 2 did not interrupt the menu"
no_trouble "1 (press 2)"
done_scenario 1 "known client presses 2 -> TARGET REACHED $ext2 (employee 2, $emp2); $(outcome "$line")"

# 2. The caller says nothing: the menu plays once, then the default number.
ts=$(ms)
call "$phone" silent
reached 300 40 "2 (silence)"
line=$(served "caller=\\$phone .*mode=menu .*choice=- result=default target=300 " "2 (silence)")
played "$press2_file" || fail "2: the menu was not played"
check_eq "$(ast_log_since_mark | grep -c 'AGI Rx << WAIT FOR DIGIT "2000"')" 1 "2: digit waits (repeats = 1)"
logged "target=300 result=default employee= client=$client" || fail "2: variables, with an empty employee"
no_trouble "2 (silence)"
done_scenario 2 "silence -> TARGET REACHED 300 (default); $(outcome "$line")"

# 3. An unknown number: the new-client greeting, then the default number.
ts=$(ms)
call "$unknown" silent
reached 300 40 "3 (unknown caller)"
line=$(served "caller=\\$unknown client=- mode=new-client .*result=default target=300 " "3 (unknown caller)")
played "$greeting_new_file" || fail "3: the new-client greeting was not played"
no_trouble "3 (unknown caller)"
done_scenario 3 "unknown caller -> greeting_new played -> TARGET REACHED 300 (default); $(outcome "$line")"

# 4. A dominant client: "connecting you with …", then that employee directly.
ts=$(ms)
call "$direct_phone" silent
reached "$direct_ext" 30 "4 (direct)"
line=$(served "caller=\\$direct_phone .*mode=direct .*result=direct target=$direct_ext employee=$direct_emp " "4 (direct)")
played "$connecting_file" || fail "4: the connecting phrase was not played"
no_trouble "4 (direct)"
done_scenario 4 "dominant client -> connecting played -> TARGET REACHED $direct_ext ($direct_emp); $(outcome "$line")"

# 5. The "press 2" phrase is not cached: option 2 is not offered, 2 is no escape digit, and the
#    caller who presses it anyway ends at the default number.
ts=$(ms)
mkdir -p "$WORK/away"
for ext in wav sln16 alaw ulaw; do mv "$press2_file.$ext" "$WORK/away/"; done
call "$phone" press2
reached 300 40 "5 (fragment missing)"
line=$(served "caller=\\$phone .*mode=menu .*result=default target=300 " "5 (fragment missing)")
case ",$(field "$line" offered)," in *",$emp2,"*) fail "5: option 2 still offered: $line" ;; esac
! played "$press2_file" || fail "5: the missing phrase was played"
logged "DTMF end '2' received on Local/$phone@smartroute-test-" || fail "5: the caller's 2 did not reach the menu"
if ast_log_since_mark | grep -E 'STREAM FILE "[^"]*" "[^"]*2[^"]*"'; then fail "5: 2 is still an escape digit"; fi
no_trouble "5 (fragment missing)"
for ext in wav sln16 alaw ulaw; do mv "$WORK/away/$(basename "$press2_file").$ext" "$(dirname "$press2_file")/"; done
done_scenario 5 "press-2 phrase missing, caller presses 2 -> TARGET REACHED 300; offered=$(field "$line" offered); $(outcome "$line")"

# 6. The audio cache is gone: the emergency number, at once.
ts=$(ms)
mv "$cache" "$WORK/cache.away"
call "$phone" press1
reached 999 15 "6 (cache empty)"
line=$(served "caller=\\$phone .*result=emergency target=999 " "6 (cache empty)")
no_trouble "6 (cache empty)"
mv "$WORK/cache.away" "$cache"
done_scenario 6 "cache empty -> TARGET REACHED 999 (emergency); $(outcome "$line")"

# 8. The caller hangs up 1.5 s into the menu: the server ends the session at once, logs
#    result=hangup (not a failure), nothing is dialled.
ts=$(ms)
call "$phone" hangupearly
line=$(served "caller=\\$phone .*result=hangup " "8 (hangup)")
ast_wait_idle 5 || fail "8: channels left after the hangup"
# The session (ms=, from accept to close) began when AGI() started: it must end soon after the
# caller's Hangup(), by the Asterisk log's clock.
at() { ast_log_since_mark | grep -F -m1 -- "$1" | grep -oE '^\[[^]]+\]' | tr -d '[]'; }
t_agi=$(date -d "$(at '@smartroute-in:4] AGI(')" +%s%3N)
t_hup=$(date -d "$(at '@caller:2] Hangup(')" +%s%3N)
late=$(($(field "$line" ms) - (t_hup - t_agi)))
[ "$late" -ge 0 ] || late=0 # two clocks a millisecond apart
[ "$late" -lt 1000 ] || fail "8: the session ended ${late} ms after the caller hung up"
if ast_log_since_mark | grep -E 'TARGET REACHED'; then fail "8: a hung-up call was dialled"; fi
no_trouble "8 (hangup)"
done_scenario 8 "hangup $((t_hup - t_agi)) ms into the menu -> nothing dialled, session closed ${late} ms after the hangup; $(outcome "$line")"

# 9. 50 calls at once, ten from each of five menu clients, all pressing 2: each reaches its own
#    employee 2, within a bound far below 50 calls one after another.
ts=$(ms)
ast_log_mark
srv_mark
pids=()
for i in $(seq 0 49); do
  ast_originate "Local/${menu_phones[$((i % 5))]}@smartroute-test" caller press2 >"orig$i.out" 2>&1 &
  pids+=($!)
done
for p in "${pids[@]}"; do wait "$p" || fail "9: an originate failed: $(cat orig*.out)"; done
peak=$(ast_cli "core show channels count" | grep -oE '^[0-9]+ active channels' | grep -oE '^[0-9]+')
deadline=$(($(date +%s) + 40))
while [ "$(ast_log_since_mark | grep -c 'app_verbose.c: TARGET REACHED')" -lt 50 ] && [ "$(date +%s)" -lt "$deadline" ]; do
  sleep 0.2
done
ast_wait_idle 15 || fail "9: calls still up"
srv_wait '^event=call ' 50 5 >calls9.txt || fail "9: serve-agi logged fewer than 50 calls"
for i in 0 1 2 3 4; do
  p=${menu_phones[$i]} e=${ext2s[$i]}
  check_eq "$(ast_log_since_mark | grep -cE "TARGET REACHED $e caller=\\$p$")" 10 "9: calls from $p reaching $e"
  check_eq "$(grep -cE "caller=\\$p .*choice=2 result=selected target=$e " calls9.txt)" 10 "9: calls from $p selected $e"
done
check_eq "$(ast_log_since_mark | grep -c 'app_verbose.c: TARGET REACHED')" 50 "9: targets reached"
check_eq "$(wc -l <calls9.txt)" 50 "9: calls logged"
no_trouble "9 (50 calls)"
[ "$(($(ms) - ts))" -lt 30000 ] || fail "9: 50 calls took $(($(ms) - ts)) ms"
slowest=$(grep -oE ' ms=[0-9]+' calls9.txt | cut -d= -f2 | sort -n | tail -n1)
done_scenario 9 "50 calls at once ($peak channels up after the originates) -> 50/50 TARGET REACHED their employee 2; all result=selected, slowest session ${slowest} ms"

# 10. Asterisk cannot play what serve-agi plans (the cache unmounted from its chroot, a
#     deployment mistake): STREAM FILE fails on a live channel, which is no hangup: the
#     emergency number.
ts=$(ms)
nsenter -t "$AST_PID" -m umount "$AST_ROOT$cache" || fail "10: cannot unmount the cache"
call "$phone" silent
reached 999 15 "10 (unplayable)"
line=$(served "caller=\\$phone .*result=emergency target=999 .*reason=\"STREAM FILE failed" "10 (unplayable)")
logged "SMARTROUTE RESULT agistatus=FAILURE target=999" || fail "10: dialplan result"
nsenter -t "$AST_PID" -m mount --bind "$cache" "$AST_ROOT$cache" || fail "10: cannot mount the cache again"
done_scenario 10 "cache invisible to Asterisk -> STREAM FILE result=-1 on a live channel -> TARGET REACHED 999 (emergency); $(outcome "$line")"

# 7. serve-agi stopped: AGI() fails at once and the dialplan dials its own fallback (100).
ts=$(ms)
kill -TERM "$server"
for _ in $(seq 100); do kill -0 "$server" 2>/dev/null || break; sleep 0.05; done
kill -0 "$server" 2>/dev/null && fail "serve-agi did not stop on SIGTERM"
wait "$server" || fail "serve-agi exited non-zero"
server=""
grep -q '^event=stopped' "$srv_log" || fail "serve-agi did not log its stop"
call "$phone" press2
reached 100 15 "7 (server stopped)"
logged "SMARTROUTE RESULT agistatus=FAILURE target=" || fail "7: dialplan result"
logged "SMARTROUTE FALLBACK 100" || fail "7: fallback"
done_scenario 7 "serve-agi stopped -> AGISTATUS=FAILURE, empty SMARTROUTE_TARGET -> TARGET REACHED 100 (dialplan fallback)"

# The call log holds every call the server handled: 1 to 6, 8, the 50 and 10.
check_eq "$(sqlite3 "$WORK/state/calls.db" "SELECT count(*) FROM call_log")" 58 "call_log rows"
check_eq "$(sqlite3 "$WORK/state/calls.db" "SELECT result, count(*) FROM call_log GROUP BY result ORDER BY result" | tr '\n' ' ')" \
  "default|3 direct|1 emergency|2 hangup|1 selected|51 " "call_log results"
calls_ms=$(($(ms) - t2))
keep_logs
ast_stop
echo "timings: setup ${setup_ms} ms ($setup_kind), store+warm ${prep_ms} ms," \
  "asterisk start ${AST_START_MS} ms, calls ${calls_ms} ms, total $(($(ms) - t0)) ms"
