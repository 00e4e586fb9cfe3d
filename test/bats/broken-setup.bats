#!/usr/bin/env bats
# Set-ups the script cannot update: one FAIL line saying what to do, exit 1,
# nothing changed.

load test_helper

setup() {
  setup_repos
}

@test "not a git repository: FAIL line naming the folder, nothing written" {
  local plain="$BATS_TEST_TMPDIR/plain"
  mkdir -p "$plain/scripts"
  cp "$REPO_ROOT/scripts/remote-update.sh" "$plain/scripts/"

  PATH="$SCRIPT_PATH" run bash "$plain/scripts/remote-update.sh"

  assert_failure 1
  assert_output "[remote-update] FAIL: $(cd "$plain" && pwd -P) is not a git repository. Run this script from a git clone of the project (git clone <url>)."
  assert [ ! -e "$plain/data" ]
}

@test "copied into a folder inside another repository: still not a git checkout of its own" {
  local nested="$MACHINE/vendor/copy"
  mkdir -p "$nested/scripts"
  cp "$REPO_ROOT/scripts/remote-update.sh" "$nested/scripts/"

  PATH="$SCRIPT_PATH" run bash "$nested/scripts/remote-update.sh"

  assert_failure 1
  assert_output --partial "FAIL: $(cd "$nested" && pwd -P) is not a git repository."
}

@test "no upstream branch: FAIL line with the command that fixes it" {
  upstream_commit notes.txt "a note" "Add notes"
  git -C "$MACHINE" branch -q --unset-upstream
  local before
  before=$(head_of "$MACHINE")

  run_update

  assert_failure 1
  assert_output "[remote-update] FAIL: Branch 'main' has no upstream branch to pull from. Set one, e.g. git branch --set-upstream-to=origin/main main."
  assert_equal "$(head_of "$MACHINE")" "$before"
  assert [ ! -e "$MACHINE/data" ]
}

@test "detached HEAD: FAIL line saying so, HEAD stays where it was" {
  upstream_commit notes.txt "a note" "Add notes"
  git -C "$MACHINE" checkout -q --detach
  local before
  before=$(head_of "$MACHINE")

  run_update

  assert_failure 1
  assert_output "[remote-update] FAIL: HEAD is detached at $(short_sha "$MACHINE"); there is no branch to update. Check out the branch to follow, e.g. git checkout main."
  assert_equal "$(head_of "$MACHINE")" "$before"
  assert [ ! -e "$MACHINE/data" ]
}

@test "diverged branch: FAIL, current and remote HEAD, exit 1, no flag" {
  upstream_commit notes.txt "upstream note" "Upstream change"
  echo "local" > "$MACHINE/local.txt"
  git -C "$MACHINE" add local.txt
  git -C "$MACHINE" commit -q -m "Local change"
  local local_head
  local_head=$(head_of "$MACHINE")

  run_update

  assert_failure 1
  assert_line "[remote-update] FAIL: git pull --ff-only failed (branches diverged?)"
  assert_line "[remote-update] Current HEAD: $(short_sha "$MACHINE")"
  assert_line "[remote-update] Remote HEAD: $(short_sha "$UPSTREAM")"
  assert_every_line_prefixed
  assert_equal "$(head_of "$MACHINE")" "$local_head"
  assert_no_restart_flag
  assert [ ! -e "$MACHINE/data/update-in-progress" ]
  assert [ ! -e "$MACHINE/data/update.lock" ]
}

@test "diverged branch with a dirty tree: local edits restored, stash list empty" {
  upstream_commit notes.txt "upstream note" "Upstream change"
  echo "local" > "$MACHINE/local.txt"
  git -C "$MACHINE" add local.txt
  git -C "$MACHINE" commit -q -m "Local change"
  echo "uncommitted edit" >> "$MACHINE/README.md"

  run_update

  assert_failure 1
  assert_line "[remote-update] Restoring stash..."
  refute_line --partial "WARN: stash pop failed"
  assert_equal "$(tail -n 1 "$MACHINE/README.md")" "uncommitted edit"
  assert_equal "$(stash_count)" 0
}

@test "origin unreachable: FAIL line, exit 1, nothing lost" {
  upstream_commit notes.txt "a note" "Add notes"
  mv "$ORIGIN" "$ORIGIN.gone"

  run_update

  assert_failure 1
  assert_line "[remote-update] FAIL: git pull --ff-only failed (branches diverged?)"
  assert_line "[remote-update] Remote HEAD: $(short_sha "$MACHINE" origin/main)"
  assert_every_line_prefixed
  assert_no_restart_flag
}
