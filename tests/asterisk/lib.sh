# A real Asterisk for integration scenarios: runs it from the Debian sid root that
# tests/asterisk/setup.sh builds, with its own configuration, and drives it through the CLI.
# Source it after tests/integration/lib.sh (and after tests/doubles/double.sh, which replaces
# the EXIT trap):
#
#   source "$SOURCE_DIR/tests/asterisk/lib.sh"
#   ast_setup                                   # builds or reuses the root; exit 125 = skip
#   ast_start DIALPLAN [--bind DIR]... [--subst FROM=TO]... [--load MODULE]... [--conf NAME=FILE]...
#   ast_log_mark                                # later waits only look at newer log lines
#   ast_originate Local/s@smartroute-in caller silent
#   ast_wait_for_log 'TARGET REACHED 201' 10 || fail "..."
#   ast_wait_idle 10                            # no channel left
#   ast_cli "core show channels"
#   ast_stop                                    # also runs on exit
#
# ast_start gives the instance its own directory inside the root (ROOT/tmp/smartroute-ast.*)
# holding asterisk.conf (run, log, spool, db and cache directories all inside it), modules.conf
# (autoload off: only what the dialplans need, start-up well under a second), logger.conf and
# extensions.conf (DIALPLAN with each literal FROM replaced by TO), and each --conf FILE as NAME
# (e.g. manager.conf=FILE to enable AMI; the default one disables it). Asterisk runs as root in
# private mount and PID namespaces: each --bind DIR (an absolute host directory, e.g. the audio
# cache) is bind-mounted at the same path inside the root, because the absolute file names that
# STREAM FILE receives are resolved inside the chroot. The namespaces end with Asterisk, so the
# mounts cannot outlive it; Asterisk also dies with the test shell (parent-death signal) and
# after $AST_MAX_SECONDS in any case.
#
# Each running instance holds a shared lock on ROOT/tmp/.smartroute-ast.lock, so concurrent
# scenarios (ctest -j) each get their own Asterisk; the instance directories of killed runs and
# the mount points created in the root are swept when no instance runs.
#
# Pitfalls handled here: the root's /var/run is an absolute symlink to /run (seen from the host
# it is the host's /run), hence the private directories; a mount point is never created through
# a symlink in the root; res_agi needs res_speech, Dial needs bridge_simple (without it the
# answered call fails with "Could not create class basic"), playback needs res_timing_timerfd.
[ -n "${SOURCE_DIR:-}" ] || SOURCE_DIR=$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)

AST_ROOT=${AST_ROOT:-${SMARTROUTE_ASTERISK_ROOT:-/var/cache/smartroute-test/asterisk-sid}}
AST_BOOT_TIMEOUT=${AST_BOOT_TIMEOUT:-30}
AST_MAX_SECONDS=${AST_MAX_SECONDS:-900}
AST_CLI_TIMEOUT=${AST_CLI_TIMEOUT:-10}
# Modules loaded on every start (autoload is off); --load adds more.
AST_MODULES=(res_timing_timerfd res_speech res_agi res_clioriginate pbx_config bridge_simple
  app_dial app_playback app_senddtmf app_verbose app_stack app_exec
  func_callerid func_logic func_strings
  format_wav format_pcm format_sln format_gsm
  codec_ulaw codec_alaw codec_a_mu codec_gsm codec_resample)

AST_PID=""          # the unshare process that holds Asterisk's namespaces
AST_HOST_DIR=""     # the instance directory as seen from the host
AST_DIR=""          # the same directory inside the root
AST_CONF=""         # asterisk.conf inside the root
AST_LOG=""          # the full log (verbose, notice, warning, error), host path
AST_LOG_MARK=0      # byte offset of the log where ast_wait_for_log starts looking
AST_LOCK_FD=""      # shared lock on $AST_ROOT/tmp/.smartroute-ast.lock while starting
# shellcheck disable=SC2034 # for the scenarios
AST_START_MS=""     # how long the last ast_start took to boot, in ms
AST_SETUP_REUSED="" # set by ast_setup: 1 when the root was reused, 0 when built

_ast_fail() {
  if declare -F fail >/dev/null; then
    fail "$@"
  fi
  echo "FAIL: $*" >&2
  exit 1
}

# ast_setup: builds or reuses the root (tests/asterisk/setup.sh), showing what it does; exits
# 125 when it skips. Sets AST_SETUP_REUSED to 1 when the root existed and worked, else 0.
ast_setup() {
  local rc=0 out
  out=$(mktemp)
  bash "$SOURCE_DIR/tests/asterisk/setup.sh" "$AST_ROOT" 2>&1 | tee "$out" || rc=${PIPESTATUS[0]}
  # shellcheck disable=SC2034 # for the scenarios
  AST_SETUP_REUSED=0
  # shellcheck disable=SC2034
  if grep -q "^setup\[[0-9]*s\]: reusing" "$out"; then AST_SETUP_REUSED=1; fi
  rm -f "$out"
  [ "$rc" -ne 125 ] || exit 125
  [ "$rc" -eq 0 ] || _ast_fail "tests/asterisk/setup.sh failed ($rc)"
}

# ast_cli COMMAND: runs one CLI command in the running Asterisk and prints its output.
ast_cli() {
  [ -n "$AST_CONF" ] || _ast_fail "ast_cli: Asterisk is not running"
  timeout -k 2 "$AST_CLI_TIMEOUT" chroot "$AST_ROOT" /usr/sbin/asterisk -C "$AST_CONF" -rx "$1"
}

# ast_originate CHANNEL CONTEXT EXTEN: starts a call from CHANNEL (e.g. Local/s@smartroute-in,
# whose ;2 leg runs that dialplan) whose other leg, once answered, runs EXTEN@CONTEXT.
ast_originate() {
  local out
  out=$(ast_cli "channel originate $1 extension $3@$2") || _ast_fail "originate $1 failed: $out"
  [ -z "$out" ] || echo "$out"
}

# ast_log_mark: later ast_wait_for_log calls only look at lines logged from now on.
ast_log_mark() {
  AST_LOG_MARK=$(stat -c %s "$AST_LOG" 2>/dev/null || echo 0)
}

# ast_log_since_mark: prints the log from the mark on.
ast_log_since_mark() {
  tail -c +"$((AST_LOG_MARK + 1))" "$AST_LOG" 2>/dev/null
}

# ast_wait_for_log REGEX [TIMEOUT]: waits (default 10 s) until a line logged since the mark
# matches the extended REGEX and prints the first such line; otherwise prints the log's last
# lines to stderr and returns 1.
ast_wait_for_log() {
  local re=$1 limit=${2:-10} deadline line text
  deadline=$(($(date +%s%N) + limit * 1000000000))
  while :; do
    text=$(ast_log_since_mark)
    line=$(grep -E -m1 -- "$re" <<<"$text") && { echo "$line"; return 0; }
    [ "$(date +%s%N)" -lt "$deadline" ] || break
    _ast_running || { echo "Asterisk is no longer running" >&2; break; }
    sleep 0.1
  done
  echo "--- no line matching /$re/ in the Asterisk log after ${limit}s; the last lines:" >&2
  ast_log_since_mark | tail -n 30 >&2
  return 1
}

# ast_wait_idle [TIMEOUT]: waits (default 10 s) until no channel is up.
ast_wait_idle() {
  local limit=${1:-10} deadline out
  deadline=$(($(date +%s%N) + limit * 1000000000))
  while :; do
    out=$(ast_cli "core show channels count" 2>&1) || true
    grep -qE '^0 active channels' <<<"$out" && return 0
    [ "$(date +%s%N)" -lt "$deadline" ] || break
    sleep 0.1
  done
  echo "--- channels still up after ${limit}s:" >&2
  ast_cli "core show channels" >&2 || true
  return 1
}

_ast_running() {
  [ -n "$AST_PID" ] && [ -e "/proc/$AST_PID" ] &&
    [ "$(awk '{ print $3 }' "/proc/$AST_PID/stat" 2>/dev/null)" != "Z" ]
}

# Creates the mount point for host directory $1 inside the root, refusing to go through a
# symlink of the root (such as /var/run -> /run, which would land on the host), and records
# the first directory it had to create in the registry that _ast_sweep empties.
_ast_mountpoint() {
  local path=$1 cur="$AST_ROOT" part rest
  rest=${path#/}
  while [ -n "$rest" ]; do
    part=${rest%%/*}
    if [ "$part" = "$rest" ]; then rest=""; else rest=${rest#*/}; fi
    [ -n "$part" ] || continue
    cur=$cur/$part
    if [ -L "$cur" ]; then
      _ast_fail "cannot bind $path: ${cur#"$AST_ROOT"} is a symlink inside the Asterisk root"
    elif [ ! -e "$cur" ]; then
      mkdir -p "$cur$([ -n "$rest" ] && echo "/$rest")"
      echo "$cur" >>"$AST_ROOT/tmp/.smartroute-ast.mountpoints"
      return 0
    elif [ ! -d "$cur" ]; then
      _ast_fail "cannot bind $path: ${cur#"$AST_ROOT"} is not a directory inside the Asterisk root"
    fi
  done
}

# ast_start DIALPLAN [--bind DIR]... [--subst FROM=TO]... [--load MODULE]... [--conf NAME=FILE]...
ast_start() {
  local dialplan=$1 binds=() substs=() confs=() modules=("${AST_MODULES[@]}") m content pair t0 d
  shift
  [ -f "$dialplan" ] || _ast_fail "ast_start: no dialplan file $dialplan"
  while [ $# -gt 0 ]; do
    case "$1" in
      --bind) binds+=("$2") ;;
      --subst) substs+=("$2") ;;
      --load) modules+=("$2") ;;
      --conf) confs+=("$2") ;;
      *) _ast_fail "ast_start: unknown option $1" ;;
    esac
    shift 2
  done
  [ -z "$AST_PID" ] || _ast_fail "ast_start: Asterisk is already running"
  [ "$(id -u)" -eq 0 ] || { echo "SKIP: running Asterisk in its chroot needs root" >&2; exit 125; }
  for m in unshare setpriv flock chroot timeout; do
    command -v "$m" >/dev/null || { echo "SKIP: $m is not installed" >&2; exit 125; }
  done
  [ -x "$AST_ROOT/usr/sbin/asterisk" ] || _ast_fail "no Asterisk root at $AST_ROOT (run ast_setup)"
  if [ ! -d "$AST_ROOT/tmp" ] || [ -L "$AST_ROOT/tmp" ]; then
    _ast_fail "$AST_ROOT/tmp is not a directory"
  fi

  # Every running instance holds a shared lock on this file (its processes inherit the
  # descriptor opened here); leftovers are only swept while nobody holds it.
  _ast_sweep
  exec {AST_LOCK_FD}>>"$AST_ROOT/tmp/.smartroute-ast.lock"
  flock -s -w 60 "$AST_LOCK_FD" || _ast_fail "could not lock $AST_ROOT/tmp/.smartroute-ast.lock"
  AST_HOST_DIR=$(mktemp -d "$AST_ROOT/tmp/smartroute-ast.XXXXXX")
  chmod 755 "$AST_HOST_DIR"
  AST_DIR=${AST_HOST_DIR#"$AST_ROOT"}
  AST_CONF=$AST_DIR/etc/asterisk.conf
  AST_LOG=$AST_HOST_DIR/log/full
  AST_LOG_MARK=0
  for d in etc run log spool db cache; do mkdir -p "$AST_HOST_DIR/$d"; done
  local etc=$AST_HOST_DIR/etc moddir
  moddir=$(cd "$AST_ROOT" && find usr/lib -type d -path '*/asterisk/modules' -print -quit)
  [ -n "$moddir" ] || _ast_fail "no Asterisk modules directory in $AST_ROOT"

  cat >"$etc/asterisk.conf" <<EOF
[directories]
astetcdir => $AST_DIR/etc
astmoddir => /$moddir
astvarlibdir => /var/lib/asterisk
astdbdir => $AST_DIR/db
astkeydir => $AST_DIR/db
astdatadir => /usr/share/asterisk
astagidir => /usr/share/asterisk/agi-bin
astspooldir => $AST_DIR/spool
astrundir => $AST_DIR/run
astlogdir => $AST_DIR/log
astcachedir => $AST_DIR/cache
astsbindir => /usr/sbin

[options]
verbose = 3
hideconnect = yes
EOF
  {
    echo "[modules]"
    echo "autoload = no"
    for m in "${modules[@]}"; do echo "load => ${m%.so}.so"; done
  } >"$etc/modules.conf"
  printf '[general]\ndateformat = %%F %%T.%%3q\n\n[logfiles]\nfull => notice,warning,error,verbose,dtmf\n' \
    >"$etc/logger.conf"
  # The core reads these; present and minimal they keep the log free of "cannot load" errors.
  printf '[general]\nenable = no\n' >"$etc/cdr.conf"
  printf '[general]\nenabled = no\n' >"$etc/manager.conf"
  for m in cel features ccss acl udptl stasis; do : >"$etc/$m.conf"; done
  if [ -f "$AST_ROOT/etc/asterisk/indications.conf" ]; then
    cp "$AST_ROOT/etc/asterisk/indications.conf" "$etc/indications.conf"
  fi
  content=$(cat "$dialplan")
  for pair in "${substs[@]}"; do
    [[ "$pair" == *=* ]] || _ast_fail "ast_start: --subst wants FROM=TO, got $pair"
    content=${content//"${pair%%=*}"/"${pair#*=}"}
  done
  printf '%s\n' "$content" >"$etc/extensions.conf"
  for pair in "${confs[@]}"; do
    [[ "$pair" == *.conf=* ]] || _ast_fail "ast_start: --conf wants NAME.conf=FILE, got $pair"
    [[ "${pair%%=*}" != */* ]] || _ast_fail "ast_start: --conf NAME must be a plain file name"
    cp "${pair#*=}" "$etc/${pair%%=*}" || _ast_fail "ast_start: cannot copy ${pair#*=}"
  done

  for d in "${binds[@]}"; do
    if [[ "$d" != /* ]] || [ ! -d "$d" ]; then
      _ast_fail "ast_start: --bind wants an absolute directory, got $d"
    fi
    _ast_mountpoint "$d"
  done

  t0=$(date +%s%N)
  # shellcheck disable=SC2016 # expanded by the inner sh
  setpriv --pdeathsig KILL unshare --mount --propagation private --pid --fork --kill-child \
    sh -c 'root=$1 conf=$2 max=$3; shift 3
      for d in "$@"; do mount --bind "$d" "$root$d" || exit 1; done
      mount -t proc proc "$root/proc" || exit 1
      exec timeout -s KILL "$max" chroot "$root" /usr/sbin/asterisk -C "$conf" -f -n' \
    ast "$AST_ROOT" "$AST_CONF" "$AST_MAX_SECONDS" "${binds[@]}" \
    </dev/null >"$AST_HOST_DIR/console.log" 2>&1 &
  AST_PID=$!

  local deadline=$((t0 + AST_BOOT_TIMEOUT * 1000000000))
  until timeout -k 1 5 chroot "$AST_ROOT" /usr/sbin/asterisk -C "$AST_CONF" \
    -rx "core waitfullybooted" >/dev/null 2>&1; do
    if ! _ast_running || [ "$(date +%s%N)" -ge "$deadline" ]; then
      echo "--- Asterisk console:" >&2
      tail -n 30 "$AST_HOST_DIR/console.log" >&2
      echo "--- Asterisk log:" >&2
      tail -n 30 "$AST_LOG" >&2 2>/dev/null || true
      _ast_fail "Asterisk did not finish booting within ${AST_BOOT_TIMEOUT}s"
    fi
    sleep 0.05
  done
  exec {AST_LOCK_FD}>&- # Asterisk's processes hold the lock from now on
  AST_LOCK_FD=""
  # shellcheck disable=SC2034 # for the scenarios
  AST_START_MS=$((($(date +%s%N) - t0) / 1000000))
  # A module that failed to load would only show up later as a confusing dialplan failure.
  if grep -E "Error loading module|Declined to load|failed to load" "$AST_LOG" >&2; then
    _ast_fail "Asterisk could not load every module (see above)"
  fi
}

# ast_stop: stops Asterisk (gracefully, then by force), so its mounts vanish, removes the
# instance directory, and sweeps when no other instance runs. Safe to call twice.
ast_stop() {
  local d
  if [ -n "$AST_PID" ]; then
    if _ast_running; then
      timeout -k 1 5 chroot "$AST_ROOT" /usr/sbin/asterisk -C "$AST_CONF" -rx "core stop now" \
        >/dev/null 2>&1 || true
      for _ in $(seq 50); do
        _ast_running || break
        sleep 0.1
      done
    fi
    if _ast_running; then
      kill -TERM "$AST_PID" 2>/dev/null || true # --kill-child: the namespace dies with it
      for _ in $(seq 30); do
        _ast_running || break
        sleep 0.1
      done
      kill -KILL "$AST_PID" 2>/dev/null || true
    fi
    wait "$AST_PID" 2>/dev/null || true
    AST_PID=""
  fi
  if [ -n "$AST_LOCK_FD" ]; then
    exec {AST_LOCK_FD}>&-
    AST_LOCK_FD=""
  fi
  if [ -n "$AST_HOST_DIR" ]; then
    rm -rf --one-file-system "$AST_HOST_DIR"
    AST_HOST_DIR=""
  fi
  AST_CONF=""
  _ast_sweep
}

# When no instance runs (nobody holds the shared lock): removes the instance directories of
# runs killed before they could clean up, and the mount points instances created in the root.
# Mount points wait for this moment because concurrent instances may share them.
_ast_sweep() {
  local fd d
  [ -d "$AST_ROOT/tmp" ] || return 0
  exec {fd}>>"$AST_ROOT/tmp/.smartroute-ast.lock"
  if flock -n -x "$fd"; then
    for d in "$AST_ROOT"/tmp/smartroute-ast.*; do
      if [ -d "$d" ]; then rm -rf --one-file-system "$d"; fi
    done
    if [ -f "$AST_ROOT/tmp/.smartroute-ast.mountpoints" ]; then
      sort -u "$AST_ROOT/tmp/.smartroute-ast.mountpoints" | while read -r d; do
        # Only directories, only empty ones, never across a mount.
        case "$d" in "$AST_ROOT"/*) ;; *) continue ;; esac
        if [ -d "$d" ] && [ ! -L "$d" ]; then
          find "$d" -xdev -depth -type d -empty -delete 2>/dev/null || true
        fi
      done
      rm -f "$AST_ROOT/tmp/.smartroute-ast.mountpoints"
    fi
  fi
  exec {fd}>&-
}

# On exit, stop Asterisk first (printing the end of its log when the scenario failed), then
# run whatever EXIT trap was set before this file was sourced.
_ast_trap_command() { # the command of a "trap -- 'command' EXIT" line
  [ -n "$1" ] || return 0
  eval "set -- $1"
  printf '%s' "$3"
}
_ast_prev_trap=$(_ast_trap_command "$(trap -p EXIT)")
_ast_on_exit() {
  local rc=$?
  set +e # clean up everything, whatever fails
  if [ "$rc" -ne 0 ] && [ "$rc" -ne 125 ] && [ -n "$AST_HOST_DIR" ] && [ -f "$AST_LOG" ]; then
    echo "--- the Asterisk log's last lines:" >&2
    tail -n 40 "$AST_LOG" >&2
  fi
  ast_stop
  (exit "$rc")
  eval "$_ast_prev_trap"
}
trap _ast_on_exit EXIT
trap 'exit 130' INT
trap 'exit 143' TERM
