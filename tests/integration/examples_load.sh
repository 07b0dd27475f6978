# Every example configuration shipped in examples/ is valid.
source "$(dirname "$0")/lib.sh"
count=0
for f in "$SOURCE_DIR"/examples/*.toml; do
  expect_status 0 sr config check "$f"
  count=$((count + 1))
done
[ "$count" -ge 2 ] || fail "expected at least two example configurations, found $count"
bash -n "$SOURCE_DIR/examples/demo.sh" || fail "examples/demo.sh has a syntax error"
