# Configuration: the example is valid, every mistake is reported with line and column,
# origins are shown, secrets are refused in the file and never printed.
source "$(dirname "$0")/lib.sh"

expect_status 0 sr config check "$SOURCE_DIR/examples/smartroute.toml"
contains "$WORK/out" "ok"

cat >bad.toml <<'TOML'
[routing]
menu_sise = 3
dominance = 2.5

[[documents]]
type = "call"
decay = "exponental"
TOML
expect_status 1 sr config check bad.toml
contains "$WORK/err" "bad.toml:2:1: unknown key 'routing.menu_sise', did you mean 'menu_size'?"
contains "$WORK/err" "bad.toml:3:13: routing.dominance: must be between 0.5 and 1"
contains "$WORK/err" "bad.toml:7:9: documents[0].decay: 'exponental' is not one of step, linear, exponential"
contains "$WORK/err" "3 problems"

expect_status 1 sr config check --json bad.toml
check_eq "$(json "$WORK/out" 'len(d["problems"])')" 3 "problem count"

# A broken TOML file names the place.
printf '[routing\nmenu_size = 3\n' >broken.toml
expect_status 1 sr config check broken.toml
contains "$WORK/err" "broken.toml:1:"

# Secrets never live in the file.
printf '[onec]\nurl = "http://127.0.0.1/odata"\npassword = "hunter2"\n' >secret.toml
expect_status 1 sr config check secret.toml
contains "$WORK/err" "password_env"
if grep -q hunter2 "$WORK/err"; then fail "the secret was printed"; fi

# Any command refuses an invalid configuration, listing the problems.
touch x.csv
expect_status 1 sr --config bad.toml import --employees x.csv
contains "$WORK/err" "invalid configuration (3 problems)"

# Origins: built-in, file, env, flag.
printf '[routing]\nmenu_size = 4\n[onec]\npassword_env = "ONEC_PASSWORD"\n' >ok.toml
ONEC_PASSWORD=hunter2 SMARTROUTE_ROUTING_DEFAULT_NUMBER=555 \
  expect_status 0 sr --config ok.toml --state-dir "$WORK/st" config show
contains "$WORK/out" 'routing.menu_size = 4'
grep -E '^routing.menu_size = 4 +# file$' "$WORK/out" >/dev/null || fail "menu_size origin"
grep -E '^routing.default_number = "555" +# env$' "$WORK/out" >/dev/null || fail "env origin"
grep -E '^routing.dominance = 0.8 +# built-in$' "$WORK/out" >/dev/null || fail "default origin"
grep -E "^store.state_dir = \"$WORK/st\" +# flag$" "$WORK/out" >/dev/null || fail "flag origin"
if grep -q hunter2 "$WORK/out"; then fail "config show printed a secret"; fi

# A bad value in the environment is reported with the variable's name.
SMARTROUTE_ROUTING_MENU_SIZE=many expect_status 1 sr config check ok.toml
contains "$WORK/err" "SMARTROUTE_ROUTING_MENU_SIZE"
