# The command line: version, help, exit codes, did-you-mean for a mistyped command.
source "$(dirname "$0")/lib.sh"

expect_status 0 sr --version
contains "$WORK/out" "smartroute "

expect_status 0 sr --help
for c in config demo-data import; do contains "$WORK/out" "$c"; done

expect_status 0 sr import --help
contains "$WORK/out" "--skip-invalid"

expect_status 2 sr imprt --employees x.csv
contains "$WORK/err" "unknown command 'imprt', did you mean 'import'?"

expect_status 2 sr
contains "$WORK/err" "smartroute: error: a command is required"

expect_status 2 sr import --no-such-flag
contains "$WORK/err" "smartroute: error:"

expect_status 2 sr import --state-dir "$WORK/s"
contains "$WORK/err" "nothing to import"

expect_status 2 sr import --employees /nonexistent.csv
contains "$WORK/err" "/nonexistent.csv"

# Global options work after the command too.
expect_status 0 sr config show --json --state-dir "$WORK/state"
check_eq "$(json "$WORK/out" '[s["origin"] for s in d["settings"] if s["key"]=="store.state_dir"][0]')" flag "state_dir origin"
