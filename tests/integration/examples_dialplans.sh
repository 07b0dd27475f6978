# Every example dialplan in examples/dialplan/ follows the rules of smartroute(1), DIALPLAN:
# it routes on SMARTROUTE_TARGET, never decides on AGISTATUS, asks serve-agi on port 4574,
# and has its own fallback for an empty target. The checks read the dialplan as Asterisk does,
# without its comments (";" to the end of the line, ";--" to "--;" across lines), so that a
# comment that names AGISTATUS or another port is no violation. A MikoPBX application body
# (*.txt) must also survive MikoPBX, which turns every line that is not empty into a dialplan
# line: it starts with priority 1, and no comment stands alone on a line.
source "$(dirname "$0")/lib.sh"

# code FILE: the dialplan of FILE without comments, as "LINE:text" for each line with code.
code() {
  python3 - "$1" <<'PY'
import sys
depth = 0
for number, line in enumerate(open(sys.argv[1], encoding="utf-8"), 1):
    out, i = "", 0
    while i < len(line):
        if line.startswith("\\;", i):
            out += ";" if depth == 0 else ""
            i += 2
        elif line.startswith(";--", i) and not line.startswith(";---", i):
            depth += 1
            i += 3
        elif depth > 0 and line.startswith("--;", i):
            depth -= 1
            i += 3
        elif line[i] == ";" and depth == 0:
            break
        else:
            out += line[i] if depth == 0 else ""
            i += 1
    if out.strip():
        print(f"{number}:{out.strip()}")
if depth:
    print(f"unterminated block comment (;-- without --;)", file=sys.stderr)
    sys.exit(1)
PY
}

problems=0
problem() {
  echo "$1: $2" >&2
  problems=$((problems + 1))
}

count=0
for f in "$SOURCE_DIR"/examples/dialplan/*; do
  [ -f "$f" ] || continue
  count=$((count + 1))
  name=examples/dialplan/${f##*/}
  code "$f" >"$WORK/code" || { problem "$name" "cannot be read as a dialplan"; continue; }

  grep -q 'SMARTROUTE_TARGET' "$WORK/code" || problem "$name" "does not use SMARTROUTE_TARGET"

  # No decision on AGISTATUS: no condition (GotoIf, ExecIf, GosubIf, IF(), $[...]) that reads
  # it. Logging it, as in Verbose(...${AGISTATUS}), is fine.
  if grep -iE 'If\([^)]*AGISTATUS|\$\[[^]]*AGISTATUS' "$WORK/code" >&2; then
    problem "$name" "decides on AGISTATUS (above); decide on SMARTROUTE_TARGET"
  fi

  # serve-agi on port 4574 of 127.0.0.1, in every AGI URL (4573 is FreePBX's own FastAGI).
  grep -q 'agi://127\.0\.0\.1:4574/smartroute' "$WORK/code" ||
    problem "$name" "does not call agi://127.0.0.1:4574/smartroute"
  if grep -iE 'agi://' "$WORK/code" | grep -vE 'agi://127\.0\.0\.1:4574/' >&2; then
    problem "$name" "has an AGI URL (above) that is not 127.0.0.1:4574"
  fi
  # The caller's number is the first argument.
  grep -qF 'agi://127.0.0.1:4574/smartroute,${CALLERID(num)}' "$WORK/code" ||
    problem "$name" "does not pass \${CALLERID(num)} as the first AGI argument"

  # A fallback of its own for an empty target: a condition on SMARTROUTE_TARGET being empty.
  grep -qE 'If\(\$\[ *"\$\{SMARTROUTE_TARGET\}" *= *"" *\]\?|If\(\$\[ *\$\{ISNULL\(\$\{SMARTROUTE_TARGET\}\)\} *\]\?|If\(\$\[ *\$\{LEN\(\$\{SMARTROUTE_TARGET\}\)\} *= *0 *\]\?' \
    "$WORK/code" || problem "$name" "has no fallback for an empty SMARTROUTE_TARGET"

  # A MikoPBX "Dialplan Application" body: the lines MikoPBX writes as "exten => _N,<first>"
  # and "same => <line>" must each be a priority.
  if [[ $f == *.txt ]]; then
    first=$(grep -m1 -v '^[[:space:]]*$' "$f")
    [[ $first =~ ^1, ]] || problem "$name" "the first line must be priority 1 ('1,...')"
    while IFS=: read -r number text; do
      [[ $text =~ ^(1|n|n\([A-Za-z_][A-Za-z0-9_]*\)), ]] ||
        problem "$name" "line $number is not a priority line ('n,...'): $text"
    done <"$WORK/code"
    # Every non-empty line outside a block comment has code: a comment alone on a line would
    # become "same => ; ..." (a warning) or, first, a broken extension.
    python3 - "$f" <<'PY' || problem "$name" "has a comment alone on a line (MikoPBX would make a dialplan line of it)"
import sys
depth = 0
bad = False
for number, line in enumerate(open(sys.argv[1], encoding="utf-8"), 1):
    start_depth = depth
    depth += line.count(";--") - line.count("--;")
    if start_depth == 0 and line.strip().startswith(";") and not line.strip().startswith(";--"):
        print(f"line {number}: {line.rstrip()}", file=sys.stderr)
        bad = True
sys.exit(1 if bad else 0)
PY
  fi
done

[ "$count" -ge 3 ] || fail "expected at least three example dialplans, found $count"
((problems == 0)) || fail "$problems problems in examples/dialplan (see above)"
echo "ok: $count example dialplans"
