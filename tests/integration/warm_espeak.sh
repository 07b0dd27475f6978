# The audio cache with real engines: espeak-ng (the default) and the command engine wrapped
# in a counting script. One request per unique phrase, zero on a warm cache, atomic files,
# resumption after kill -9 without paying twice, verify, gc, say, preview, explain.
source "$(dirname "$0")/lib.sh"
command -v espeak-ng >/dev/null || { echo "espeak-ng missing"; exit 125; }
at=2026-11-20T12:00
expect_status 0 sr demo-data --out data --employees 8 --clients 60 --interactions 600 --seed 5 --end 2026-11-20
printf '[routing]\ndefault_number = "200"\nemergency_number = "201"\nmenu_size = 3\n' >smartroute.toml
s=(--config smartroute.toml --state-dir "$WORK/state")
expect_status 0 sr "${s[@]}" -q import --employees data/employees.csv --clients data/clients.csv \
  --interactions data/interactions.csv
expect_status 0 sr "${s[@]}" -q score --at "$at"
db="$WORK/state/smartroute.db"
eligible=$(sqlite3 "$db" "SELECT count(*) FROM employees WHERE active AND NOT excluded AND extension <> ''")

# The catalogue grows with employees: 7 common phrases (menu_start is empty) and, per
# eligible employee, last_spoke + 3 press + connecting.
expect_status 0 sr "${s[@]}" --json warm --dry-run
check_eq "$(json "$WORK/out" 'd["phrases"]')" $((6 + eligible * 5)) "catalogue size"
check_eq "$(json "$WORK/out" 'd["missing"]')" "$(json "$WORK/out" 'd["phrases"]')" "all missing"
[ ! -d "$WORK/state/cache" ] || [ -z "$(ls -A "$WORK/state/cache")" ] || fail "dry run wrote files"
phrases=$(json "$WORK/out" 'd["phrases"]')

expect_status 0 sr "${s[@]}" --json warm
check_eq "$(json "$WORK/out" 'd["synthesized"]')" "$phrases" "synthesised every phrase"
check_eq "$(json "$WORK/out" 'd["requests"]')" "$phrases" "one request per phrase"
expect_status 0 sr "${s[@]}" --json warm
check_eq "$(json "$WORK/out" 'd["requests"]')" 0 "a warm cache makes no request"
expect_status 0 sr "${s[@]}" cache verify
contains "$WORK/out" "0 bad"
check_eq "$(sqlite3 "$db" 'SELECT count(*) FROM audio_cache')" "$phrases" "manifest rows"

# Every .wav is what Asterisk's format_wav accepts: PCM 16-bit mono 8000 Hz.
python3 - "$WORK/state/cache" <<'PY'
import pathlib, sys, wave
files = list(pathlib.Path(sys.argv[1]).glob('*/*.wav'))
assert files, 'no wav files'
for f in files:
    w = wave.open(str(f))
    assert (w.getnchannels(), w.getsampwidth(), w.getframerate()) == (1, 2, 8000), f
    assert w.getnframes() > 8000 * 0.3, f
PY

# A caller's menu: explain marks fragments cached, preview renders them.
client=$(sqlite3 "$db" "SELECT p.raw FROM client_phones p JOIN client_state s ON s.client = p.client WHERE s.top_employee IS NOT NULL LIMIT 1")
expect_status 0 sr "${s[@]}" --json explain "$client" --at "$at"
check_eq "$(json "$WORK/out" 'all(f["cached"] for f in d["fragments"])')" True "every fragment cached"
expect_status 0 sr "${s[@]}" preview "$client" --at "$at" -o menu.wav
python3 -c "import wave; w=wave.open('menu.wav'); assert w.getframerate()==8000 and w.getnframes() > 8000*2"

# A lost file is found missing and only it is synthesised again.
victim=$(find "$WORK/state/cache" -name '*.alaw' -print -quit)
rm "$victim"
expect_status 0 sr "${s[@]}" --json cache status
check_eq "$(json "$WORK/out" 'd["missing"]')" 1 "one phrase missing"
expect_status 0 sr "${s[@]}" --json warm
check_eq "$(json "$WORK/out" 'd["requests"]')" 1 "only the lost phrase"

# say: one phrase into a WAV.
expect_status 0 sr "${s[@]}" say "Проверка связи" -o say.wav
python3 -c "import wave; w=wave.open('say.wav'); assert w.getnframes() > 0"

# The command engine through a counting wrapper: kill -9 in the middle, run again, and no
# phrase is ever requested twice; nothing half-written is visible.
# The wrapper counts a request as paid when it delivers audio, as a service bills.
cat >count-tts.sh <<'SH'
#!/bin/sh
sleep 0.05
espeak-ng -v ru --stdout "$1" >"$0.$$.wav" || exit 1
echo "$1" >>"$(dirname "$0")/requests.log"
cat "$0.$$.wav"
rm -f "$0.$$.wav"
SH
chmod +x count-tts.sh
cat >>smartroute.toml <<TOML
[tts]
engine = "command"
command = ["$WORK/count-tts.sh", "{text}"]
concurrency = 2
rate_limit = 1000
TOML
"$SMARTROUTE" "${s[@]}" -q warm >/dev/null 2>&1 &
pid=$!
sleep 1.5
kill -9 "$pid" 2>/dev/null || true
wait "$pid" 2>/dev/null || true
before=$(wc -l <requests.log)
[ "$before" -gt 0 ] || fail "the killed run made no request"
# Requests in flight at the kill (at most one per worker) may be paid again: their answers
# never arrived. An answer that arrived is journalled at once and never requested again: put
# one in a journal by hand for a phrase still missing, and warm must finish it without a
# request.
expect_status 0 sr "${s[@]}" --json warm --dry-run
key=$(json "$WORK/out" 'd["missing_phrases"][0]["key"]')
text=$(json "$WORK/out" 'd["missing_phrases"][0]["text"]')
espeak-ng -v ru --stdout "$text" >answer.wav
mkdir -p "$WORK/state/cache/.journal"
{ printf 'SRJ1 %s container 0 %s\n' "$key" "$(stat -c %s answer.wav)"; cat answer.wav; } \
  >"$WORK/state/cache/.journal/by-hand.spool"
missing=$(json "$WORK/out" 'd["missing"]')
# Ours, plus whatever the killed run journalled but had not stored yet.
journalled=$(python3 - "$WORK/state/cache/.journal" "$WORK/out" <<'PY'
import glob, json, sys
missing = {p["key"] for p in json.load(open(sys.argv[2]))["missing_phrases"]}
keys = set()
for f in glob.glob(sys.argv[1] + "/*.spool"):
    data, pos = open(f, "rb").read(), 0
    while True:
        eol = data.find(b"\n", pos)
        if eol < 0: break
        parts = data[pos:eol].split()
        if len(parts) != 5 or eol + 1 + int(parts[4]) > len(data): break
        keys.add(parts[1].decode()); pos = eol + 1 + int(parts[4])
print(len(keys & missing))
PY
)
expect_status 0 sr "${s[@]}" --json warm
check_eq "$(json "$WORK/out" 'd["requests"]')" $((missing - journalled)) "journalled answers are not requested again"
[ -z "$(ls -A "$WORK/state/cache/.journal")" ] || fail "journals were not removed after use"
after=$(wc -l <requests.log)
dups=$((after - $(sort requests.log | uniq | wc -l)))
[ "$dups" -le 2 ] || fail "$dups phrases requested twice (only the 2 in flight at the kill may be)"
check_eq "$(json "$WORK/out" 'd["missing"] + d["present"]')" "$phrases" "catalogue"
expect_status 0 sr "${s[@]}" --json warm
check_eq "$(json "$WORK/out" 'd["requests"]')" 0 "complete after resuming"
# Temporary files of the killed run are not phrases; gc removes them and whatever the old
# espeak voice left.
expect_status 0 sr "${s[@]}" --json cache gc --dry-run
[ "$(json "$WORK/out" 'd["files"]')" -ge $((phrases * 4)) ] || fail "gc should find the espeak files"
expect_status 0 sr "${s[@]}" cache gc
expect_status 0 sr "${s[@]}" cache verify

# A failing command: the phrase fails with the program's message, the run exits 1.
printf '#!/bin/sh\necho "voice not installed" >&2\nexit 3\n' >broken.sh
chmod +x broken.sh
sed -i "s|command = .*|command = [\"$WORK/broken.sh\"]|; s|salt = .*||" smartroute.toml
printf 'salt = "again"\n' >>smartroute.toml
expect_status 1 sr "${s[@]}" warm
contains "$WORK/err" "voice not installed"
contains "$WORK/err" "exit status 3"
