#!/bin/bash
# Runs as root inside the clean Debian 12 root of tests/install/deb_install.sh, which puts the
# package and this script in /mnt: installs the package with apt-get (Depends come from the
# archive), checks what it installed and did, runs the commands as the smartroute user, then
# removes, reinstalls and purges it.
#
#   bash /mnt/inside.sh PACKAGE.deb VERSION
#
# Exit status: 0 passed; 100 apt-get could not install the package (deb_install.sh then
# refreshes the apt lists and tries once more); anything else a failure.
set -euo pipefail
deb=/mnt/$1
version=$2
export DEBIAN_FRONTEND=noninteractive LC_ALL=C.UTF-8 PAGER=cat MANPAGER=cat
export PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin
unset SMARTROUTE_CONFIG
cd /tmp

step() { echo "-- $*"; }
fail() {
  echo "FAIL: $*" >&2
  exit 1
}
check_eq() { [ "$1" == "$2" ] || fail "$3: got '$1', expected '$2'"; }
# owner:group mode of a path
stat_of() { stat -c '%U:%G %a' "$1"; }
contains() { grep -qF -- "$2" "$1" || { cat "$1" >&2; fail "$1 does not contain '$2'"; }; }
as_smartroute() { runuser -u smartroute -- "$@"; }
in_groups() { id -nG "$1" | tr ' ' '\n' | grep -qx "$2"; }

# An Asterisk host: the user Debian's asterisk package creates, so that postinst lets it read
# the audio cache.
getent passwd asterisk >/dev/null ||
  useradd --system --user-group --home-dir /var/lib/asterisk --no-create-home \
    --shell /usr/sbin/nologin asterisk

step "apt-get install $(basename "$deb")"
# The man-db trigger would rebuild the whole index after every install; 'man' needs none.
echo "man-db man-db/auto-update boolean false" | debconf-set-selections
# A throwaway root: dpkg need not fsync every file it unpacks.
echo force-unsafe-io >/etc/dpkg/dpkg.cfg.d/smartroute-test
t0=$(date +%s)
if ! apt-get install -y -q "$deb" >/tmp/apt.log 2>&1; then
  tail -n 30 /tmp/apt.log >&2
  exit 100
fi
echo "   $(grep -oE '[0-9]+ newly installed' /tmp/apt.log) in $(($(date +%s) - t0)) s"
grep -E '^Need to get|^After this operation' /tmp/apt.log | sed 's/^/   /' || true
contains /tmp/apt.log "added the user asterisk to the group smartroute"
check_eq "$(dpkg-query -W -f='${Status}' smartroute)" "install ok installed" "dpkg status"

step "the binary, its help and its man pages"
check_eq "$(smartroute --version)" "smartroute $version" "smartroute --version"
smartroute --help >/tmp/help
contains /tmp/help "serve-agi"
check_eq "$(man -w smartroute)" "/usr/share/man/man1/smartroute.1" "man -w smartroute"
check_eq "$(man -w 5 smartroute.toml)" "/usr/share/man/man5/smartroute.toml.5" "man -w 5 smartroute.toml"
man smartroute 2>/dev/null >/tmp/man.txt
contains /tmp/man.txt "serve-agi"

step "installed files, owners and modes"
for f in /usr/share/bash-completion/completions/smartroute \
  /usr/share/zsh/vendor-completions/_smartroute \
  /usr/share/fish/vendor_completions.d/smartroute.fish \
  /usr/share/doc/smartroute/README.md \
  /usr/share/doc/smartroute/examples/smartroute.toml \
  /usr/share/doc/smartroute/examples/cron/smartroute \
  /usr/share/doc/smartroute/examples/dialplan/plain-asterisk.conf \
  /usr/lib/sysusers.d/smartroute.conf \
  /usr/lib/systemd/system/smartroute-agi.service \
  /usr/lib/systemd/system/smartroute-nightly.service \
  /usr/lib/systemd/system/smartroute-nightly.timer; do
  [ -f "$f" ] || fail "$f is not installed"
  check_eq "$(stat_of "$f")" "root:root 644" "$f"
done
check_eq "$(stat_of /usr/bin/smartroute)" "root:root 755" /usr/bin/smartroute
check_eq "$(stat_of /usr/lib/smartroute/smartroute-nightly)" "root:root 755" smartroute-nightly
contains /usr/lib/systemd/system/smartroute-agi.service "ExecStart=/usr/bin/smartroute serve-agi"
contains /usr/lib/systemd/system/smartroute-nightly.service \
  "ExecStart=/usr/lib/smartroute/smartroute-nightly"

step "postinst: the user, the state directory, the configuration, the asterisk user"
IFS=: read -r _ _ uid _ _ home shell < <(getent passwd smartroute)
[ "$uid" -lt 1000 ] || fail "smartroute is not a system user (uid $uid)"
check_eq "$home" /var/lib/smartroute "home of smartroute"
check_eq "$shell" /usr/sbin/nologin "shell of smartroute"
check_eq "$(stat_of /var/lib/smartroute)" "smartroute:smartroute 750" /var/lib/smartroute
conf=/etc/smartroute/smartroute.toml
check_eq "$(stat_of "$conf")" "root:smartroute 640" "$conf"
dpkg-query -W -f='${Conffiles}\n' smartroute | grep -q "^ $conf " || fail "$conf is not a conffile"
check_eq "$(dpkg-statoverride --list "$conf")" "root smartroute 640 $conf" "statoverride"
grep -q '^\[\[employees\]\]' "$conf" && fail "$conf has the example's sample employees"
as_smartroute smartroute config check "$conf" >/dev/null
in_groups asterisk smartroute || fail "asterisk is not in the group smartroute"
in_groups smartroute asterisk && fail "smartroute is in the group asterisk (the wrong way round)"

step "systemd: the units verify, their exposure, enabling"
(cd /usr/lib/systemd/system &&
  systemd-analyze verify --man=no smartroute-agi.service smartroute-nightly.service \
    smartroute-nightly.timer) || fail "systemd-analyze verify"
for unit in smartroute-agi.service smartroute-nightly.service; do
  systemd-analyze security --offline=true --threshold=25 "/usr/lib/systemd/system/$unit" \
    >/tmp/security || { tail -n 3 /tmp/security >&2; fail "$unit: exposure over 2.5"; }
  echo "   $(grep 'Overall exposure' /tmp/security)"
done
systemctl enable smartroute-agi.service smartroute-nightly.timer 2>/dev/null
[ -L /etc/systemd/system/multi-user.target.wants/smartroute-agi.service ] ||
  fail "systemctl enable smartroute-agi.service"
[ -L /etc/systemd/system/timers.target.wants/smartroute-nightly.timer ] ||
  fail "systemctl enable smartroute-nightly.timer"

step "the commands, as the smartroute user"
as_smartroute smartroute demo-data --out /tmp/demo --employees 5 --clients 200 \
  --interactions 2000 --seed 1 >/dev/null
as_smartroute smartroute import --employees /tmp/demo/employees.csv \
  --clients /tmp/demo/clients.csv --interactions /tmp/demo/interactions.csv \
  --cdr /tmp/demo/cdr/Master.csv >/dev/null
as_smartroute smartroute score >/dev/null
phone=$(sed -n 2p /tmp/demo/clients.csv | awk -F, '{ print $NF }' | cut -d';' -f1)
as_smartroute smartroute explain "$phone" >/tmp/explain
contains /tmp/explain "c000001"
contains /tmp/explain "the caller hears"
[ -f /var/lib/smartroute/smartroute.db ] || fail "the store is not in /var/lib/smartroute"
# The default engine's voice data (espeak-ng-data) must have come with the package.
as_smartroute smartroute warm >/dev/null
wav=$(find /var/lib/smartroute/cache -name '*.wav' -print -quit)
[ -n "$wav" ] || fail "warm cached no .wav"

step "doctor: every check runs in the installed system; none fails"
rc=0
as_smartroute smartroute --json doctor >/tmp/doctor.json 2>/tmp/doctor.err || rc=$?
# 0 all green, 3 warnings only (serve-agi is not running here); 1 would be a failure.
[ "$rc" -eq 0 ] || [ "$rc" -eq 3 ] || { cat /tmp/doctor.json /tmp/doctor.err >&2; fail "doctor exited $rc"; }
contains /tmp/doctor.json '"name": "config"'
contains /tmp/doctor.json '"name": "store"'

step "the nightly job: no [onec] url, no sync; with one, sync runs first"
as_smartroute /usr/lib/smartroute/smartroute-nightly >/tmp/nightly 2>&1 ||
  { cat /tmp/nightly >&2; fail "smartroute-nightly"; }
contains /tmp/nightly "onec.url is not set: no sync from 1C"
contains /tmp/nightly "smartroute-nightly: done"
rc=0
as_smartroute env SMARTROUTE_ONEC_URL=http://127.0.0.1:9/odata \
  /usr/lib/smartroute/smartroute-nightly >/tmp/nightly 2>&1 || rc=$?
[ "$rc" -ne 0 ] || fail "smartroute-nightly succeeded with an unreachable 1C"
contains /tmp/nightly "smartroute-nightly: sync from 1C"
grep -q "smartroute-nightly: score" /tmp/nightly && fail "smartroute-nightly scored after a failed sync"

step "who may read the state: asterisk the audio cache, others nothing"
runuser -u asterisk -- head -c 4 "$wav" >/dev/null || fail "asterisk cannot read $wav"
runuser -u nobody -- head -c 4 "$wav" >/dev/null 2>&1 && fail "nobody can read $wav"
runuser -u nobody -- head -c 4 /var/lib/smartroute/smartroute.db >/dev/null 2>&1 &&
  fail "nobody can read the store"
runuser -u nobody -- head -c 4 "$conf" >/dev/null 2>&1 && fail "nobody can read $conf"

step "a store of the previous schema, as an upgrade finds it"
# A store of schema 4, as the previous release left it: migration 5 only rebuilds the
# interactions table, so the header's user_version (4 bytes, big-endian, at offset 60) set back
# to 4 makes this store one. Readers (explain, serve-agi) refuse an older schema; the postinst
# of an upgrade runs 'score', which migrates it.
[ ! -s /var/lib/smartroute/smartroute.db-wal ] || fail "the store has a WAL left"
printf '\000\000\000\004' | dd of=/var/lib/smartroute/smartroute.db bs=1 seek=60 conv=notrunc status=none
as_smartroute smartroute explain "$phone" >/dev/null 2>/tmp/old.err && fail "explain read a store of schema 4"
contains /tmp/old.err "schema version 4 is older than"

step "apt-get remove: the configuration, the state and the user stay; the units are disabled"
echo "# an administrator's change" >>"$conf"
apt-get remove -y -q smartroute >/tmp/apt.log 2>&1 || { cat /tmp/apt.log >&2; fail "apt-get remove"; }
[ ! -e /usr/bin/smartroute ] || fail "/usr/bin/smartroute is still there"
check_eq "$(stat_of "$conf")" "root:smartroute 640" "$conf after remove"
[ -f /var/lib/smartroute/smartroute.db ] || fail "remove deleted the store"
[ -f "$wav" ] || fail "remove deleted the audio cache"
getent passwd smartroute >/dev/null || fail "remove deleted the user"
[ ! -e /etc/systemd/system/multi-user.target.wants/smartroute-agi.service ] ||
  fail "smartroute-agi.service is still enabled"
[ ! -e /etc/systemd/system/timers.target.wants/smartroute-nightly.timer ] ||
  fail "smartroute-nightly.timer is still enabled"

step "reinstall as an upgrade: the configuration is kept, an older store migrated"
apt-get install -y -q "$deb" >/tmp/apt.log 2>&1 || { cat /tmp/apt.log >&2; fail "reinstall"; }
contains "$conf" "# an administrator's change"
check_eq "$(stat_of "$conf")" "root:smartroute 640" "$conf after reinstall"
as_smartroute smartroute explain "$phone" >/dev/null || fail "the postinst did not migrate the store"

step "apt-get purge: the state and the configuration go, the user stays"
apt-get purge -y -q smartroute >/tmp/apt.log 2>&1 || { cat /tmp/apt.log >&2; fail "apt-get purge"; }
[ ! -e /var/lib/smartroute ] || fail "purge left /var/lib/smartroute"
[ ! -e /etc/smartroute ] || fail "purge left /etc/smartroute"
dpkg-statoverride --list "$conf" >/dev/null && fail "purge left the statoverride of $conf"
getent passwd smartroute >/dev/null || fail "purge deleted the system user (Debian keeps it)"
echo "-- all checks passed"
