#!/usr/bin/env bats
# Faults injected into real runs: the run killed before or after each of its
# git calls, during the pull's checkout, git locks left by a killed git, and
# a remote that never answers. After each, one plain run must converge.

load test_helper

setup() {
  setup_repos
  REAL_GIT="$(command -v git)"
  GIT_CALLS="$BATS_TEST_TMPDIR/git-calls"
  RUN_PID_FILE="$BATS_TEST_TMPDIR/run.pid"
}

# The machine as people leave it: an edit partly staged, an untracked file,
# someone else's older stash; upstream changes package.json and adds a file.
prepare_busy_machine() {
  echo "their work" >> "$MACHINE/pyproject.toml"
  git -C "$MACHINE" stash push -q -m "someone else's stash"
  THEIR_STASH=$(head_of "$MACHINE" refs/stash)
  echo "staged edit" >> "$MACHINE/README.md"
  git -C "$MACHINE" add README.md
  echo "unstaged edit" >> "$MACHINE/README.md"
  echo "scratch" > "$MACHINE/scratch.txt"
  EXPECTED_README="$(cat "$MACHINE/README.md")"
  EXPECTED_STAGED="$(git -C "$MACHINE" show :README.md)"
  upstream_commit package.json '{"name": "valor", "version": "2"}' "Node deps"
  upstream_commit docs/notes.txt "a note" "Add notes"
  make_stub npm
}

# A git first on PATH that counts its calls and, at call KILL_AT, kills the
# whole run (its process group) before or after doing the real work; with
# KILL_HOW=term it sends SIGTERM to the script alone and carries on.
install_killing_git() {
  cat > "$STUB_BIN/git" <<STUB
#!/bin/bash
n=\$((\$(cat "$GIT_CALLS" 2>/dev/null || echo 0) + 1))
echo "\$n" > "$GIT_CALLS"
kill_run() {
  if [ "\${KILL_HOW:-}" = term ]; then
    kill -TERM "\$(cat "$RUN_PID_FILE")"
    return
  fi
  kill -KILL -- "-\$(cat "$RUN_PID_FILE")" 2>/dev/null
  kill -KILL \$\$
}
if [ "\$n" = "\${KILL_AT:-0}" ] && [ "\$KILL_WHEN" = before ]; then kill_run; fi
"$REAL_GIT" "\$@"
status=\$?
if [ "\$n" = "\${KILL_AT:-0}" ] && [ "\$KILL_WHEN" = after ]; then kill_run; fi
exit \$status
STUB
  chmod +x "$STUB_BIN/git"
}

# run_in_own_group [ENV=VALUE...]: the script as a process group of its own
# (as launchd starts a job), its pid, which is the group's, in RUN_PID_FILE.
run_in_own_group() {
  set -m
  # shellcheck disable=SC2016 # $$ is the child's pid, expanded by the child
  env PATH="$SCRIPT_PATH" "$@" bash -c 'echo $$ > "$0"; exec bash "$1"' \
    "$RUN_PID_FILE" "$(update_script)" > "$BATS_TEST_TMPDIR/killed.out" 2>&1 &
  local pid=$!
  set +m
  wait "$pid" 2>/dev/null || true
}

# Every convergence check, after one plain run that follows the fault.
# Prints what is wrong, one line each; prints nothing when all is well.
convergence_problems() {
  PATH="$SCRIPT_PATH" bash "$(update_script)" > "$BATS_TEST_TMPDIR/recovery.out" 2>&1 ||
    echo "recovery run exited $?: $(cat "$BATS_TEST_TMPDIR/recovery.out")"
  [ "$(head_of "$MACHINE")" = "$(head_of "$UPSTREAM")" ] || echo "HEAD is not upstream's"
  [ "$(cat "$MACHINE/README.md")" = "$EXPECTED_README" ] || echo "README.md edit lost"
  [ "$(git -C "$MACHINE" show :README.md)" = "$EXPECTED_STAGED" ] || echo "staging lost"
  [ "$(git -C "$MACHINE" status --porcelain --untracked-files=no)" = "MM README.md" ] ||
    echo "tracked state: $(git -C "$MACHINE" status --porcelain --untracked-files=no)"
  [ "$(cat "$MACHINE/scratch.txt")" = "scratch" ] || echo "untracked file touched"
  [ "$(git -C "$MACHINE" stash list --format=%H)" = "$THEIR_STASH" ] ||
    echo "stash list: $(git -C "$MACHINE" stash list)"
  grep -q '^npm ci$' "$STUB_LOG" || echo "npm ci never ran"
  [ -e "$MACHINE/data/restart-requested" ] || echo "no restart flag"
  local record
  for record in update.lock update-in-progress update-stash update-pulling; do
    [ ! -e "$MACHINE/data/$record" ] || echo "data/$record left behind"
  done
  [ -z "$(find "$MACHINE/.git" -name '*.lock')" ] || echo "git lock left: $(find "$MACHINE/.git" -name '*.lock')"
  local again
  again="$(PATH="$SCRIPT_PATH" bash "$(update_script)" 2>&1)"
  [ "$again" = "[remote-update] Already up to date. ($(short_sha "$MACHINE"))" ] ||
    echo "the run after: $again"
}

# term_problems kill|term: a run stopped by SIGTERM ends on its FAIL line
# (or, stopped after its last git call, finishes) and records its outcome.
term_problems() {
  [ "$1" = term ] || return 0
  local last
  last="$(tail -n 1 "$BATS_TEST_TMPDIR/killed.out")"
  case "$last" in
    "[remote-update] FAIL: Stopped by SIGTERM"*)
      grep -q '^exit=143$' "$MACHINE/data/last-update" || echo "not recorded: $(cat "$MACHINE/data/last-update")"
      ;;
    "[remote-update] HEAD: "*) ;;
    *) echo "stopped run's last line: $last" ;;
  esac
  grep -q '^outcome=failed$\|^outcome=updated$' "$MACHINE/data/last-update" || echo "no outcome recorded"
}

count_git_calls_of_a_clean_run() {
  local machine_copy="$BATS_TEST_TMPDIR/count"
  cp -R "$MACHINE" "$machine_copy"
  rm -f "$GIT_CALLS"
  PATH="$SCRIPT_PATH" bash "$machine_copy/scripts/remote-update.sh" > /dev/null 2>&1
  cat "$GIT_CALLS"
}

# kill_at_every_git_call before|after [kill|term]: for every K, a fresh
# machine killed at its K-th git call, then the convergence checks.
kill_at_every_git_call() {
  local when=$1 how=${2:-kill} calls k problems report=""
  prepare_busy_machine
  install_killing_git
  calls=$(count_git_calls_of_a_clean_run)
  [ "$calls" -ge 10 ] || fail "a clean run made only $calls git calls: the wrapper is not in the way"
  cp -R "$BATS_TEST_TMPDIR" "$BATS_TEST_TMPDIR.pristine" 2>/dev/null || true
  for k in $(seq 1 "$calls"); do
    rm -rf "$ORIGIN" "$UPSTREAM" "$MACHINE"
    cp -R "$BATS_TEST_TMPDIR.pristine/origin.git" "$ORIGIN"
    cp -R "$BATS_TEST_TMPDIR.pristine/upstream" "$UPSTREAM"
    cp -R "$BATS_TEST_TMPDIR.pristine/machine" "$MACHINE"
    : > "$STUB_LOG"
    rm -f "$GIT_CALLS"
    run_in_own_group KILL_AT="$k" KILL_WHEN="$when" KILL_HOW="$how"
    problems="$(term_problems "$how")$(convergence_problems)"
    if [ -n "$problems" ]; then
      report="$report
killed $when git call $k of $calls:
$problems"
    fi
  done
  rm -rf "$BATS_TEST_TMPDIR.pristine"
  [ -z "$report" ] || fail "$report"
}

@test "killed before any one of its git calls, the next run converges" {
  kill_at_every_git_call before
}

@test "killed after any one of its git calls, the next run converges" {
  kill_at_every_git_call after
}

@test "SIGTERM to the script at any one of its git calls: it stops on its FAIL line, and the next run converges" {
  kill_at_every_git_call before term
}

@test "killed during the checkout of 3000 files (.git/index.lock held, files half written): the next run finishes it" {
  prepare_busy_machine
  local n
  mkdir -p "$UPSTREAM/bulk"
  for n in $(seq 1 3000); do
    echo "file $n" > "$UPSTREAM/bulk/f$n.txt"
  done
  echo "changed by the big commit" > "$UPSTREAM/notes-big.txt"
  git -C "$UPSTREAM" add -A
  git -C "$UPSTREAM" commit -q -m "Three thousand files"
  git -C "$UPSTREAM" push -q origin main
  cat > "$STUB_BIN/git" <<STUB
#!/bin/bash
case " \$* " in
  *" merge "*)
    "$REAL_GIT" "\$@" &
    pid=\$!
    until [ -e "$MACHINE/.git/index.lock" ] && [ -e "$MACHINE/bulk/f1.txt" ] || ! kill -0 "\$pid" 2>/dev/null; do :; done
    [ -e "$MACHINE/.git/index.lock" ] && echo caught > "$BATS_TEST_TMPDIR/caught"
    kill -KILL "\$pid"
    kill -KILL -- "-\$(cat "$RUN_PID_FILE")"
    kill -KILL \$\$
    ;;
esac
exec "$REAL_GIT" "\$@"
STUB
  chmod +x "$STUB_BIN/git"

  run_in_own_group

  assert [ -e "$BATS_TEST_TMPDIR/caught" ]
  assert [ -e "$MACHINE/.git/index.lock" ]
  assert [ -e "$MACHINE/data/update-pulling" ]
  assert_equal "$(head_of "$MACHINE")" "$(head_of "$ORIGIN" HEAD~3)"
  assert [ -e "$MACHINE/bulk/f1.txt" ]
  assert [ ! -e "$MACHINE/bulk/f999.txt" ]
  rm "$STUB_BIN/git"

  local problems
  problems="$(convergence_problems)"
  [ -z "$problems" ] || fail "$problems"
  run cat "$BATS_TEST_TMPDIR/recovery.out"
  assert_line "[remote-update] WARN: Finishing an update that was interrupted during its pull."
  assert_line "[remote-update] WARN: Removed .git/index.lock, left by a git that is no longer running."
  assert_equal "$(cat "$MACHINE/bulk/f3000.txt")" "file 3000"
}

@test "git locks left by a killed git are removed with a WARN naming each, and the update goes on" {
  local lock
  for lock in index.lock HEAD.lock refs/heads/main.lock refs/remotes/origin/main.lock refs/stash.lock; do
    upstream_commit notes.txt "note for $lock" "Note for $lock"
    echo "edit for $lock" >> "$MACHINE/README.md"
    touch "$MACHINE/.git/$lock"

    run_update

    assert_success
    assert_line "[remote-update] WARN: Removed .git/$lock, left by a git that is no longer running."
    assert_equal "$(head_of "$MACHINE")" "$(head_of "$UPSTREAM")"
    assert_equal "$(tail -n 1 "$MACHINE/README.md")" "edit for $lock"
    assert_equal "$(stash_count)" 0
    assert [ ! -e "$MACHINE/.git/$lock" ]
    git -C "$MACHINE" checkout -q README.md
  done
}

# start_long_lived_git FOLDER [GIT OPTION...]: a git that stays (an editor's
# cat-file --batch), started in FOLDER, fed by a FIFO that a sleep holds open.
start_long_lived_git() {
  local folder=$1
  shift
  mkfifo "$BATS_TEST_TMPDIR/feed"
  (cd "$folder" && exec git "$@" cat-file --batch) < "$BATS_TEST_TMPDIR/feed" > /dev/null 3>&- &
  LONG_GIT=$!
  sleep 300 > "$BATS_TEST_TMPDIR/feed" 3>&- &
  FEEDER=$!
  wait_for_command "$LONG_GIT" git
}

stop_long_lived_git() {
  kill "$FEEDER" "$LONG_GIT" 2> /dev/null || true
  wait "$LONG_GIT" "$FEEDER" 2> /dev/null || true
}

without_lsof() {
  rm -f "$SYSTEM_BIN/lsof"
}

# stale_lock_with_a_git_elsewhere [without_lsof]
stale_lock_with_a_git_elsewhere() {
  "${1:-true}"
  upstream_commit notes.txt "a note" "Add notes"
  echo "local edit" >> "$MACHINE/README.md"
  touch "$MACHINE/.git/index.lock"
  git init -q "$BATS_TEST_TMPDIR/other"
  start_long_lived_git "$BATS_TEST_TMPDIR/other"

  run_update

  kill -0 "$LONG_GIT" || fail "the long-lived git was gone before the end"
  stop_long_lived_git
  assert_success
  assert_line "[remote-update] WARN: Removed .git/index.lock, left by a git that is no longer running."
  assert_equal "$(head_of "$MACHINE")" "$(head_of "$UPSTREAM")"
  assert_equal "$(tail -n 1 "$MACHINE/README.md")" "local edit"
  assert [ ! -e "$MACHINE/.git/index.lock" ]
}

@test "a stale git lock while a git works in another repository (lsof): removed, the update goes on" {
  command -v lsof > /dev/null || skip "no lsof on this machine"
  stale_lock_with_a_git_elsewhere
}

@test "a stale git lock while a git works in another repository (/proc, no lsof): removed, the update goes on" {
  [ -d /proc/self ] || skip "no /proc on this machine"
  stale_lock_with_a_git_elsewhere without_lsof
}

# lock_with_a_git_here without_lsof|true FOLDER [GIT OPTION...]
lock_with_a_git_here() {
  "$1"
  shift
  upstream_commit notes.txt "a note" "Add notes"
  echo "local edit" >> "$MACHINE/README.md"
  touch "$MACHINE/.git/index.lock"
  start_long_lived_git "$@"
  local before
  before=$(head_of "$MACHINE")

  run_update

  stop_long_lived_git
  assert_failure 1
  assert_last_line "[remote-update] FAIL: .git/index.lock is held by a git that may still be running. If no git is running, remove it: rm '$MACHINE/.git/index.lock'"
  assert [ -e "$MACHINE/.git/index.lock" ]
  assert_equal "$(head_of "$MACHINE")" "$before"
  assert_equal "$(tail -n 1 "$MACHINE/README.md")" "local edit"
  assert_last_update outcome failed

  run_update

  assert_success
  assert_line "[remote-update] WARN: Removed .git/index.lock, left by a git that is no longer running."
  assert_equal "$(head_of "$MACHINE")" "$(head_of "$UPSTREAM")"
  assert_equal "$(tail -n 1 "$MACHINE/README.md")" "local edit"
  assert_equal "$(stash_count)" 0
}

@test "a git lock while a git works in this repository (lsof): FAIL naming it, the lock stays; the next run recovers" {
  command -v lsof > /dev/null || skip "no lsof on this machine"
  lock_with_a_git_here true "$MACHINE"
}

@test "a git lock while a git works in this repository (/proc, no lsof): FAIL naming it, the lock stays" {
  [ -d /proc/self ] || skip "no /proc on this machine"
  lock_with_a_git_here without_lsof "$MACHINE/scripts"
}

@test "a git lock while a git started elsewhere names this repository (--git-dir): left alone" {
  lock_with_a_git_here true "$BATS_TEST_TMPDIR" --git-dir="$MACHINE/.git"
}

# use_machine_at FOLDER: the machine's checkout is a clone in FOLDER.
use_machine_at() {
  MACHINE=$1
  mkdir -p "${MACHINE%/*}"
  git clone -q "$ORIGIN" "$MACHINE"
}

# A launchd agent has no LANG: its lsof and ps print what is not ASCII as
# escapes, or as "?", unless told otherwise.
in_the_c_locale() {
  unset LANG LC_CTYPE
  export LC_ALL=C
}

@test "a git lock while a git works in this repository, its path with a space and accents, in the C locale (lsof): left alone" {
  command -v lsof > /dev/null || skip "no lsof on this machine"
  use_machine_at "$BATS_TEST_TMPDIR/Valor Bot/José"
  in_the_c_locale
  lock_with_a_git_here true "$MACHINE"
}

@test "a git lock while a git started elsewhere names this repository, its path with a space and accents (--git-dir), in the C locale: left alone" {
  use_machine_at "$BATS_TEST_TMPDIR/Valor Bot/José"
  in_the_c_locale
  lock_with_a_git_here true "$BATS_TEST_TMPDIR" --git-dir="$MACHINE/.git"
}

# As on a Mac, where /tmp and /var lead to /private/tmp and /private/var.
@test "a git lock while a git started elsewhere names this repository through a symlink (--git-dir): left alone" {
  ln -s "$BATS_TEST_TMPDIR" "$BATS_TEST_TMPDIR/tmp link"
  lock_with_a_git_here true "$BATS_TEST_TMPDIR" --git-dir="$BATS_TEST_TMPDIR/tmp link/machine/.git"
}

@test "a git lock while a git works in a linked worktree of this repository: left alone" {
  git -C "$MACHINE" worktree add -q "$BATS_TEST_TMPDIR/linked" -b linked
  lock_with_a_git_here true "$BATS_TEST_TMPDIR/linked"
}

@test "a remote that never answers: the whole fetch is ended at VALOR_FETCH_TIMEOUT, FAIL says so, nothing lost" {
  upstream_commit notes.txt "a note" "Add notes"
  git -C "$MACHINE" remote set-url origin "ssh://valor.invalid/valor.git"
  make_stub ssh "exec sleep 4242"
  echo "local edit" >> "$MACHINE/README.md"
  export VALOR_FETCH_TIMEOUT=2

  run_update

  assert_failure 1
  assert_line "[remote-update] FAIL: The remote ssh://valor.invalid/valor.git did not answer within 2 s (VALOR_FETCH_TIMEOUT). Nothing was pulled; the next run tries again."
  assert_every_line_prefixed
  run grep -c "^ssh -o BatchMode=yes -o ConnectTimeout=2 -o ServerAliveInterval=15 -o ServerAliveCountMax=3 " "$STUB_LOG"
  assert_output 1
  assert_gone_within 5 "$(cat "$STUB_BIN/ssh.pid")"
  assert_equal "$(tail -n 1 "$MACHINE/README.md")" "local edit"
  assert_equal "$(stash_count)" 0
  assert [ ! -e "$MACHINE/data/update.lock" ]
  assert_last_update outcome failed
}

@test "a machine's own ssh command is left alone" {
  git -C "$MACHINE" remote set-url origin "ssh://valor.invalid/valor.git"
  git -C "$MACHINE" config core.sshCommand "ssh -i /dev/null/own-key"
  make_stub ssh "exit 255"

  run_update

  assert_failure 1
  run cat "$STUB_LOG"
  assert_output --regexp '^ssh -i /dev/null/own-key '
}

@test "a plain file where the lock folder goes is replaced with a WARN, never ignored" {
  upstream_commit notes.txt "a note" "Add notes"
  mkdir -p "$MACHINE/data"
  echo "junk" > "$MACHINE/data/update.lock"

  run_update

  assert_success
  assert_line -n 0 "[remote-update] WARN: Replaced data/update.lock, a file where the lock folder belongs."
  assert_every_line_prefixed
  assert_equal "$(head_of "$MACHINE")" "$(head_of "$UPSTREAM")"
  assert [ ! -e "$MACHINE/data/update.lock" ]
}

# ── Killed while the remote hangs ────────────────────────────────────
# git's ext:: transport runs a stub that never answers, so the run sits in
# its fetch; then it is killed as a Mac kills things.

hang_the_remote() {
  upstream_commit notes.txt "a note" "Add notes"
  echo "local edit" >> "$MACHINE/README.md"
  make_stub hang-remote "exec sleep 4242"
  git -C "$MACHINE" config protocol.ext.allow always
  git -C "$MACHINE" remote set-url origin "ext::hang-remote"
}

# launch_in_own_group: the script as launchd starts a job (its own process
# group, SIGINT not ignored), in the background; RUN_PID is its pid and group.
launch_in_own_group() {
  set -m
  # shellcheck disable=SC2016 # $$ is the child's pid, expanded by the child
  env PATH="$SCRIPT_PATH" VALOR_FETCH_TIMEOUT=300 bash -c 'echo $$ > "$0"; exec bash "$1"' \
    "$RUN_PID_FILE" "$(update_script)" > "$BATS_TEST_TMPDIR/killed.out" 2>&1 3>&- &
  RUN_PID=$!
  set +m
}

# start_in_own_group: launch_in_own_group, then until its fetch reaches the remote.
start_in_own_group() {
  launch_in_own_group
  wait_for_stub hang-remote
  grep -q '^hang-remote ' "$STUB_LOG" || fail "the fetch never reached the remote"
}

# Every live process of the run: by its arguments (the checkout's path, the
# hanging remote) or by its current directory (the checkout or its .git).
processes_of_the_run() {
  local pid state args line
  while read -r pid state args; do
    case "$state" in Z*) continue ;; esac
    case "$args" in
      *"$MACHINE"* | *hang-remote* | *"sleep 4242"*) echo "$pid $args" ;;
    esac
  done <<< "$(ps -A -o pid= -o stat= -o args=)"
  if [ -d /proc/self ]; then
    for line in /proc/[0-9]*; do
      if [ "$line/cwd" -ef "$MACHINE" ] || [ "$line/cwd" -ef "$MACHINE/.git" ]; then
        echo "${line#/proc/} (in the checkout)"
      fi
    done
  else
    lsof -d cwd -Fpn 2> /dev/null | while IFS= read -r line; do
      case "$line" in
        p*) pid=${line#p} ;;
        "n$MACHINE" | "n$MACHINE/"*) echo "$pid (in ${line#n})" ;;
      esac
    done
  fi
}

# assert_nothing_left_within SECONDS [WHEN]
assert_nothing_left_within() {
  local deadline=$(($(date +%s) + $1)) left
  while :; do
    left="$(processes_of_the_run)"
    [ -n "$left" ] || return 0
    [ "$(date +%s)" -lt "$deadline" ] || break
    sleep 0.2
  done
  local pid _
  while read -r pid _; do
    kill -KILL "$pid" 2> /dev/null || true
  done <<< "$left"
  fail "still running $1 s after the kill${2:+ ($2)}:
$left"
}

assert_next_run_completes() {
  git -C "$MACHINE" remote set-url origin "$ORIGIN"
  run_update
  assert_success
  assert_equal "$(head_of "$MACHINE")" "$(head_of "$UPSTREAM")"
  assert_equal "$(tail -n 1 "$MACHINE/README.md")" "local edit"
  assert_equal "$(stash_count)" 0
}

# assert_stopped_by SIGNAL STATUS: the run ended on its FAIL line, recorded.
assert_stopped_by() {
  assert_equal "$RUN_STATUS" "$2"
  assert_equal "$(tail -n 1 "$BATS_TEST_TMPDIR/killed.out")" \
    "[remote-update] FAIL: Stopped by $1. Nothing was pulled; the next run tries again."
  assert_last_update outcome failed
  assert_last_update exit "$2"
  assert_last_update summary "FAIL: Stopped by $1. Nothing was pulled; the next run tries again."
  assert [ ! -e "$MACHINE/data/update.lock" ]
  assert_equal "$(tail -n 1 "$MACHINE/README.md")" "local edit"
}

# A git first on PATH that, at KILL_MOMENT, kills the run's whole group
# (SIGKILL) and carries on: "fetch" as the fetch's git starts, in the group
# just made for it; "status+SECONDS" that long after the run's first git
# call, git status, has answered (the fetch's group and watchdog are made
# before, during or after that, as the machine's load has it).
install_git_killing_the_run() {
  cat > "$STUB_BIN/git" <<STUB
#!/bin/bash
run=\$(cat "$RUN_PID_FILE")
case "\$KILL_MOMENT: \$* " in
  fetch:*" fetch "*) kill -KILL -- "-\$run" ;;
  status+*:" status "*)
    "$REAL_GIT" "\$@"
    status=\$?
    (sleep "\${KILL_MOMENT#status+}" && kill -KILL -- "-\$run") > /dev/null 2>&1 3>&- &
    exit \$status
    ;;
esac
exec "$REAL_GIT" "\$@"
STUB
  chmod +x "$STUB_BIN/git"
}

# A kill can come between the making of the fetch's group and of its
# watchdog: each moment is tried, the first several times, since which of
# the kill and the watchdog comes first depends on the load.
@test "the remote hangs and the run's whole group is killed (SIGKILL) at any moment around its fetch: nothing of it is left" {
  hang_the_remote
  install_git_killing_the_run
  local moment
  for moment in fetch fetch fetch fetch fetch status+0 status+0.005 status+0.01 status+0.02 status+0.05 status+0.1; do
    export KILL_MOMENT=$moment
    launch_in_own_group
    wait "$RUN_PID" 2> /dev/null || true
    assert_nothing_left_within 5 "killed at $moment"
    # Each run as on a fresh machine: one killed while taking over the lock
    # of the run before would leave the takeover's guard, and runs skip
    # while it is there (a minute).
    rm -rf "$MACHINE/data"
  done
  rm "$STUB_BIN/git"
  : > "$STUB_LOG" # so that start_in_own_group waits for this run's remote

  start_in_own_group
  kill -KILL -- "-$RUN_PID"
  wait "$RUN_PID" || true

  assert_nothing_left_within 5 "killed with its fetch at the remote"
  assert_next_run_completes
}

# guarded.sh on its own, with a watchdog that never starts, as when its fork
# fails: nothing else here can make a fork fail.
@test "a guarded command whose watchdog never starts is not run: the wait ends after 10 s with a line saying so" {
  # shellcheck disable=SC2016 # expanded by the bash it runs in
  run "$SCRIPT_BASH" -c '
    set -euo pipefail
    . "$0"
    WORK_DIR=$1
    watchdog() { :; }
    run_guarded 0 "$1/out" touch "$1/ran"
  ' "$REPO_ROOT/scripts/lib/guarded.sh" "$BATS_TEST_TMPDIR"

  assert_failure 1
  assert [ ! -e "$BATS_TEST_TMPDIR/ran" ]
  assert_equal "$(cat "$BATS_TEST_TMPDIR/out")" "Not run, as its watchdog did not start within 10 s: touch $BATS_TEST_TMPDIR/ran"
}

@test "the remote hangs and the run's whole group gets SIGTERM: nothing of it is left" {
  hang_the_remote
  start_in_own_group

  kill -TERM -- "-$RUN_PID"
  wait "$RUN_PID" || RUN_STATUS=$?

  assert_nothing_left_within 5
  assert_stopped_by SIGTERM 143
  assert_next_run_completes
}

@test "launchd's stop (SIGTERM to the script, then SIGKILL to what is left of its group): nothing is left" {
  hang_the_remote
  start_in_own_group

  kill -TERM "$RUN_PID"
  wait "$RUN_PID" || RUN_STATUS=$?
  kill -KILL -- "-$RUN_PID" 2> /dev/null || true

  assert_nothing_left_within 5
  assert_stopped_by SIGTERM 143
  assert_next_run_completes
}

@test "SIGTERM, SIGHUP or SIGINT to the script alone: the fetch is ended, the run ends on its FAIL line, exit 128+N" {
  hang_the_remote
  local signal status
  for signal in TERM:143 HUP:129 INT:130; do
    status=${signal#*:}
    signal=${signal%:*}
    : > "$STUB_LOG"
    start_in_own_group

    kill "-$signal" "$RUN_PID"
    RUN_STATUS=0
    wait "$RUN_PID" || RUN_STATUS=$?

    assert_nothing_left_within 5
    assert_stopped_by "SIG$signal" "$status"
  done
  assert_next_run_completes
}

@test "runs that fetch and sync leave nothing running once they exit: a reader of their output is never kept waiting" {
  make_stub uv
  local n pid
  for n in 1 2 3 4 5 6 7 8; do
    upstream_commit uv.lock "version = $n" "Lock deps $n"
    (PATH="$SCRIPT_PATH" bash "$(update_script)" 2>&1 3>&- | cat > "$BATS_TEST_TMPDIR/piped.out") 3>&- &
    pid=$!
    assert_gone_within 10 "$pid"
    assert_equal "$(tail -n 1 "$BATS_TEST_TMPDIR/piped.out")" "[remote-update] HEAD: $(short_sha "$UPSTREAM") — Lock deps $n"
  done
  assert_nothing_left_within 3
}
