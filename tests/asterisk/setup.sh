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

# bounded LIMIT COMMAND...: runs COMMAND for at most LIMIT seconds (then TERM, KILL 10 s
# later), and stops it with everything it started if this script dies first.
bounded() {
  local limit=$1
  shift
  setpriv --pdeathsig TERM timeout -k 10 "$limit" "$@"
}

# Runs COMMAND... in ROOT, in private mount and PID namespaces: /proc is the namespace's own,
# /dev is the host's, and both mounts, and any daemon a maintainer script starts, vanish when
# the command ends, even after a timeout.
in_root() {
  local dir=$1 limit=$2
  shift 2
  # shellcheck disable=SC2016 # expanded by the inner sh
  bounded "$limit" unshare --mount --propagation private --pid --fork --kill-child \
    sh -c 'dir=$1; shift
      mount -t proc proc "$dir/proc"
      mount --rbind /dev "$dir/dev"
      exec chroot "$dir" "$@"' in-root "$dir" "$@"
}

# A usable root: marked complete, asterisk runs, the modules the rig loads are there.
root_works() {
  local dir=$1 m
  [ -f "$dir/$MARKER" ] || return 1
  timeout 30 chroot "$dir" /usr/sbin/asterisk -V >/dev/null 2>&1 || return 1
  for m in "${REQUIRED_MODULES[@]}"; do
    [ -n "$(find "$dir/usr/lib" -path '*/asterisk/modules/*' -name "$m.so" -print -quit)" ] || return 1
  done
}

# Removes a directory tree that may hold leftover mounts of an interrupted build: unmounts
# them (deepest first), then deletes without ever crossing into another file system.
remove_tree() {
  local dir=$1 mnt
  [ -e "$dir" ] || return 0
  while read -r mnt; do
    umount -l "$mnt" 2>/dev/null || true
  done < <(awk -v d="$dir" '$2 == d || index($2, d "/") == 1 { print $2 }' /proc/self/mounts | sort -r)
  rm -rf --one-file-system "$dir"
}

# The host's Debian mirror: the first "deb" source whose URI is a Debian archive (…/debian,
# or a snapshot.debian.org archive of it), from one-line and deb822 source files.
discover_mirror() {
  local files=() f
  [ -f /etc/apt/sources.list ] && files+=(/etc/apt/sources.list)
  for f in /etc/apt/sources.list.d/*.list /etc/apt/sources.list.d/*.sources; do
    [ -f "$f" ] && files+=("$f")
  done
  [ ${#files[@]} -gt 0 ] || return 0
  awk '
    function emit(uri) {
      sub(/\/+$/, "", uri)
      if (uri ~ /^https?:\/\/[^ ]*\/debian$/ || uri ~ /^https?:\/\/snapshot\.debian\.org\/archive\/debian\/[0-9TZ]+$/) {
        print uri; found = 1; exit
      }
    }
    function flush(   n, i, u) {
      if (deb822 && types ~ /(^|[ \t])deb([ \t]|$)/ && enabled !~ /^[ \t]*(no|false)/) {
        n = split(uris, u, /[ \t]+/)
        for (i = 1; i <= n; i++) if (u[i] != "") emit(u[i])
      }
      types = ""; uris = ""; enabled = ""
    }
    FNR == 1 { flush(); deb822 = (FILENAME ~ /\.sources$/) }
    /^[ \t]*#/ { next }
    deb822 && /^[ \t]*$/ { flush(); next }
    deb822 && tolower($1) == "types:" { $1 = ""; types = $0; next }
    deb822 && tolower($1) == "uris:" { $1 = ""; uris = $0; next }
    deb822 && tolower($1) == "enabled:" { $1 = ""; enabled = $0; next }
    !deb822 && $1 == "deb" {
      i = 2
      if ($i ~ /^\[/) { while (i <= NF && $i !~ /\]$/) i++; i++ }
      emit($i)
    }
    END { if (!found) flush() }
  ' "${files[@]}"
}

reachable() {
  local url=$1
  if command -v curl >/dev/null; then
    curl -fsSL --max-time 20 -o /dev/null "$url"
  elif command -v wget >/dev/null; then
    wget -q -T 20 -t 1 -O /dev/null "$url"
  else
    timeout 30 /usr/lib/apt/apt-helper download-file "$url" /dev/null >/dev/null 2>&1
  fi
}

mkdir -p "$(dirname "$ROOT")"
exec 9>"$ROOT.lock"
if ! flock -n 9; then
  say "another setup holds $ROOT.lock; waiting (at most ${T_LOCK}s)"
  flock -w "$T_LOCK" 9 || die "timed out waiting for $ROOT.lock"
fi

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

# debootstrap and the archive keyring on the host.
missing=()
command -v debootstrap >/dev/null || missing+=(debootstrap)
[ -f /usr/share/keyrings/debian-archive-keyring.gpg ] || missing+=(debian-archive-keyring)
if [ ${#missing[@]} -gt 0 ]; then
  command -v apt-get >/dev/null || skip "${missing[*]} missing and this host has no apt-get"
  say "installing on the host: ${missing[*]}"
  export DEBIAN_FRONTEND=noninteractive
  host_log=$(dirname "$ROOT")/host-apt.log
  if ! bounded "$T_APT_HOST" apt-get install -y -q --no-install-recommends "${missing[@]}" \
    >"$host_log" 2>&1; then
    bounded "$T_APT_HOST" apt-get update -q >>"$host_log" 2>&1 ||
      skip "apt-get update failed on the host (network?); see $host_log"
    bounded "$T_APT_HOST" apt-get install -y -q --no-install-recommends "${missing[@]}" \
      >>"$host_log" 2>&1 || { tail -n 20 "$host_log" >&2; die "could not install ${missing[*]} on the host"; }
  fi
fi

partial=$ROOT.partial
remove_tree "$partial"
include=()
case "$mirror" in https:*) include=(--include=ca-certificates) ;; esac
say "debootstrap --variant=minbase $SUITE into $partial (at most ${T_DEBOOTSTRAP}s)"
if ! bounded "$T_DEBOOTSTRAP" unshare --mount --propagation private \
  debootstrap --variant=minbase "${include[@]}" \
  --keyring=/usr/share/keyrings/debian-archive-keyring.gpg \
  "$SUITE" "$partial" "$mirror" >"$ROOT.debootstrap.log" 2>&1; then
  tail -n 20 "$ROOT.debootstrap.log" >&2
  [ -f "$partial/debootstrap/debootstrap.log" ] && tail -n 20 "$partial/debootstrap/debootstrap.log" >&2
  reachable "$mirror/dists/$SUITE/Release" || skip "lost the Debian archive ($mirror) during debootstrap"
  die "debootstrap failed (log: $ROOT.debootstrap.log)"
fi

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
