# preview renders what serve-agi plays: the phrases of explain, the files serve-agi streams to
# a silent caller (tests/agi/fake_asterisk.py) in the same order, a WAV as long as those files;
# missing phrases named; --play through paplay or aplay (stand-ins that record what they got);
# --call refused without an [ami] login.
source "$(dirname "$0")/lib.sh"
command -v espeak-ng >/dev/null || { echo "SKIP: espeak-ng missing"; exit 125; }

expect_status 0 sr demo-data --out data --employees 6 --clients 80 --interactions 1500 --seed 11
port=$(free_port)
cat >smartroute.toml <<TOML
[routing]
default_number = "300"
emergency_number = "999"
digit_timeout = "1s"
repeats = 1
[agi]
port = $port
TOML
prepare_store

# A menu caller (two options or more) and a direct one, as explain sees them.
python3 - "$WORK/state/smartroute.db" >phones.txt <<'PY'
import sqlite3, sys
db = sqlite3.connect(sys.argv[1])
for (raw,) in db.execute("SELECT p.raw FROM client_phones p JOIN client_state s ON s.client = p.client WHERE s.top_employee IS NOT NULL ORDER BY p.raw"):
    print(raw)
PY
menu="" direct=""
while read -r candidate; do
  sr "${s[@]}" --json explain "$candidate" >x.json
  [ "$(json x.json 'd["number"]["kind"]')" = e164 ] || continue
  case "$(json x.json 'd["mode"]'):$(json x.json 'len(d["options"])')" in
    menu:[23]) [ -n "$menu" ] || { menu=$(json x.json 'd["number"]["value"]'); cp x.json menu.json; } ;;
    direct:0) [ -n "$direct" ] || { direct=$(json x.json 'd["number"]["value"]'); cp x.json direct.json; } ;;
  esac
  [ -n "$menu" ] && [ -n "$direct" ] && break
done <phones.txt
[ -n "$menu" ] && [ -n "$direct" ] || fail "no menu or no direct caller in the demo data"

# 1. The phrases are explain's, all played, in its order; the WAV is as long as their files.
for who in menu direct; do
  expect_status 0 sr "${s[@]}" --json preview "${!who}" -o "$who.wav"
  cp "$WORK/out" "preview-$who.json"
  check_eq "$(json "preview-$who.json" 'd["fragments"]')" "$(json "$who.json" '[f["text"] for f in d["fragments"]]')" "$who: phrases = explain's"
  check_eq "$(json "preview-$who.json" '[p["file"] for p in d["played"]]')" "$(json "$who.json" '[f["file"] for f in d["fragments"]]')" "$who: files = explain's"
  check_eq "$(json "preview-$who.json" 'd["missing"]')" "[]" "$who: nothing missing"
  python3 - "$who.wav" "preview-$who.json" <<'PY' || fail "$who: the WAV is not its files back to back"
import json, sys, wave
def frames(path):
    with wave.open(path) as w:
        assert (w.getframerate(), w.getnchannels(), w.getsampwidth()) == (8000, 1, 2), path
        return w.getnframes()
doc = json.load(open(sys.argv[2]))
want = sum(frames(p["file"] + ".wav") for p in doc["played"])
got = frames(sys.argv[1])
assert got == want, f"{got} frames, the files have {want}"
assert abs(doc["seconds"] - got / 8000) < 0.001
PY
done

# 2. serve-agi streams the same files in the same order to a silent caller (first round).
start_serve_agi "${s[@]}" serve-agi
streamed() { # FILE.json: the files STREAM FILE got before the first WAIT FOR DIGIT
  json "$1" '[c.split("\"")[1] for c in d["commands"][:next((i for i, c in enumerate(d["commands"]) if c.startswith("WAIT FOR DIGIT")), len(d["commands"]))] if c.startswith("STREAM FILE")]'
}
for who in menu direct; do
  timeout 60 python3 "$SOURCE_DIR/tests/agi/fake_asterisk.py" "$port" "${!who}" silent >"agi-$who.json"
  check_eq "$(streamed "agi-$who.json")" "$(json "preview-$who.json" '[p["file"] for p in d["played"]]')" "$who: serve-agi plays what preview renders"
done

# 3. A missing "press 2": named, exit 1, left out of the WAV, and serve-agi leaves it out too.
press2=$(json menu.json '[f["file"] for f in d["fragments"] if f["template"] == "press" and f["digit"] == 2][0]')
press2_text=$(json menu.json '[f["text"] for f in d["fragments"] if f["template"] == "press" and f["digit"] == 2][0]')
mkdir away
mv "$press2".* away/
expect_status 1 sr "${s[@]}" --json preview "$menu" -o menu2.wav
cp "$WORK/out" preview-missing.json
contains "$WORK/err" "not in the cache: «$press2_text»"
check_eq "$(json preview-missing.json 'd["missing"]')" "['$press2_text']" "missing list"
check_eq "$(json preview-missing.json '"2" in d["offered"]')" False "2 is not offered"
check_eq "$(json preview-missing.json 'len(d["played"]) == len(d["fragments"]) - 1')" True "one phrase fewer"
timeout 60 python3 "$SOURCE_DIR/tests/agi/fake_asterisk.py" "$port" "$menu" silent >agi-missing.json
check_eq "$(streamed agi-missing.json)" "$(json preview-missing.json '[p["file"] for p in d["played"]]')" "missing: serve-agi plays what preview renders"
mv away/* "$(dirname "$press2")/"

# 4. Direct mode without its "connecting" phrase: serve-agi plays nothing (emergency), and so
#    does the preview.
connecting=$(json direct.json '[f["file"] for f in d["fragments"] if f["template"] == "connecting"][0]')
mv "$connecting".* away/
expect_status 1 sr "${s[@]}" --json preview "$direct" -o direct2.wav
check_eq "$(json "$WORK/out" 'd["played"]')" "[]" "emergency: nothing played"
check_eq "$(json "$WORK/out" 'd["emergency"]')" "direct-mode phrase not cached" "emergency reason"
contains "$WORK/err" "the caller hears nothing"
contains "$WORK/err" "emergency number 999"
timeout 60 python3 "$SOURCE_DIR/tests/agi/fake_asterisk.py" "$port" "$direct" silent >agi-direct2.json
check_eq "$(json agi-direct2.json 'd["variables"]["SMARTROUTE_RESULT"]')" emergency "serve-agi: emergency"
check_eq "$(streamed agi-direct2.json)" "[]" "serve-agi: nothing streamed"
mv away/* "$(dirname "$connecting")/"
kill -9 "$server"
wait "$server" 2>/dev/null || true

# 5. --play: stand-ins for paplay and aplay record their arguments and the file they got.
mkdir bin empty xdg tmp
for p in paplay aplay; do
  cat >"bin/$p" <<SH
#!/bin/sh
echo "$p \$*" >>"$WORK/played.log"
for a in "\$@"; do [ -f "\$a" ] && /usr/bin/stat -c %s "\$a" >>"$WORK/played.log"; done
exit 0
SH
  chmod +x "bin/$p"
done
play() { env -u PULSE_SERVER PATH="$1" TMPDIR="$WORK/tmp" XDG_RUNTIME_DIR="$WORK/xdg" "$SMARTROUTE" "${s[@]}" preview "$menu" --play "${@:2}"; }
size=$(stat -c %s menu.wav)
# No PulseAudio/PipeWire socket: aplay, on a temporary file that is gone afterwards.
: >played.log
expect_status 0 play "$WORK/bin"
check_eq "$(head -n1 played.log | cut -d' ' -f1-2)" "aplay --quiet" "without a sound server: aplay"
check_eq "$(sed -n 2p played.log)" "$size" "aplay got the rendered WAV"
tmp=$(head -n1 played.log | awk '{ print $NF }')
[ ! -e "$tmp" ] || fail "the temporary WAV $tmp was left behind"
# A socket that answers: paplay.
mkdir -p xdg/pulse
python3 -c 'import socket, sys, time
s = socket.socket(socket.AF_UNIX); s.bind(sys.argv[1]); s.listen(4); time.sleep(300)' xdg/pulse/native &
sock=$!
trap 'kill -9 $sock 2>/dev/null || true; rm -rf "$WORK"' EXIT
for _ in $(seq 50); do [ -S xdg/pulse/native ] && break; sleep 0.1; done
: >played.log
expect_status 0 play "$WORK/bin" -o kept.wav
check_eq "$(head -n1 played.log)" "paplay kept.wav" "with a sound server: paplay, on the -o file"
[ -f kept.wav ] || fail "-o with --play must keep the file"
# Only aplay installed, though a server answers: aplay.
rm bin/paplay
: >played.log
expect_status 0 play "$WORK/bin"
check_eq "$(head -n1 played.log | cut -d' ' -f1)" aplay "paplay missing: aplay"
kill -9 "$sock" 2>/dev/null || true
wait "$sock" 2>/dev/null || true
# Neither: a clear error.
expect_status 1 play "$WORK/empty"
contains "$WORK/err" "no audio player: neither paplay"
contains "$WORK/err" "alsa-utils"
[ -z "$(ls tmp)" ] || fail "a temporary WAV was left behind: $(ls tmp)"

# 6. --call: needs an [ami] login; an extension is checked; no manager listening is named.
expect_status 2 sr "${s[@]}" preview "$menu"
contains "$WORK/err" "give -o FILE, --play or --call EXT"
expect_status 1 sr "${s[@]}" preview "$menu" --call 201
contains "$WORK/err" "preview --call needs [ami] user and secret_env or secret_file"
expect_status 2 sr "${s[@]}" preview "$menu" --call '201&Hangup'
contains "$WORK/err" "is not an extension"
printf '[ami]\nuser = "smartroute"\n' >ami-half.toml
expect_status 1 sr config check ami-half.toml
contains "$WORK/err" "ami: 'user' is set but no secret"
closed=$(free_port)
cat smartroute.toml >ami.toml
printf '[ami]\nport = %s\nuser = "smartroute"\nsecret_env = "TEST_AMI_SECRET"\ntimeout = "2s"\n' "$closed" >>ami.toml
TEST_AMI_SECRET=hunter2 expect_status 1 sr --config ami.toml --state-dir "$WORK/state" preview "$menu" --call 201
contains "$WORK/err" "cannot connect to 127.0.0.1:$closed"
if grep -q hunter2 "$WORK/err"; then fail "the AMI secret was printed"; fi
expect_status 1 sr --config ami.toml --state-dir "$WORK/state" preview "$menu" --call 201
contains "$WORK/err" "environment variable TEST_AMI_SECRET is not set"
echo "ok: preview renders what serve-agi plays ($(json preview-menu.json 'len(d["played"])') phrases, $(json preview-menu.json 'd["seconds"]') s)"
