# shellcheck shell=bash
# Helpers to build and use a cached Debian root for tests that need one (tests/asterisk/setup.sh:
# a sid root with Asterisk; tests/install/deb_install.sh: a clean Debian 12 root). Sourced; the
# caller defines say, skip (exit 125) and die, and runs as root.

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

# ensure_debootstrap LOG LIMIT: installs debootstrap and the archive keyring on the host when
# missing (apt-get update only when the install fails without it); skips without apt-get or
# network.
ensure_debootstrap() {
  local log=$1 limit=$2 missing=()
  command -v debootstrap >/dev/null || missing+=(debootstrap)
  [ -f /usr/share/keyrings/debian-archive-keyring.gpg ] || missing+=(debian-archive-keyring)
  [ ${#missing[@]} -gt 0 ] || return 0
  command -v apt-get >/dev/null || skip "${missing[*]} missing and this host has no apt-get"
  say "installing on the host: ${missing[*]}"
  if ! DEBIAN_FRONTEND=noninteractive bounded "$limit" apt-get install -y -q \
    --no-install-recommends "${missing[@]}" >"$log" 2>&1; then
    bounded "$limit" apt-get update -q >>"$log" 2>&1 ||
      skip "apt-get update failed on the host (network?); see $log"
    DEBIAN_FRONTEND=noninteractive bounded "$limit" apt-get install -y -q \
      --no-install-recommends "${missing[@]}" >>"$log" 2>&1 ||
      { tail -n 20 "$log" >&2; die "could not install ${missing[*]} on the host"; }
  fi
}

# debootstrap_into SUITE DIR MIRROR LOG LIMIT [EXTRA-OPTION...]: a minbase root of SUITE in DIR
# (removed first); skips when the mirror went away meanwhile, dies on any other failure.
debootstrap_into() {
  local suite=$1 dir=$2 mirror=$3 log=$4 limit=$5
  shift 5
  local include=()
  case "$mirror" in https:*) include=(--include=ca-certificates) ;; esac
  remove_tree "$dir"
  say "debootstrap --variant=minbase $suite into $dir (at most ${limit}s)"
  if ! bounded "$limit" unshare --mount --propagation private \
    debootstrap --variant=minbase "${include[@]}" "$@" \
    --keyring=/usr/share/keyrings/debian-archive-keyring.gpg \
    "$suite" "$dir" "$mirror" >"$log" 2>&1; then
    tail -n 20 "$log" >&2
    [ -f "$dir/debootstrap/debootstrap.log" ] && tail -n 20 "$dir/debootstrap/debootstrap.log" >&2
    reachable "$mirror/dists/$suite/Release" || skip "lost the Debian archive ($mirror) during debootstrap"
    die "debootstrap failed (log: $log)"
  fi
}

# lock_root ROOT LIMIT [-s]: holds ROOT.lock on descriptor 9 (exclusive, or shared with -s)
# until the script ends, waiting at most LIMIT seconds for another holder.
lock_root() {
  local root=$1 limit=$2 mode=${3:--x}
  mkdir -p "$(dirname "$root")"
  exec 9>>"$root.lock"
  if ! flock -n "$mode" 9; then
    say "another run holds $root.lock; waiting (at most ${limit}s)"
    flock -w "$limit" "$mode" 9 || die "timed out waiting for $root.lock"
  fi
}
