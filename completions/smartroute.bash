# bash completion for smartroute(1)                         -*- shell-script -*-
# Install as /usr/share/bash-completion/completions/smartroute, or source it from ~/.bashrc.
# Keep in step with the command table in cmd/main.cpp; tests/integration/docs_coverage.sh
# checks that every command and option appears here.

# _smartroute_files PATTERN: directories and the files matching the extended glob PATTERN.
_smartroute_files() {
  if declare -F _filedir >/dev/null; then
    _filedir "$1"
    return
  fi
  compopt -o filenames 2>/dev/null
  local IFS=$'\n' extglob
  extglob=$(shopt -p extglob)
  shopt -s extglob
  COMPREPLY=($(compgen -d -- "$cur") $(compgen -f -X "!*.@($1)" -- "$cur"))
  eval "$extglob"
}

# _smartroute_any_files: every file and directory (a file to write may not exist yet).
_smartroute_any_files() {
  if declare -F _filedir >/dev/null; then
    _filedir
    return
  fi
  compopt -o filenames 2>/dev/null
  local IFS=$'\n'
  COMPREPLY=($(compgen -f -- "$cur"))
}

# _smartroute_dirs: directories only.
_smartroute_dirs() {
  if declare -F _filedir >/dev/null; then
    _filedir -d
    return
  fi
  compopt -o filenames 2>/dev/null
  local IFS=$'\n'
  COMPREPLY=($(compgen -d -- "$cur"))
}

_smartroute() {
  local cur=${COMP_WORDS[COMP_CWORD]} prev=${COMP_WORDS[COMP_CWORD - 1]}
  local commands="config demo-data import sync score explain warm cache say preview serve-agi report doctor"
  # Global options are accepted before and after the command.
  local globals="--config --state-dir -v --verbose -q --quiet --json -h --help"
  # Options that take a value, so that the value is not mistaken for a command.
  local with_value="--config --state-dir --out --employees --clients --interactions --cdr
    --cdr-calls --seed --end --at --concurrency -o --output --engine --voice --listen --port
    --drain --since --until --timeout --pbx-user"

  local cmd="" sub="" word i
  for ((i = 1; i < COMP_CWORD; i++)); do
    word=${COMP_WORDS[i]}
    if [[ " ${with_value//$'\n'/ } " == *" $word "* ]]; then
      ((i++))
    elif [[ $word != -* ]]; then
      if [[ -z $cmd ]]; then
        cmd=$word
      elif [[ ($cmd == config || $cmd == cache) && -z $sub ]]; then
        sub=$word
      fi
    fi
  done

  # The value of the option before the cursor.
  case $prev in
  --config)
    _smartroute_files toml
    return
    ;;
  --state-dir | --out)
    _smartroute_dirs
    return
    ;;
  --employees | --clients | --interactions)
    if [[ $cmd == import ]]; then
      _smartroute_files 'csv|jsonl|ndjson'
    fi
    return # demo-data: a number
    ;;
  --cdr)
    _smartroute_files csv
    return
    ;;
  -o | --output)
    _smartroute_any_files
    return
    ;;
  --engine)
    COMPREPLY=($(compgen -W "espeak command yandex speechpro" -- "$cur"))
    return
    ;;
  --cdr-calls | --seed | --end | --at | --concurrency | --voice | --port | --drain)
    return # a number, a time or a name
    ;;
  --since | --until)
    COMPREPLY=($(compgen -W "24h 7d 30d $(date +%F 2>/dev/null)" -- "$cur"))
    return # a number, a time or a name
    ;;
  --listen)
    # IPv6 addresses are not offered: ":" breaks words in bash.
    COMPREPLY=($(compgen -W "127.0.0.1 0.0.0.0" -- "$cur"))
    return
    ;;
  esac

  local options
  case $cmd in
  "")
    if [[ $cur == -* ]]; then
      COMPREPLY=($(compgen -W "$globals --version" -- "$cur"))
    else
      COMPREPLY=($(compgen -W "$commands" -- "$cur"))
    fi
    return
    ;;
  config)
    if [[ -z $sub ]]; then
      if [[ $cur == -* ]]; then
        COMPREPLY=($(compgen -W "$globals" -- "$cur"))
      else
        COMPREPLY=($(compgen -W "check show" -- "$cur"))
      fi
      return
    fi
    if [[ $sub == check && $cur != -* ]]; then
      _smartroute_files toml
      return
    fi
    options=""
    ;;
  demo-data)
    options="--out --employees --clients --interactions --cdr-calls --seed --end"
    ;;
  import)
    options="--employees --clients --interactions --cdr --skip-invalid"
    ;;
  sync)
    options="--check --dry-run -n"
    ;;
  score)
    options="--at --full"
    ;;
  explain)
    # PHONE: a number to type, never a file.
    [[ $cur == -* ]] || return
    options="--at"
    ;;
  warm)
    options="--dry-run --concurrency"
    ;;
  cache)
    if [[ -z $sub ]]; then
      if [[ $cur == -* ]]; then
        COMPREPLY=($(compgen -W "$globals" -- "$cur"))
      else
        COMPREPLY=($(compgen -W "status verify gc" -- "$cur"))
      fi
      return
    fi
    [[ $cur == -* ]] || return
    options=""
    [[ $sub == gc ]] && options="--dry-run"
    ;;
  say)
    # TEXT: a phrase to type, never a file.
    [[ $cur == -* ]] || return
    options="-o --output --engine --voice"
    ;;
  preview)
    # PHONE: a number to type, never a file.
    [[ $cur == -* ]] || return
    options="-o --output --at --play --call"
    ;;
  serve-agi)
    options="--listen --port --foreground --drain"
    ;;
  report)
    options="--since --until --csv"
    ;;
  doctor)
    if [[ $prev == --pbx-user ]]; then
      COMPREPLY=($(compgen -u -- "$cur"))
      return
    fi
    [[ $prev == --timeout ]] && return
    options="--timeout --pbx-user --paid-check"
    ;;
  *)
    return
    ;;
  esac
  COMPREPLY=($(compgen -W "$options $globals" -- "$cur"))
}

complete -F _smartroute smartroute
