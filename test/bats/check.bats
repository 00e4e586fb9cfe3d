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
  assert_line "[remote-update] Warning: local edits to files the incoming commits change: README.md. If they conflict, they stay in the stash."
  assert_line "[remote-update] Problem: untracked files are in the way: new.txt"
  assert_line "[remote-update] Check: an update would fail: untracked files are in the way: new.txt."
  assert_equal "$(machine_state)" "$before"
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
  assert_line "[remote-update] Problem: an update is running now (lock holder pid $holder); this one would be skipped"
  assert_line "[remote-update] Note: .git/index.lock was left by a git that is no longer running; the update would remove it."
  assert_line "[remote-update] Problem: branches diverged: main has 1 local commit(s) that origin/main lacks"
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
  assert_line --partial "[remote-update] FAIL: Could not fetch from $ORIGIN"
  assert [ ! -e "$MACHINE/data" ]
}
