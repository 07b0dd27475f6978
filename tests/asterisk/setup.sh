#!/usr/bin/env bash
# Builds, or reuses, a minimal Debian sid root with Asterisk 22 for the integration tests that
# need a real PBX (tests/asterisk/lib.sh runs it). Debian 12 has no asterisk package; sid has.
#
#   tests/asterisk/setup.sh [--rebuild] [ROOT]
#
# ROOT defaults to $SMARTROUTE_ASTERISK_ROOT or /var/cache/smartroute-test/asterisk-sid: outside
# the source tree, so CI runs reuse it. A root that exists and works is reused as it is (no
# network). Otherwise it is built in ROOT.partial and renamed into place when complete, so an
# interrupted build never looks finished. Concurrent runs serialise on ROOT.lock.
#
# The Debian mirror is $SMARTROUTE_DEBIAN_MIRROR, or the host's own (from /etc/apt/sources.list
# and sources.list.d), or deb.debian.org when the host names none. Release files of sid may be
# past their Valid-Until date: the root's apt ignores it. Each step has a time limit
# (SMARTROUTE_SETUP_T_* below) and dies with this script.
#
# Exit status: 0 ready; 125 (skip) when not root or the Debian archive is unreachable;
# anything else is a real failure.
set -euo pipefail

rebuild=0
if [ "${1:-}" = "--rebuild" ]; then
  rebuild=1
  shift
fi
ROOT=${1:-${SMARTROUTE_ASTERISK_ROOT:-/var/cache/smartroute-test/asterisk-sid}}
SUITE=sid
MARKER=.smartroute-asterisk
# Modules the test rig loads (tests/asterisk/lib.sh); a root without them is not usable.
REQUIRED_MODULES=(res_agi pbx_config app_dial app_senddtmf res_timing_timerfd res_clioriginate
  format_wav format_pcm)
# Time bounds of each step, in seconds.
T_APT_HOST=${SMARTROUTE_SETUP_T_APT_HOST:-300}
T_DEBOOTSTRAP=${SMARTROUTE_SETUP_T_DEBOOTSTRAP:-900}
T_APT_ROOT=${SMARTROUTE_SETUP_T_APT_ROOT:-600}
T_LOCK=${SMARTROUTE_SETUP_T_LOCK:-1200}

# shellcheck source=tests/lib/debian_root.sh
. "$(dirname "$0")/../lib/debian_root.sh"

start=$(date +%s)
say() { echo "setup[$(($(date +%s) - start))s]: $*"; }
skip() {
  echo "SKIP: $*" >&2
  exit 125
}
die() {
  echo "setup: ERROR: $*" >&2
  exit 1
}

[ "$(id -u)" -eq 0 ] || skip "building and running the Asterisk root needs root (debootstrap, chroot, mount)"
for tool in timeout unshare chroot flock setpriv; do
  command -v "$tool" >/dev/null || skip "$tool is not installed"
done

case "$ROOT" in
  /*) ;;
  *) ROOT=$(pwd)/$ROOT ;;
esac
ROOT=${ROOT%/}
if [ -z "$ROOT" ] || [ "$ROOT" = "/" ]; then
  die "refusing to use / as the Asterisk root"
fi

# A usable root: marked complete, asterisk runs, the modules the rig loads are there.
root_works() {
  local dir=$1 m
  [ -f "$dir/$MARKER" ] || return 1
  timeout 30 chroot "$dir" /usr/sbin/asterisk -V >/dev/null 2>&1 || return 1
  for m in "${REQUIRED_MODULES[@]}"; do
    [ -n "$(find "$dir/usr/lib" -path '*/asterisk/modules/*' -name "$m.so" -print -quit)" ] || return 1
  done
}

lock_root "$ROOT" "$T_LOCK"

if [ "$rebuild" -eq 0 ] && root_works "$ROOT"; then
  say "reusing $ROOT ($(chroot "$ROOT" /usr/sbin/asterisk -V))"
  exit 0
fi
if [ -e "$ROOT" ]; then
  say "$ROOT exists but is incomplete or broken (or --rebuild): building it again"
fi

mirror=${SMARTROUTE_DEBIAN_MIRROR:-$(discover_mirror)}
if [ -z "$mirror" ]; then
  mirror=http://deb.debian.org/debian
  say "no Debian mirror configured on this host; using $mirror"
else
  say "Debian mirror: $mirror"
fi
say "checking that $mirror/dists/$SUITE/Release is reachable"
reachable "$mirror/dists/$SUITE/Release" ||
  skip "the Debian archive ($mirror) is unreachable; cannot build the Asterisk root"

ensure_debootstrap "$(dirname "$ROOT")/host-apt.log" "$T_APT_HOST"
partial=$ROOT.partial
debootstrap_into "$SUITE" "$partial" "$mirror" "$ROOT.debootstrap.log" "$T_DEBOOTSTRAP"

# The sid Release file may be past its Valid-Until date; services must not start in the root.
printf 'Acquire::Check-Valid-Until "false";\nAPT::Install-Recommends "false";\n' \
  >"$partial/etc/apt/apt.conf.d/99smartroute-test"
printf '#!/bin/sh\nexit 101\n' >"$partial/usr/sbin/policy-rc.d"
chmod 755 "$partial/usr/sbin/policy-rc.d"

say "apt-get update in the root (at most ${T_APT_ROOT}s)"
in_root "$partial" "$T_APT_ROOT" apt-get -q -o Acquire::Check-Valid-Until=false update >"$ROOT.apt.log" 2>&1 || {
  tail -n 20 "$ROOT.apt.log" >&2
  reachable "$mirror/dists/$SUITE/Release" || skip "lost the Debian archive ($mirror) during apt-get update"
  die "apt-get update failed in the root"
}
say "apt-get install --no-install-recommends asterisk (at most ${T_APT_ROOT}s)"
in_root "$partial" "$T_APT_ROOT" env DEBIAN_FRONTEND=noninteractive apt-get -q -y \
  -o Acquire::Check-Valid-Until=false install --no-install-recommends asterisk >>"$ROOT.apt.log" 2>&1 || {
  tail -n 20 "$ROOT.apt.log" >&2
  reachable "$mirror/dists/$SUITE/Release" || skip "lost the Debian archive ($mirror) during apt-get install"
  die "apt-get install asterisk failed in the root"
}
in_root "$partial" 120 apt-get clean
rm -rf "$partial"/var/lib/apt/lists/* # ~100 MB; a rebuild, not an upgrade, refreshes the root

version=$(chroot "$partial" /usr/sbin/asterisk -V)
printf 'built %s from %s %s\n%s\n' "$(date -u +%FT%TZ)" "$mirror" "$SUITE" "$version" >"$partial/$MARKER"
root_works "$partial" || die "the new root does not work: $(cat "$partial/$MARKER")"

if [ -e "$ROOT" ]; then
  remove_tree "$ROOT.old"
  mv "$ROOT" "$ROOT.old"
fi
mv "$partial" "$ROOT"
remove_tree "$ROOT.old"
say "ready: $ROOT ($version, $(du -sh --one-file-system "$ROOT" | cut -f1))"
