#!/usr/bin/env bash
# The Debian package as an administrator meets it: builds the .deb (cpack -G DEB in the build
# tree), installs it with apt-get into a clean Debian 12 (bookworm) root, so that its Depends
# are resolved from Debian's archive, and runs tests/install/inside.sh there: the files, owners
# and modes it installed, the user and groups of postinst, the units, the commands as the
# smartroute user, then remove, reinstall and purge.
#
#   tests/install/deb_install.sh [--prepare] [--rebuild]
#
#   --prepare  only build, or reuse, the cached root, then exit; tests/run does this before
#              CTest, so that debootstrap never counts against the test's time
#   --rebuild  build the cached root again (to pick up a point release)
#
# The cached root is $SMARTROUTE_DEBIAN12_ROOT or /var/cache/smartroute-test/debian12:
# debootstrap --variant=minbase bookworm, plus systemd and man-db, which every real server has
# and which let the test check the units and the man pages; its apt lists are kept. It is built
# like tests/asterisk/setup.sh builds its sid root (in ROOT.partial, renamed when complete;
# ROOT.lock; every step bounded in time) and reused as it is afterwards. Each run works on an
# overlay over it (on a copy where overlayfs is not available), so every run starts from the
# same clean root; the packages apt downloads are kept in ROOT.archives for the next run.
#
# Environment: BUILD_DIR (the build tree; default SOURCE_DIR/build), SOURCE_DIR,
# SMARTROUTE_DEBIAN_MIRROR (as for tests/asterisk/setup.sh).
# Exit status: 0 passed; 125 skipped (not root, no build tree, Debian's archive unreachable);
# anything else a failure.
set -euo pipefail

prepare_only=0
rebuild=0
for arg in "$@"; do
  case $arg in
    --prepare) prepare_only=1 ;;
    --rebuild) rebuild=1 ;;
    *)
      echo "usage: $0 [--prepare] [--rebuild]" >&2
      exit 2
      ;;
  esac
done

SOURCE_DIR=${SOURCE_DIR:-$(cd "$(dirname "$0")/../.." && pwd)}
BUILD_DIR=${BUILD_DIR:-$SOURCE_DIR/build}
ROOT=${SMARTROUTE_DEBIAN12_ROOT:-/var/cache/smartroute-test/debian12}
ARCHIVES=$ROOT.archives
SUITE=bookworm
MARKER=.smartroute-debian12
# Time bounds of each step, in seconds.
T_APT_HOST=${SMARTROUTE_SETUP_T_APT_HOST:-300}
T_DEBOOTSTRAP=${SMARTROUTE_SETUP_T_DEBOOTSTRAP:-900}
T_APT_ROOT=${SMARTROUTE_SETUP_T_APT_ROOT:-600}
T_LOCK=${SMARTROUTE_SETUP_T_LOCK:-1800}
T_CPACK=300
T_INSIDE=900

# shellcheck source=tests/lib/debian_root.sh
. "$SOURCE_DIR/tests/lib/debian_root.sh"

start=$(date +%s)
say() { echo "deb_install[$(($(date +%s) - start))s]: $*"; }
skip() {
  echo "SKIP: $*" >&2
  exit 125
}
die() {
  echo "deb_install: ERROR: $*" >&2
  exit 1
}

[ "$(id -u)" -eq 0 ] || skip "installing a package into a Debian root needs root (debootstrap, chroot, mount)"
for tool in timeout unshare chroot flock setpriv; do
  command -v "$tool" >/dev/null || skip "$tool is not installed"
done
unshare --mount --propagation private true 2>/dev/null ||
  skip "no mount namespaces here (an unprivileged container?)"
case "$ROOT" in
  /*) ;;
  *) ROOT=$(pwd)/$ROOT ;;
esac
ROOT=${ROOT%/}
if [ -z "$ROOT" ] || [ "$ROOT" = "/" ]; then
  die "refusing to use / as the Debian root"
fi

# A usable root: marked complete, with apt, systemd-analyze and man.
root_works() {
  local dir=$1
  [ -f "$dir/$MARKER" ] && [ -x "$dir/usr/bin/systemd-analyze" ] && [ -x "$dir/usr/bin/man" ] &&
    timeout 30 chroot "$dir" apt-get --version >/dev/null 2>&1
}

# Builds the cached root in ROOT.partial and moves it into place; the caller holds the lock.
build_root() {
  local mirror security partial=$ROOT.partial
  mirror=${SMARTROUTE_DEBIAN_MIRROR:-$(discover_mirror)}
  mirror=${mirror:-http://deb.debian.org/debian}
  say "Debian mirror: $mirror"
  reachable "$mirror/dists/$SUITE/Release" ||
    skip "the Debian archive ($mirror) is unreachable; cannot build the Debian 12 root"
  ensure_debootstrap "$(dirname "$ROOT")/host-apt.log" "$T_APT_HOST"
  debootstrap_into "$SUITE" "$partial" "$mirror" "$ROOT.debootstrap.log" "$T_DEBOOTSTRAP"

  # The suites a real bookworm server uses: the release, its updates and, when reachable, its
  # security archive (…/debian-security next to …/debian, snapshots included).
  {
    echo "deb $mirror $SUITE main"
    echo "deb $mirror $SUITE-updates main"
  } >"$partial/etc/apt/sources.list"
  security=$(echo "$mirror" | sed -E 's#/debian(/[0-9TZ]+)?$#/debian-security\1#')
  if [ "$security" != "$mirror" ] && reachable "$security/dists/$SUITE-security/Release"; then
    echo "deb $security $SUITE-security main" >>"$partial/etc/apt/sources.list"
  fi
  # Services never start in the root; recommended packages are not installed, so only Depends
  # can satisfy the package (the strictest check of them).
  printf 'APT::Install-Recommends "false";\n' >"$partial/etc/apt/apt.conf.d/99smartroute-test"
  printf '#!/bin/sh\nexit 101\n' >"$partial/usr/sbin/policy-rc.d"
  chmod 755 "$partial/usr/sbin/policy-rc.d"

  say "apt-get update, install systemd man-db in the root (at most ${T_APT_ROOT}s each)"
  { in_root "$partial" "$T_APT_ROOT" apt-get -q update &&
    in_root "$partial" "$T_APT_ROOT" env DEBIAN_FRONTEND=noninteractive apt-get -q -y install \
      systemd man-db &&
    in_root "$partial" 120 apt-get clean; } >"$ROOT.apt.log" 2>&1 || {
    tail -n 20 "$ROOT.apt.log" >&2
    reachable "$mirror/dists/$SUITE/Release" || skip "lost the Debian archive ($mirror) while building the root"
    die "apt-get failed in the root (log: $ROOT.apt.log)"
  }
  printf 'built %s from %s %s\n' "$(date -u +%FT%TZ)" "$mirror" "$SUITE" >"$partial/$MARKER"
  root_works "$partial" || die "the new root does not work"
  if [ -e "$ROOT" ]; then
    remove_tree "$ROOT.old"
    mv "$ROOT" "$ROOT.old"
  fi
  mv "$partial" "$ROOT"
  remove_tree "$ROOT.old"
  say "ready: $ROOT ($(du -sh --one-file-system "$ROOT" | cut -f1))"
}

# Held for the whole run: a build of the root, and apt in ROOT.archives, are one at a time.
lock_root "$ROOT" "$T_LOCK"
if [ "$rebuild" -eq 0 ] && root_works "$ROOT"; then
  say "reusing $ROOT ($(head -n 1 "$ROOT/$MARKER"))"
else
  [ -e "$ROOT" ] && say "$ROOT is incomplete or broken (or --rebuild): building it again"
  build_root
fi
[ "$prepare_only" -eq 0 ] || exit 0

[ -f "$BUILD_DIR/CPackConfig.cmake" ] || skip "no configured build tree at $BUILD_DIR (set BUILD_DIR)"
[ -x "$BUILD_DIR/cmd/smartroute" ] || skip "$BUILD_DIR/cmd/smartroute is not built"
command -v cpack >/dev/null || skip "cpack is not installed"
command -v dpkg-shlibdeps >/dev/null || skip "dpkg-shlibdeps (dpkg-dev) is not installed"

WORK=$(mktemp -d "${TMPDIR:-/tmp}/smartroute-deb.XXXXXX")
trap 'remove_tree "$WORK"' EXIT

say "cpack -G DEB in $BUILD_DIR"
(cd "$BUILD_DIR" && bounded "$T_CPACK" cpack -G DEB -B "$WORK/pkg") >"$WORK/cpack.log" 2>&1 ||
  { cat "$WORK/cpack.log" >&2; die "cpack failed"; }
debs=("$WORK"/pkg/smartroute_*.deb)
if [ ${#debs[@]} -ne 1 ] || [ ! -f "${debs[0]}" ]; then
  die "cpack made no single smartroute_*.deb: ${debs[*]}"
fi
deb=${debs[0]}
version=$(sed -n 's/^CMAKE_PROJECT_VERSION:STATIC=//p' "$BUILD_DIR/CMakeCache.txt")
[ "$(dpkg-deb -f "$deb" Version)" = "$version-1" ] ||
  die "package version $(dpkg-deb -f "$deb" Version), expected $version-1 (project() VERSION)"
say "$(basename "$deb"): $(stat -c %s "$deb") bytes, Installed-Size $(dpkg-deb -f "$deb" Installed-Size) KiB"
say "Depends: $(dpkg-deb -f "$deb" Depends)"

mkdir -p "$WORK/mnt" "$ARCHIVES/partial"
cp "$deb" "$SOURCE_DIR/tests/install/inside.sh" "$WORK/mnt/"
# apt downloads as _apt, into the shared ROOT.archives bound into the root.
chown "$(chroot "$ROOT" id -u _apt)" "$ARCHIVES/partial"

# The per-run root: an overlay over ROOT whose upper layer is in WORK, or a copy of ROOT
# where overlayfs is not available. fresh_copy (re)makes it clean.
merged=$WORK/root
upper=$WORK/upper
mkdir -p "$merged" "$upper" "$WORK/work"
if ! unshare --mount --propagation private mount -t overlay overlay \
  -o "lowerdir=$ROOT,upperdir=$upper,workdir=$WORK/work" "$merged" 2>/dev/null; then
  say "no overlayfs here: each run copies $ROOT"
  upper=""
fi
fresh_copy() {
  if [ -n "$upper" ]; then
    rm -rf --one-file-system "$upper" "$WORK/work"
    mkdir -p "$upper" "$WORK/work"
  else
    remove_tree "$merged"
    mkdir -p "$merged"
    cp -a --one-file-system "$ROOT/." "$merged/"
  fi
}
fresh_copy

# in_copy LIMIT COMMAND...: runs COMMAND in the per-run root, with /mnt holding the package,
# in private mount and PID namespaces (all mounts go when it ends).
in_copy() {
  local limit=$1
  shift
  # shellcheck disable=SC2016 # expanded by the inner sh
  bounded "$limit" unshare --mount --propagation private --pid --fork --kill-child \
    sh -c 'lower=$1 upper=$2 work=$3 merged=$4 archives=$5 mnt=$6; shift 6
      if [ -n "$upper" ]; then
        mount -t overlay overlay -o "lowerdir=$lower,upperdir=$upper,workdir=$work" "$merged"
      fi
      mount -t proc proc "$merged/proc"
      mount --rbind /dev "$merged/dev"
      mount --bind "$archives" "$merged/var/cache/apt/archives"
      mount --bind "$mnt" "$merged/mnt"
      exec chroot "$merged" "$@"' in-copy "$ROOT" "$upper" "$WORK/work" "$merged" "$ARCHIVES" \
    "$WORK/mnt" "$@"
}

say "installing $(basename "$deb") with apt-get in a clean Debian 12 root, then checking it"
rc=0
in_copy "$T_INSIDE" bash /mnt/inside.sh "$(basename "$deb")" "$version" || rc=$?
if [ "$rc" -eq 100 ]; then
  # apt could not download a dependency: a root older than the archive's current point
  # release, or no network. With the archive there, refresh the lists and try once more.
  mirror=$(awk '$1 == "deb" { print $2; exit }' "$ROOT/etc/apt/sources.list")
  reachable "$mirror/dists/$SUITE/Release" || skip "the Debian archive ($mirror) is unreachable: cannot install the dependencies"
  say "apt could not fetch a dependency: apt-get update in this run's root, then again"
  fresh_copy
  in_copy "$T_APT_ROOT" apt-get -q update >"$WORK/update.log" 2>&1 ||
    { cat "$WORK/update.log" >&2; die "apt-get update failed in the root"; }
  rc=0
  in_copy "$T_INSIDE" bash /mnt/inside.sh "$(basename "$deb")" "$version" || rc=$?
fi
[ "$rc" -eq 0 ] || die "the package failed in the Debian 12 root (exit $rc; see above)"
say "passed"
