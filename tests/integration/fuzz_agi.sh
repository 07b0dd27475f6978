# The AGI protocol layer under libFuzzer for 30 s (tests/fuzz/run.sh): header, replies and
# command writer against their invariants. Skipped (125) without clang or its fuzzer runtime.
set -euo pipefail
SOURCE_DIR=${SOURCE_DIR:-$(cd "$(dirname "$0")/../.." && pwd)}
work=$(mktemp -d "${TMPDIR:-/tmp}/smartroute-fuzz.XXXXXX")
status=0
FUZZ_SECONDS=30 FUZZ_OUT="$work" bash "$SOURCE_DIR/tests/fuzz/run.sh" || status=$?
if [ "$status" -ne 0 ] && [ "$status" -ne 125 ]; then
  ls "$work"/crash-* "$work"/leak-* "$work"/timeout-* "$work"/oom-* 2>/dev/null | while read -r f; do
    echo "--- $f (base64)" >&2
    base64 -w 76 "$f" | head -40 >&2
  done
fi
rm -rf "$work"
exit "$status"
