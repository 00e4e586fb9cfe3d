# Shared set-up for the remote-update suites: a bare origin, an upstream
# clone that pushes to it, and the machine clone the real script runs in.
# Only uv, pip and npm are stubbed, as executables first on PATH.

REPO_ROOT="$(cd "$BATS_TEST_DIRNAME/../.." && pwd)"
# A Mac's TMPDIR is behind a symlink (/var is /private/var) and the script
# names folders as `pwd -P` finds them: the tests' folders are the resolved
# ones. (A checkout reached through a symlink is a test of its own.)
if [ -n "${BATS_TEST_TMPDIR:-}" ]; then
  BATS_TEST_TMPDIR="$(cd "$BATS_TEST_TMPDIR" && pwd -P)"
fi
load "$REPO_ROOT/node_modules/bats-support/load"
load "$REPO_ROOT/node_modules/bats-assert/load"

# The commands the script and the stubs need: the script runs with nothing
# else on PATH, so whether uv or npm "exists" is the test's choice, not this
# machine's.
SYSTEM_COMMANDS="git cat date dirname find mkdir mktemp mv ps readlink rm rmdir sed sleep"
# Found when this machine has it (macOS always does): the script reads git
# processes' current directories with it, else from /proc.
OPTIONAL_COMMANDS="lsof"

# The bash the script runs under: test/run-all.sh runs the suite a second
# time with VALOR_TEST_BASH set to macOS's bash 3.2.
SCRIPT_BASH="${VALOR_TEST_BASH:-$(command -v bash)}"

setup_path() {
  SYSTEM_BIN="$BATS_TEST_TMPDIR/system-bin"
  STUB_BIN="$BATS_TEST_TMPDIR/stub-bin"
  STUB_LOG="$BATS_TEST_TMPDIR/stub.log"
  mkdir -p "$SYSTEM_BIN" "$STUB_BIN"
  : > "$STUB_LOG"
  local cmd
  for cmd in $SYSTEM_COMMANDS; do
    ln -s "$(command -v "$cmd")" "$SYSTEM_BIN/$cmd"
  done
  for cmd in $OPTIONAL_COMMANDS; do
    if command -v "$cmd" > /dev/null; then
      ln -s "$(command -v "$cmd")" "$SYSTEM_BIN/$cmd"
    fi
  done
  ln -s "$SCRIPT_BASH" "$SYSTEM_BIN/bash"
  SCRIPT_PATH="$STUB_BIN:$SYSTEM_BIN"
}

setup_git_identity() {
  export HOME="$BATS_TEST_TMPDIR/home"
  mkdir -p "$HOME"
  export GIT_CONFIG_NOSYSTEM=1
  git config --global user.name "Valor Test"
  git config --global user.email "valor@example.invalid"
  git config --global init.defaultBranch main
  git config --global advice.detachedHead false
}

# copy_update_script FOLDER: the update script and its parts into FOLDER/scripts.
copy_update_script() {
  mkdir -p "$1/scripts"
  cp "$REPO_ROOT/scripts/remote-update.sh" "$1/scripts/"
  cp -R "$REPO_ROOT/scripts/lib" "$1/scripts/"
}

setup_repos() {
  setup_path
  setup_git_identity
  ORIGIN="$BATS_TEST_TMPDIR/origin.git"
  UPSTREAM="$BATS_TEST_TMPDIR/upstream"
  MACHINE="$BATS_TEST_TMPDIR/machine"
  git init -q --bare "$ORIGIN"
  git init -q "$UPSTREAM"
  copy_update_script "$UPSTREAM"
  printf 'data/\n.venv/\nnode_modules/\n' > "$UPSTREAM/.gitignore"
  printf 'line one\nline two\n' > "$UPSTREAM/README.md"
  printf '{"name": "valor"}\n' > "$UPSTREAM/package.json"
  printf '[project]\nname = "valor"\n' > "$UPSTREAM/pyproject.toml"
  git -C "$UPSTREAM" add -A
  git -C "$UPSTREAM" commit -q -m "initial"
  git -C "$UPSTREAM" remote add origin "$ORIGIN"
  git -C "$UPSTREAM" push -q -u origin main
  git clone -q "$ORIGIN" "$MACHINE"
}

# ship_to_machine PATH...: files of this repository (scripts/...) committed on
# upstream, pushed, and pulled by the machine.
ship_to_machine() {
  local path
  for path in "$@"; do
    cp "$REPO_ROOT/$path" "$UPSTREAM/$path"
  done
  git -C "$UPSTREAM" add -A
  git -C "$UPSTREAM" commit -q -m "Add $*"
  git -C "$UPSTREAM" push -q origin main
  git -C "$MACHINE" pull -q --ff-only
}

# upstream_commit FILE CONTENT MESSAGE: commit on upstream and push to origin.
upstream_commit() {
  mkdir -p "$(dirname "$UPSTREAM/$1")"
  printf '%s\n' "$2" > "$UPSTREAM/$1"
  git -C "$UPSTREAM" add -A
  git -C "$UPSTREAM" commit -q -m "$3"
  git -C "$UPSTREAM" push -q origin main
}

# make_stub NAME [BODY]: an executable that logs "NAME ARGS", records its
# pid in STUB_BIN/NAME.pid and runs BODY (prefix it with exec to keep the pid).
make_stub() {
  local name=$1 body=${2:-}
  cat > "$STUB_BIN/$name" <<STUB
#!/bin/bash
echo "\$\$" > "$STUB_BIN/$name.pid"
echo "$name \$*" >> "$STUB_LOG"
$body
STUB
  chmod +x "$STUB_BIN/$name"
}

# wait_for_stub NAME: until the stub has been called (at most 10 s).
wait_for_stub() {
  local tries=0
  until grep -q "^$1 " "$STUB_LOG" || [ "$tries" -gt 100 ]; do
    sleep 0.1
    tries=$((tries + 1))
  done
}

# wait_for_command PID NAME: until process PID runs NAME, its exec done (at most 10 s).
wait_for_command() {
  local tries=0 command
  while command="$(ps -o comm= -p "$1")"; do
    case "$command" in
      *"$2") return 0 ;;
    esac
    [ "$tries" -lt 100 ] || break
    sleep 0.1
    tries=$((tries + 1))
  done
  fail "pid $1 never ran $2"
}

kill_stub() {
  kill -KILL "$(cat "$STUB_BIN/$1.pid")" 2>/dev/null || true
}

update_script() {
  echo "$MACHINE/scripts/remote-update.sh"
}

run_update() {
  PATH="$SCRIPT_PATH" run bash "$(update_script)"
}

# start_update OUTFILE: run the script in the background; its pid is in $!.
start_update() {
  PATH="$SCRIPT_PATH" bash "$(update_script)" > "$1" 2>&1 &
}

short_sha() {
  git -C "$1" rev-parse --short "${2:-HEAD}"
}

head_of() {
  git -C "$1" rev-parse "${2:-HEAD}"
}

stash_count() {
  git -C "$MACHINE" stash list | wc -l | tr -d ' '
}

# One line, with no git line before it.
assert_up_to_date_output() {
  assert_output "[remote-update] Already up to date. ($(short_sha "$MACHINE"))"
}

# assert_last_update KEY VALUE: data/last-update records VALUE for KEY.
assert_last_update() {
  assert_equal "$(sed -n "s/^$1=//p" "$MACHINE/data/last-update")" "$2"
}

# A failure before the lock writes nothing but the record of the run.
assert_only_the_run_recorded() {
  assert_equal "$(ls -A "$MACHINE/data")" "last-update"
  assert_last_update outcome failed
  assert_last_update exit 1
}

assert_every_line_prefixed() {
  local line
  # shellcheck disable=SC2154 # output is set by bats' run
  while IFS= read -r line; do
    [[ "$line" == "[remote-update] "* ]] || fail "line without prefix: '$line'"
  done <<< "$output"
}

# The line a log or a chat reply read from the end shows first.
assert_last_line() {
  # shellcheck disable=SC2154 # output is set by bats' run
  assert_equal "${output##*$'\n'}" "$1"
}

assert_no_restart_flag() {
  assert [ ! -e "$MACHINE/data/restart-requested" ]
}

assert_stub_log_empty() {
  run cat "$STUB_LOG"
  assert_output ""
}

# assert_gone_within SECONDS PID
assert_gone_within() {
  local deadline=$(($(date +%s) + $1))
  while kill -0 "$2" 2> /dev/null; do
    [ "$(date +%s)" -lt "$deadline" ] || fail "pid $2 still running $1 s later"
    sleep 0.2
  done
}
