# Documentation follows the binary: every command and option that the binary's own help lists
# appears in the man page, in the bash, zsh and fish completions and in README.md; every key that
# `config show` prints is described in smartroute.toml(5); the completions parse; the man pages
# render without a warning and match their Markdown sources.
source "$(dirname "$0")/lib.sh"

MAN1=$SOURCE_DIR/man/smartroute.1
MAN5=$SOURCE_DIR/man/smartroute.toml.5
BASH_COMPLETION=$SOURCE_DIR/completions/smartroute.bash
ZSH_COMPLETION=$SOURCE_DIR/completions/_smartroute
FISH_COMPLETION=$SOURCE_DIR/completions/smartroute.fish
README=$SOURCE_DIR/README.md
COMPLETIONS=("$BASH_COMPLETION" "$ZSH_COMPLETION" "$FISH_COMPLETION")

for f in "$MAN1" "$MAN5" "${COMPLETIONS[@]}"; do
  [ -f "$f" ] || fail "$f is missing"
done

# --- What the binary says it has ------------------------------------------------------------

# subcommands HELP: the names listed under CLI11's "Subcommands:" (or "SUBCOMMANDS:") heading:
# lines indented a little; a deeper indentation continues a description, a blank or unindented
# line ends the list.
subcommands() {
  local line inside=0
  while IFS= read -r line; do
    if [[ $line =~ ^[[:space:]]*(SUBCOMMANDS|Subcommands):[[:space:]]*$ ]]; then
      inside=1
    elif ((inside)); then
      if [[ $line =~ ^\ {1,4}([[:alnum:]][[:alnum:]_-]*)([[:space:]]|$) ]]; then
        echo "${BASH_REMATCH[1]}"
      elif [[ -z ${line//[[:space:]]/} || $line =~ ^[^[:space:]] ]]; then
        inside=0
      fi
    fi
  done <"$1"
}

# long_options HELP: the long options (--name) in the option column of a CLI11 help.
long_options() {
  local line spec name
  local -a names
  while IFS= read -r line; do
    [[ $line =~ ^\ {1,4}(-[^[:space:]]+) ]] || continue
    spec=${BASH_REMATCH[1]}
    IFS=, read -ra names <<<"$spec"
    for name in "${names[@]}"; do
      name=${name%%[=\{]*}
      [[ $name == --?* ]] && echo "$name"
    done
  done <"$1" | sort -u
}

# help_of ARGS...: writes the help of `smartroute ARGS... --help` to a file and prints its name.
help_of() {
  local file=$WORK/help.${*// /_}
  file=${file%.}
  "$SMARTROUTE" "$@" --help >"$file" 2>"$WORK/help.err" ||
    { cat "$WORK/help.err" >&2; fail "'smartroute $* --help' failed"; }
  echo "$file"
}

top_help=$(help_of)
mapfile -t commands < <(subcommands "$top_help")
((${#commands[@]} > 0)) || { cat "$top_help" >&2; fail "no commands found in 'smartroute --help'"; }
mapfile -t global_options < <(long_options "$top_help")
((${#global_options[@]} > 0)) || fail "no options found in 'smartroute --help'"

# --- Where they must appear ------------------------------------------------------------------

# The man page as text: roff escapes for hyphens and fonts removed.
plain_roff() {
  sed -e 's/\\-/-/g' -e 's/\\f\[[^]]*\]//g' -e 's/\\f[BIRPV]//g' -e 's/\\&//g' -e 's/\\(em/--/g' "$1"
}
plain_roff "$MAN1" >"$WORK/man1.txt"
plain_roff "$MAN5" >"$WORK/man5.txt"

# has_word FILE WORD: WORD occurs in FILE, not as part of a longer name.
has_word() {
  local word=$2
  grep -qE -- "(^|[^[:alnum:]_-])${word//./\\.}([^[:alnum:]_-]|$)" "$1"
}

problems=0
missing() {
  echo "missing: $*" >&2
  problems=$((problems + 1))
}

# check_option OPTION WHERE: OPTION (--name) is in the man page and every completion file.
check_option() {
  local option=$1 where=$2 file
  has_word "$WORK/man1.txt" "$option" || missing "$option ($where) in $MAN1"
  for file in "$BASH_COMPLETION" "$ZSH_COMPLETION"; do
    has_word "$file" "$option" || missing "$option ($where) in $file"
  done
  # fish names long options without their dashes: "-l name" or "--long-option name".
  grep -qE -- "(-l|--long-option|--long)[[:space:]]+['\"]?${option#--}['\"]?([[:space:]]|$)" \
    "$FISH_COMPLETION" || missing "$option ($where) in $FISH_COMPLETION"
}

for option in "${global_options[@]}"; do
  check_option "$option" "global option"
done

for command in "${commands[@]}"; do
  grep -qE "^\.SS \"?(smartroute )?$command\"?[[:space:]]*$" "$WORK/man1.txt" ||
    missing "a '.SS $command' subsection in $MAN1"
  for file in "${COMPLETIONS[@]}"; do
    has_word "$file" "$command" || missing "command '$command' in $file"
  done
  if [ -f "$README" ]; then
    has_word "$README" "$command" || missing "command '$command' in $README"
  fi

  help=$(help_of "$command")
  while read -r option; do
    check_option "$option" "of $command"
  done < <(long_options "$help")

  # A command's own subcommands (config check, config show) and their options.
  while read -r sub; do
    grep -qF "$command $sub" "$WORK/man1.txt" || missing "'$command $sub' in $MAN1"
    for file in "${COMPLETIONS[@]}"; do
      has_word "$file" "$sub" || missing "'$command $sub' in $file"
    done
    while read -r option; do
      check_option "$option" "of $command $sub"
    done < <(long_options "$(help_of "$command" "$sub")")
  done < <(subcommands "$help")
done

[ -f "$README" ] || missing "$README (it must name every command)"

# Every configuration key is described in its section of smartroute.toml(5); the example file
# fills every array section, so `config show` lists their keys too.
section_text() {
  awk -v heading=".SS $1" '$0 == heading { on = 1; next } on && /^\.S[HS]/ { exit } on' \
    "$WORK/man5.txt"
}
expect_status 0 "$SMARTROUTE" --config "$SOURCE_DIR/examples/smartroute.toml" \
  --state-dir "$WORK/state" config show --json
keys=$(json "$WORK/out" '"\n".join(sorted({s["key"] for s in d["settings"]}))')
[ -n "$keys" ] || fail "'config show --json' listed no keys"
declare -A seen_key
while read -r key; do
  if [[ $key =~ ^([a-z_]+)\[[0-9]+\]\.([a-z_]+)$ ]]; then
    heading="[[${BASH_REMATCH[1]}]]"
  elif [[ $key =~ ^([a-z_]+)\.([a-z_]+)$ ]]; then
    heading="[${BASH_REMATCH[1]}]"
  else
    missing "a section for the key '$key' (unexpected form)"
    continue
  fi
  name=${BASH_REMATCH[2]}
  [ -z "${seen_key[$heading.$name]:-}" ] || continue
  seen_key[$heading.$name]=1
  section_text "$heading" >"$WORK/section"
  if [ ! -s "$WORK/section" ]; then
    missing "a '.SS $heading' subsection in $MAN5"
  elif ! has_word "$WORK/section" "$name"; then
    missing "key '$name' in the $heading subsection of $MAN5"
  fi
done <<<"$keys"

((problems == 0)) || fail "$problems documentation gaps (see above)"

# --- The files themselves --------------------------------------------------------------------

skip() { echo "skip: $*" >&2; }

bash -n "$BASH_COMPLETION" || fail "$BASH_COMPLETION: bash syntax error"
if command -v zsh >/dev/null; then
  zsh -n "$ZSH_COMPLETION" || fail "$ZSH_COMPLETION: zsh syntax error"
else
  skip "zsh is not installed"
fi
if command -v fish >/dev/null; then
  fish -n "$FISH_COMPLETION" || fail "$FISH_COMPLETION: fish syntax error"
else
  skip "fish is not installed"
fi

# The bash completion really completes: commands, options, and the value of a file option.
(
  set +eu # as in an interactive shell
  source "$BASH_COMPLETION"
  complete_line() {
    COMP_WORDS=("$@")
    COMP_CWORD=$(($# - 1))
    COMPREPLY=()
    _smartroute
    echo "${COMPREPLY[*]}"
  }
  for command in "${commands[@]}"; do
    [[ " $(complete_line smartroute '') " == *" $command "* ]] ||
      fail "bash completion does not offer '$command'"
  done
  [[ " $(complete_line smartroute import --sk) " == *" --skip-invalid "* ]] ||
    fail "bash completion does not offer 'import --skip-invalid'"
) || exit 1

# The pages render without a warning, also in the C locale (they are kept ASCII).
for page in "$MAN1" "$MAN5"; do
  if command -v groff >/dev/null; then
    groff -ww -man -z "$page" 2>"$WORK/warnings" || fail "groff cannot render $page"
    [ ! -s "$WORK/warnings" ] || { cat "$WORK/warnings" >&2; fail "groff warns about $page"; }
  else
    skip "groff is not installed"
  fi
  if command -v man >/dev/null; then
    for locale in C.UTF-8 C; do
      LANG=$locale LC_ALL=$locale MANWIDTH=80 man --warnings -l "$page" >/dev/null \
        2>"$WORK/warnings" || fail "man -l $page failed"
      [ ! -s "$WORK/warnings" ] ||
        { cat "$WORK/warnings" >&2; fail "man warns about $page (LANG=$locale)"; }
    done
  else
    skip "man is not installed"
  fi
done

# The committed roff is generated from the Markdown; with the same pandoc, regenerating it gives
# the same file (see man/README.md).
if command -v pandoc >/dev/null; then
  version=$(pandoc --version | head -n 1 | awk '{print $2}')
  for page in "$MAN1" "$MAN5"; do
    if grep -qF "generated by Pandoc $version" "$page"; then
      pandoc -s -f markdown-smart -t man "$page.md" -o "$WORK/regenerated"
      cmp -s "$page" "$WORK/regenerated" ||
        fail "$page is older than $page.md: regenerate it (see man/README.md)"
    else
      skip "$page was generated by another pandoc than $version"
    fi
  done
else
  skip "pandoc is not installed"
fi

echo "ok: ${#commands[@]} commands (${commands[*]}) documented and completed"
