#!/usr/bin/env bats
# --check: fetch and say what an update would do; change nothing but the
# remote-tracking refs.

load test_helper

setup() {
  setup_repos
}

run_check() {
  PATH="$SCRIPT_PATH" run bash "$(update_script)" --check
}

# Everything but the remote-tracking refs, as a fingerprint.
machine_state() {
  git -C "$MACHINE" rev-parse HEAD
  git -C "$MACHINE" stash list
  git -C "$MACHINE" status --porcelain
  git -C "$MACHINE" diff
  ls -A "$MACHINE/data" 2>/dev/null || echo "no data/"
}

@test "incoming commits, the syncs and the restart it would run: exit 0, nothing changed" {
  upstream_commit package.json '{"name": "valor", "version": "2"}' "Node deps"
  upstream_commit notes.txt "a note" "Add notes"
  make_stub npm
  local before
  before="$(machine_state)"

  run_check

  assert_success
  assert_output "[remote-update] Check only: nothing is changed but the remote-tracking refs.
[remote-update] 2 incoming commit(s):
[remote-update]   $(short_sha "$UPSTREAM") Add notes
[remote-update]   $(short_sha "$UPSTREAM" HEAD~1) Node deps
[remote-update] Would sync Node dependencies: npm ci
[remote-update] Would queue a restart.
[remote-update] Check: an update would succeed."
  assert_equal "$(machine_state)" "$before"
  assert_stub_log_empty
  assert_equal "$(head_of "$MACHINE" origin/main)" "$(head_of "$UPSTREAM")"
}

@test "up to date: says so, exit 0" {
  run_check

  assert_success
  assert_line "[remote-update] Already up to date. ($(short_sha "$MACHINE"))"
  assert_line "[remote-update] Check: an update would succeed."
}

@test "local edits the incoming commits also change are named; untracked files in the way fail it" {
  upstream_commit README.md "rewritten upstream" "Rewrite README"
  upstream_commit new.txt "new" "Add new.txt"
  echo "local edit" >> "$MACHINE/README.md"
  echo "mine" > "$MACHINE/new.txt"
  local before
  before="$(machine_state)"

  run_check

  assert_failure 1
  assert_output "[remote-update] Check only: nothing is changed but the remote-tracking refs.
[remote-update] 2 incoming commit(s):
[remote-update]   $(short_sha "$UPSTREAM") Add new.txt
[remote-update]   $(short_sha "$UPSTREAM" HEAD~1) Rewrite README
[remote-update] FAIL: Untracked files are in the way of the update: new.txt. Move or remove them, then run again.
[remote-update] WARN: Local edits to files the incoming commits change: README.md. If they conflict, they stay in the stash.
[remote-update] Check: an update would fail: Untracked files are in the way of the update: new.txt."
  assert_equal "$(machine_state)" "$before"
}

@test "local edits the incoming commits change, and nothing in the way: a WARN, as a real run says it; would succeed" {
  upstream_commit README.md "rewritten upstream" "Rewrite README"
  echo "local edit" >> "$MACHINE/README.md"

  run_check

  assert_success
  assert_line "[remote-update] WARN: Local edits to files the incoming commits change: README.md. If they conflict, they stay in the stash."
  assert_line "[remote-update] Would queue a restart."
  refute_output --partial "Warning:"
}

@test "diverged branch, a running update and a stale git lock are all reported" {
  upstream_commit notes.txt "upstream" "Upstream change"
  echo "local" > "$MACHINE/local.txt"
  git -C "$MACHINE" add local.txt
  git -C "$MACHINE" commit -q -m "Local change"
  mkdir -p "$MACHINE/data/update.lock"
  sleep 300 &
  local holder=$!
  echo "$holder $(date +%s)" > "$MACHINE/data/update.lock/owner"
  touch "$MACHINE/.git/index.lock"

  run_check
  kill "$holder"

  assert_failure 1
  assert_output "[remote-update] Check only: nothing is changed but the remote-tracking refs.
[remote-update] FAIL: Another update is already running (lock holder pid $holder); this one would be skipped.
[remote-update] Current HEAD: $(short_sha "$MACHINE")
[remote-update] Remote HEAD: $(short_sha "$UPSTREAM")
[remote-update] main has 1 local commit(s) that origin/main lacks, and origin/main has 1 new. Keep the local ones: git pull --rebase, then git push. Drop them (uncommitted edits are kept): git reset --keep origin/main.
[remote-update] FAIL: git pull --ff-only failed (branches diverged?)
[remote-update] 1 incoming commit(s):
[remote-update]   $(short_sha "$UPSTREAM") Upstream change
[remote-update] Check: an update would fail: Another update is already running (lock holder pid $holder); this one would be skipped; git pull --ff-only failed (branches diverged?)."
  assert [ -e "$MACHINE/.git/index.lock" ]
}

@test "diverged, with incoming dependency changes: FAIL, and nothing is said to be done after it" {
  upstream_commit package.json '{"name": "valor", "version": "2"}' "Node deps"
  echo "local" > "$MACHINE/local.txt"
  git -C "$MACHINE" add local.txt
  git -C "$MACHINE" commit -q -m "Local change"

  run_check

  assert_failure 1
  assert_line "[remote-update] FAIL: git pull --ff-only failed (branches diverged?)"
  refute_output --partial "Would"
  refute_output --partial "would be"
  assert_last_line "[remote-update] Check: an update would fail: git pull --ff-only failed (branches diverged?)."
}

@test "a stale git lock: a WARN that the update would remove it; one a git in this repository may hold: its FAIL line" {
  upstream_commit notes.txt "a note" "Add notes"
  touch "$MACHINE/.git/index.lock"

  run_check

  assert_success
  assert_line -n 1 "[remote-update] WARN: .git/index.lock was left by a git that is no longer running; the update would remove it."
  assert [ -e "$MACHINE/.git/index.lock" ]

  mkfifo "$BATS_TEST_TMPDIR/feed"
  (cd "$MACHINE" && exec git cat-file --batch) < "$BATS_TEST_TMPDIR/feed" > /dev/null 3>&- &
  local long_git=$!
  sleep 300 > "$BATS_TEST_TMPDIR/feed" 3>&- &
  local feeder=$!
  wait_for_command "$long_git" git

  run_check
  kill "$feeder" "$long_git"

  assert_failure 1
  assert_line -n 1 "[remote-update] FAIL: .git/index.lock is held by a git that may still be running. If no git is running, remove it: rm '$MACHINE/.git/index.lock'"
  refute_output --partial "Would"
  assert_last_line "[remote-update] Check: an update would fail: .git/index.lock is held by a git that may still be running."
}

@test "a killed git's lock on a remote-tracking ref: removed as a real run would, with its WARN, then the fetch; nothing contradicts it" {
  upstream_commit notes.txt "a note" "Add notes"
  mkdir -p "$MACHINE/.git/refs/remotes/origin"
  touch -t 202001010000 "$MACHINE/.git/refs/remotes/origin/main.lock"
  local before
  before="$(machine_state)"

  run_check

  assert_success
  assert_output "[remote-update] Check only: nothing is changed but the remote-tracking refs.
[remote-update] WARN: Removed .git/refs/remotes/origin/main.lock, left by a git that is no longer running.
[remote-update] 1 incoming commit(s):
[remote-update]   $(short_sha "$UPSTREAM") Add notes
[remote-update] Would queue a restart.
[remote-update] Check: an update would succeed."
  assert [ ! -e "$MACHINE/.git/refs/remotes/origin/main.lock" ]
  assert_equal "$(head_of "$MACHINE" origin/main)" "$(head_of "$UPSTREAM")"
  assert_equal "$(machine_state)" "$before"
}

@test "a lock on a remote-tracking ref a git in this repository may hold: one FAIL line, then the Check line" {
  upstream_commit notes.txt "a note" "Add notes"
  mkdir -p "$MACHINE/.git/refs/remotes/origin"
  touch -t 202001010000 "$MACHINE/.git/refs/remotes/origin/main.lock"
  mkfifo "$BATS_TEST_TMPDIR/feed"
  (cd "$MACHINE" && exec git cat-file --batch) < "$BATS_TEST_TMPDIR/feed" > /dev/null 3>&- &
  local long_git=$!
  sleep 300 > "$BATS_TEST_TMPDIR/feed" 3>&- &
  local feeder=$!
  wait_for_command "$long_git" git

  run_check
  kill "$feeder" "$long_git"

  assert_failure 1
  local fail="[remote-update] FAIL: .git/refs/remotes/origin/main.lock is held by a git that may still be running. If no git is running, remove it: rm '$MACHINE/.git/refs/remotes/origin/main.lock'"
  assert_line -n 0 "[remote-update] Check only: nothing is changed but the remote-tracking refs."
  assert_line -n $((${#lines[@]} - 2)) "$fail"
  assert_last_line "[remote-update] Check: an update would fail: .git/refs/remotes/origin/main.lock is held by a git that may still be running."
  assert_equal "$(grep -c -e '^\[remote-update\] FAIL: ' -e 'WARN: ' <<< "$output")" 1
  assert_equal "$(grep -c "Unable to create" <<< "$output")" 1
  assert [ -e "$MACHINE/.git/refs/remotes/origin/main.lock" ]
}

@test "a stale lock that is not in the fetch's way and an unreachable remote: the remote's FAIL line, not the lock's" {
  touch "$MACHINE/.git/index.lock"
  mv "$ORIGIN" "$ORIGIN.gone"

  run_check

  assert_failure 1
  assert_line -n 1 "[remote-update] WARN: .git/index.lock was left by a git that is no longer running; the update would remove it."
  refute_output --partial "is held by a git"
  assert_last_line "[remote-update] Check: an update would fail: Could not fetch from $ORIGIN: the remote is unreachable or refused."
  assert [ -e "$MACHINE/.git/index.lock" ]
}

@test "docs-only incoming commits: no restart would be needed" {
  printf '*.md\n' > "$UPSTREAM/.restartignore"
  git -C "$UPSTREAM" add .restartignore && git -C "$UPSTREAM" commit -q -m "ignore" && git -C "$UPSTREAM" push -q
  git -C "$MACHINE" pull -q
  upstream_commit README.md "docs" "Docs"

  run_check

  assert_success
  assert_line "[remote-update] No runtime changes: no restart would be needed."
}

@test "an unreachable remote: FAIL, exit 1, nothing written" {
  mv "$ORIGIN" "$ORIGIN.gone"

  run_check

  assert_failure 1
  assert_line --partial "[remote-update] FAIL: Could not fetch from $ORIGIN: the remote is unreachable or refused."
  assert_last_line "[remote-update] Check: an update would fail: Could not fetch from $ORIGIN: the remote is unreachable or refused."
  assert [ ! -e "$MACHINE/data" ]
}

@test "a remote that never answers: its FAIL line, then the Check line" {
  git -C "$MACHINE" remote set-url origin "ssh://valor.invalid/valor.git"
  make_stub ssh "exec sleep 4242"

  VALOR_FETCH_TIMEOUT=1 run_check

  assert_failure 1
  assert_output "[remote-update] Check only: nothing is changed but the remote-tracking refs.
[remote-update] FAIL: The remote ssh://valor.invalid/valor.git did not answer within 1 s (VALOR_FETCH_TIMEOUT). Nothing was pulled; the next run tries again.
[remote-update] Check: an update would fail: The remote ssh://valor.invalid/valor.git did not answer within 1 s (VALOR_FETCH_TIMEOUT)."
}

@test "a checkout that cannot be updated: its FAIL line, then the Check line" {
  git -C "$MACHINE" checkout -q --detach

  run_check

  assert_failure 1
  assert_output "[remote-update] FAIL: HEAD is detached at $(short_sha "$MACHINE"); there is no branch to update. Check out the branch to follow, e.g. git checkout main.
[remote-update] Check: an update would fail: HEAD is detached at $(short_sha "$MACHINE"); there is no branch to update."
}
