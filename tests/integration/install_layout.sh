#!/usr/bin/env bash
# 'cmake --install' into a scratch prefix: every file where README and the man page say, the
# units and the nightly wrapper naming that prefix, /etc only with the conffile component, the
# package's /etc config valid and without the example's sample employees; the nightly wrapper
# syncs only when [onec] url is set; the units pass systemd-analyze verify where it exists.
# (tests/install/deb_install.sh checks the Debian package itself, as root.)
source "$(dirname "$0")/lib.sh"

BUILD_DIR=${BUILD_DIR:-$(cd "$(dirname "$SMARTROUTE")/.." && pwd)}
[ -f "$BUILD_DIR/cmake_install.cmake" ] || {
  echo "SKIP: no build tree at $BUILD_DIR (set BUILD_DIR)" >&2
  exit 125
}

prefix=$WORK/usr
cmake --install "$BUILD_DIR" --prefix "$prefix" >"$WORK/install.log" 2>&1 ||
  { cat "$WORK/install.log" >&2; fail "cmake --install"; }
for f in bin/smartroute share/man/man1/smartroute.1 share/man/man5/smartroute.toml.5 \
  share/bash-completion/completions/smartroute share/zsh/vendor-completions/_smartroute \
  share/fish/vendor_completions.d/smartroute.fish share/doc/smartroute/README.md \
  share/doc/smartroute/examples/smartroute.toml share/doc/smartroute/examples/cron/smartroute \
  share/doc/smartroute/examples/dialplan/plain-asterisk.conf \
  share/doc/smartroute/examples/dialplan/freepbx-extensions_custom.conf \
  share/doc/smartroute/examples/dialplan/mikopbx-dialplan-application.txt \
  lib/sysusers.d/smartroute.conf lib/systemd/system/smartroute-agi.service \
  lib/systemd/system/smartroute-nightly.service lib/systemd/system/smartroute-nightly.timer \
  lib/smartroute/smartroute-nightly; do
  [ -f "$prefix/$f" ] || fail "cmake --install did not install $f"
done
[ -x "$prefix/lib/smartroute/smartroute-nightly" ] || fail "smartroute-nightly is not executable"
units=$prefix/lib/systemd/system
contains "$units/smartroute-agi.service" "ExecStart=$prefix/bin/smartroute serve-agi --foreground"
contains "$units/smartroute-nightly.service" "ExecStart=$prefix/lib/smartroute/smartroute-nightly"
contains "$prefix/lib/smartroute/smartroute-nightly" "SMARTROUTE=\${SMARTROUTE:-$prefix/bin/smartroute}"
contains "$prefix/share/doc/smartroute/examples/cron/smartroute" "$prefix/lib/smartroute/smartroute-nightly"

# /etc is the package's (and an explicit --component conffile's) business only.
DESTDIR=$WORK/dest cmake --install "$BUILD_DIR" --prefix /usr >/dev/null
[ ! -e "$WORK/dest/etc" ] || fail "cmake --install wrote to /etc without --component conffile"
DESTDIR=$WORK/dest cmake --install "$BUILD_DIR" --prefix /usr --component conffile >/dev/null
conf=$WORK/dest/etc/smartroute/smartroute.toml
check_eq "$(stat -c %a "$conf")" 640 "mode of /etc/smartroute/smartroute.toml"
expect_status 0 sr config check "$conf"
sr --config "$conf" --json config show >"$WORK/show.json"
check_eq "$(json "$WORK/show.json" "sum(s['key'].split('[')[0] in ('employees', 'schedules', 'exceptions') for s in d['settings'])")" \
  0 "sample employees, schedules and exceptions in the package's config"
# The example, its header and the commented-out sample entries aside: nothing else changed.
diff <(sed 's/^# //' "$SOURCE_DIR/examples/smartroute.toml") <(tail -n +6 "$conf" | sed 's/^# //') ||
  fail "the package's config differs from the example beyond its sample entries"

# The nightly wrapper, with the installed binary.
nightly=$prefix/lib/smartroute/smartroute-nightly
state=$WORK/state
printf '[routing]\ntime_zone = "Europe/Moscow"\n' >"$WORK/sr.toml"
sr demo-data --out "$WORK/demo" --employees 3 --clients 50 --interactions 500 >/dev/null
sr --state-dir "$state" import --employees "$WORK/demo/employees.csv" \
  --clients "$WORK/demo/clients.csv" --interactions "$WORK/demo/interactions.csv" >/dev/null
# env -u: the wrapper must find the installed binary by itself.
expect_status 0 env -u SMARTROUTE "$nightly" --config "$WORK/sr.toml" --state-dir "$state"
contains "$WORK/err" "smartroute-nightly: onec.url is not set: no sync from 1C"
contains "$WORK/err" "smartroute-nightly: done"
contains "$WORK/out" "engine espeak"
[ -n "$(find "$state/cache" -name '*.wav' -print -quit)" ] || fail "the nightly job warmed nothing"
expect_status 0 env -u SMARTROUTE "$nightly" -q --config "$WORK/sr.toml" --state-dir "$state"
if [ -s "$WORK/out" ] || [ -s "$WORK/err" ]; then fail "smartroute-nightly -q printed something"; fi
# With a 1C address sync runs first, and its failure (1C unreachable) stops the job.
printf '[onec]\nurl = "http://127.0.0.1:9/odata"\n' >>"$WORK/sr.toml"
rc=0
env -u SMARTROUTE "$nightly" --config "$WORK/sr.toml" --state-dir "$state" >"$WORK/out" 2>"$WORK/err" || rc=$?
[ "$rc" -ne 0 ] || fail "smartroute-nightly succeeded although sync cannot reach 1C"
contains "$WORK/err" "smartroute-nightly: sync from 1C"
if grep -q "smartroute-nightly: score" "$WORK/err"; then fail "the job went on after sync failed"; fi

if command -v systemd-analyze >/dev/null; then
  (cd "$units" && systemd-analyze verify --man=no smartroute-agi.service \
    smartroute-nightly.service smartroute-nightly.timer) >"$WORK/verify" 2>&1 ||
    { cat "$WORK/verify" >&2; fail "systemd-analyze verify"; }
  for unit in smartroute-agi.service smartroute-nightly.service; do
    systemd-analyze security --offline=true --threshold=25 "$units/$unit" >"$WORK/security" 2>&1 ||
      { tail -n 5 "$WORK/security" >&2; fail "$unit: exposure over 2.5"; }
  done
else
  echo "note: systemd-analyze is not installed; the units were not verified"
fi
