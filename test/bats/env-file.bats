#!/usr/bin/env bats
# The script's settings from the project's .env, read by the bridge's rules
# (src/config/env-file.ts); the environment wins.

load test_helper

setup() {
  setup_repos
}

# The forms both readers agree on (docs/update-script.md lists them), one
# name each, and entries whose quoted value spans lines: the lines inside
# such a value are no settings, for either reader.
write_forms() {
  cat > "$1" <<'FORMS'
# a comment
   # an indented comment
PLAIN=hello
SPACED = a spaced value   
  INDENTED=yes
export EXPORTED=yes
exportLIKE=not an export
DOUBLE="double quoted"
SINGLE='single quoted'
BACKTICK=`back ticks`
DOUBLE_NEWLINE="line\nbreak"
SINGLE_NEWLINE='line\nbreak'
COMMENT=value # a comment
COMMENT_TIGHT=value#a comment
ONLY_COMMENT=# nothing but a comment
DOUBLE_HASH="value # kept"
SINGLE_HASH='value # kept'
DOUBLE_COMMENT="value" # a comment
PADDED="  padded  "
QUOTE_AFTER_SPACES=   "spaced"   
EMPTY=
BLANK=   
EMPTY_DOUBLE=""
EMPTY_SINGLE=''
EQUALS=a=b=c
INNER_QUOTE=it's
INNER_DOUBLE=a"b"
OTHER_QUOTES="it's `fine`"
WORDS=a b   c
BACKSLASH=back\slash
ACCENTS=José Müller
REPEATED=first
REPEATED=last
NOT A SETTING
1NUMBER=x
SPANNING="starts here
INSIDE_DOUBLE=not a setting
ends here"
SPANNING_SINGLE='starts here
INSIDE_SINGLE=not a setting
'
AFTER_SPANNING=read
FORMS
  printf 'CRLF=windows\r\nCRLF_QUOTED="windows quoted"\r\n' >> "$1"
}

FORM_NAMES="PLAIN SPACED INDENTED EXPORTED exportLIKE DOUBLE SINGLE BACKTICK DOUBLE_NEWLINE SINGLE_NEWLINE COMMENT
COMMENT_TIGHT ONLY_COMMENT DOUBLE_HASH SINGLE_HASH DOUBLE_COMMENT PADDED QUOTE_AFTER_SPACES EMPTY BLANK EMPTY_DOUBLE
EMPTY_SINGLE EQUALS INNER_QUOTE INNER_DOUBLE OTHER_QUOTES WORDS BACKSLASH ACCENTS REPEATED INSIDE_DOUBLE INSIDE_SINGLE
AFTER_SPANNING CRLF CRLF_QUOTED UNSET"

# "NAME=value" for each name (newlines as <NL>, "NAME unset" when there is none), by the bridge's reader.
bridge_reads() {
  # shellcheck disable=SC2016 # TypeScript, not shell
  (cd "$REPO_ROOT" && node --import tsx -e '
    import fs from "node:fs";
    import { parseEnvFile } from "./src/config/env-file.ts";
    const [file, ...names] = process.argv.slice(1);
    const { values } = parseEnvFile(fs.readFileSync(file, "utf8"));
    for (const name of names) console.log(name in values ? `${name}=${values[name].replace(/\n/g, "<NL>")}` : `${name} unset`);
  ' "$@")
}

# The same, by the script's reader, under the bash the script runs with.
script_reads() {
  # shellcheck disable=SC2016 # expanded by the bash it runs in
  "$SCRIPT_BASH" -c '
    set -eu
    . "$0"
    file=$1
    shift
    for name in "$@"; do
      if env_file_setting "$file" "$name"; then
        value=${!name}
        printf "%s=%s\n" "$name" "${value//$'"'\n'"'/<NL>}"
      else
        echo "$name unset"
      fi
    done
  ' "$REPO_ROOT/scripts/lib/env-file.sh" "$@"
}

@test "the same .env gives the script and the bridge the same values, form by form" {
  write_forms "$BATS_TEST_TMPDIR/forms.env"
  local expected
  # shellcheck disable=SC2086 # one word a name
  expected="$(bridge_reads "$BATS_TEST_TMPDIR/forms.env" $FORM_NAMES)"
  # shellcheck disable=SC2086
  run script_reads "$BATS_TEST_TMPDIR/forms.env" $FORM_NAMES

  assert_success
  assert_output "$expected"
  # What the comparison covers: a few values spelt out.
  assert_line "SPACED=a spaced value"
  assert_line "DOUBLE_NEWLINE=line<NL>break"
  assert_line "COMMENT_TIGHT=value"
  assert_line "REPEATED=last"
  assert_line "INSIDE_DOUBLE unset"
  assert_line "AFTER_SPANNING=read"
  assert_line "CRLF_QUOTED=windows quoted"
}

@test "VALOR_FETCH_TIMEOUT=bad in .env: the settings line names .env, exit 2, nothing fetched or written" {
  upstream_commit notes.txt "a note" "Add notes"
  printf 'VALOR_FETCH_TIMEOUT=bad\n' > "$MACHINE/.env"

  run_update

  assert_failure 2
  assert_output "[remote-update] FAIL: VALOR_FETCH_TIMEOUT must be a whole number of seconds (got 'bad' in .env)"
  assert [ ! -e "$MACHINE/data" ]
  assert_equal "$(head_of "$MACHINE" origin/main)" "$(head_of "$MACHINE")"

  PATH="$SCRIPT_PATH" run bash "$(update_script)" --check

  assert_failure 2
  assert_output "[remote-update] FAIL: VALOR_FETCH_TIMEOUT must be a whole number of seconds (got 'bad' in .env)"
}

@test "VALOR_FETCH_TIMEOUT set in .env bounds the fetch" {
  upstream_commit notes.txt "a note" "Add notes"
  git -C "$MACHINE" remote set-url origin "ssh://valor.invalid/valor.git"
  make_stub ssh "exec sleep 4242"
  printf '# the fetch may take\nexport VALOR_FETCH_TIMEOUT="1" # second\n' > "$MACHINE/.env"

  run_update

  assert_failure 1
  assert_last_line "[remote-update] FAIL: The remote ssh://valor.invalid/valor.git did not answer within 1 s (VALOR_FETCH_TIMEOUT). Nothing was pulled; the next run tries again."
  assert_gone_within 5 "$(cat "$STUB_BIN/ssh.pid")"
}

@test "the environment wins over .env, even set empty" {
  upstream_commit notes.txt "a note" "Add notes"
  printf 'VALOR_FETCH_TIMEOUT=bad\n' > "$MACHINE/.env"

  VALOR_FETCH_TIMEOUT=30 PATH="$SCRIPT_PATH" run bash "$(update_script)"

  assert_success
  assert_line "[remote-update] Pulled 1 commit(s):"

  upstream_commit notes.txt "another note" "Reword notes"
  VALOR_FETCH_TIMEOUT="" PATH="$SCRIPT_PATH" run bash "$(update_script)"

  assert_success
  assert_line "[remote-update] Pulled 1 commit(s):"
}

@test "VALOR_UPDATE_TRIGGER is not read from .env: it names who started the run" {
  printf 'VALOR_UPDATE_TRIGGER=schedule\n' > "$MACHINE/.env"

  run_update

  assert_success
  assert_last_update trigger manual
}
