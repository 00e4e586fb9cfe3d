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
# whole run (its process group) before or after doing the real work.
install_killing_git() {
  cat > "$STUB_BIN/git" <<STUB
#!/bin/bash
n=\$((\$(cat "$GIT_CALLS" 2>/dev/null || echo 0) + 1))
echo "\$n" > "$GIT_CALLS"
kill_run() {
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

count_git_calls_of_a_clean_run() {
  local machine_copy="$BATS_TEST_TMPDIR/count"
  cp -R "$MACHINE" "$machine_copy"
  rm -f "$GIT_CALLS"
  PATH="$SCRIPT_PATH" bash "$machine_copy/scripts/remote-update.sh" > /dev/null 2>&1
  cat "$GIT_CALLS"
}

# kill_at_every_git_call before|after: for every K, a fresh machine killed at
# its K-th git call, then the convergence checks.
kill_at_every_git_call() {
  local when=$1 calls k problems report=""
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
    run_in_own_group KILL_AT="$k" KILL_WHEN="$when"
    problems="$(convergence_problems)"
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

@test "a git lock while a git is running: FAIL naming it and how to remove it; the lock stays; the next run recovers" {
  upstream_commit notes.txt "a note" "Add notes"
  echo "local edit" >> "$MACHINE/README.md"
  touch "$MACHINE/.git/index.lock"
  sh -c 'echo $$ > "$0"; exec sleep 60' "$BATS_TEST_TMPDIR/feeder.pid" 3>&- |
    git hash-object --stdin > /dev/null 3>&- &
  local running=$!

  run_update

  assert_failure 1
  assert_line "[remote-update] FAIL: .git/index.lock is held by a git that may still be running. If no git is running, remove it: rm '$MACHINE/.git/index.lock'"
  assert [ -e "$MACHINE/.git/index.lock" ]
  assert_last_update outcome failed
  kill "$running" "$(cat "$BATS_TEST_TMPDIR/feeder.pid")"
  wait "$running" || true

  run_update

  assert_success
  assert_line "[remote-update] WARN: Removed .git/index.lock, left by a git that is no longer running."
  assert_equal "$(head_of "$MACHINE")" "$(head_of "$UPSTREAM")"
  assert_equal "$(tail -n 1 "$MACHINE/README.md")" "local edit"
  assert_equal "$(stash_count)" 0
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
  run kill -0 "$(cat "$STUB_BIN/ssh.pid")"
  assert_failure
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
