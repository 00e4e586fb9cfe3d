#!/usr/bin/env bats
# Set-ups the script cannot update: one FAIL line saying what to do, exit 1,
# nothing changed.

load test_helper

setup() {
  setup_repos
}

@test "not a git repository: FAIL line naming the folder, nothing written" {
  local plain="$BATS_TEST_TMPDIR/plain"
  copy_update_script "$plain"

  PATH="$SCRIPT_PATH" run bash "$plain/scripts/remote-update.sh"

  assert_failure 1
  assert_output "[remote-update] FAIL: $(cd "$plain" && pwd -P) is not a git repository. Run this script from a git clone of the project (git clone <url>)."
  assert [ ! -e "$plain/data" ]
}

@test "copied into a folder inside another repository: still not a git checkout of its own" {
  local nested="$MACHINE/vendor/copy"
  copy_update_script "$nested"

  PATH="$SCRIPT_PATH" run bash "$nested/scripts/remote-update.sh"

  assert_failure 1
  assert_output --partial "FAIL: $(cd "$nested" && pwd -P) is not a git repository."
}

# A git that cannot run, as after a macOS upgrade until the Command Line
# Tools are installed again: /usr/bin/git is then a stub that says so.
XCRUN_ERROR="xcrun: error: invalid active developer path (/Library/Developer/CommandLineTools), missing xcrun at: /Library/Developer/CommandLineTools/usr/bin/xcrun"
break_git() {
  make_stub git "echo '$XCRUN_ERROR' >&2; exit 1"
}

@test "git that cannot run: one FAIL line with git's own words and the fix, exit 1, nothing changed, the run recorded" {
  upstream_commit notes.txt "a note" "Add notes"
  echo "local edit" >> "$MACHINE/README.md"
  local before
  before=$(head_of "$MACHINE")
  break_git

  run_update

  assert_failure 1
  assert_output "[remote-update] FAIL: git cannot run: $XCRUN_ERROR. Install the Command Line Tools again (a macOS upgrade removes them): xcode-select --install"
  assert_equal "$(head_of "$MACHINE")" "$before"
  assert_equal "$(tail -n 1 "$MACHINE/README.md")" "local edit"
  assert_equal "$(stash_count)" 0
  assert_only_the_run_recorded
  assert_last_update head ""
  # git --version is asked only once git status has failed.
  run cat "$STUB_LOG"
  assert_output "git status --porcelain=v2 --branch --untracked-files=no
git --version"
}

@test "git that cannot run, with --check: its FAIL line, then the Check line, exit 1, nothing written" {
  break_git

  PATH="$SCRIPT_PATH" run bash "$(update_script)" --check

  assert_failure 1
  assert_output "[remote-update] FAIL: git cannot run: $XCRUN_ERROR. Install the Command Line Tools again (a macOS upgrade removes them): xcode-select --install
[remote-update] Check: an update would fail: git cannot run: $XCRUN_ERROR."
  assert [ ! -e "$MACHINE/data" ]
}

@test "no git at all on PATH: FAIL line saying so, exit 1" {
  rm "$SYSTEM_BIN/git"

  run_update

  assert_failure 1
  assert_output "[remote-update] FAIL: git cannot run: there is no git on PATH ($SCRIPT_PATH). Install git."
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
  assert_only_the_run_recorded
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
  assert_only_the_run_recorded
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

@test "diverged branch with a dirty tree: the edits are never stashed, stash list empty" {
  upstream_commit notes.txt "upstream note" "Upstream change"
  echo "local" > "$MACHINE/local.txt"
  git -C "$MACHINE" add local.txt
  git -C "$MACHINE" commit -q -m "Local change"
  echo "uncommitted edit" >> "$MACHINE/README.md"

  run_update

  assert_failure 1
  refute_line --partial "stash"
  assert_equal "$(tail -n 1 "$MACHINE/README.md")" "uncommitted edit"
  assert_equal "$(stash_count)" 0
}

@test "origin unreachable: git's reason then a FAIL line naming the remote, every line prefixed, nothing lost" {
  upstream_commit notes.txt "a note" "Add notes"
  echo "local edit" >> "$MACHINE/README.md"
  mv "$ORIGIN" "$ORIGIN.gone"

  run_update

  assert_failure 1
  assert_line "[remote-update] fatal: '$ORIGIN' does not appear to be a git repository"
  assert_line "[remote-update] FAIL: Could not fetch from $ORIGIN: the remote is unreachable or refused. Nothing was pulled; the next run tries again."
  refute_line --partial "branches diverged"
  assert_every_line_prefixed
  assert_no_restart_flag
  assert_equal "$(tail -n 1 "$MACHINE/README.md")" "local edit"
  assert_equal "$(stash_count)" 0
  assert_last_update summary "FAIL: Could not fetch from $ORIGIN: the remote is unreachable or refused. Nothing was pulled; the next run tries again."
}

@test "diverged branch: the FAIL line says how many local commits and how to fix it" {
  upstream_commit notes.txt "upstream note" "Upstream change"
  local n
  for n in 1 2; do
    echo "local $n" > "$MACHINE/local$n.txt"
    git -C "$MACHINE" add "local$n.txt"
    git -C "$MACHINE" commit -q -m "Local change $n"
  done

  echo "uncommitted edit" >> "$MACHINE/README.md"
  local local_head
  local_head=$(short_sha "$MACHINE")

  run_update

  assert_failure 1
  assert_output "[remote-update] Current HEAD: $local_head
[remote-update] Remote HEAD: $(short_sha "$UPSTREAM")
[remote-update] main has 2 local commit(s) that origin/main lacks, and origin/main has 1 new. Keep the local ones: git pull --rebase, then git push. Drop them (uncommitted edits are kept): git reset --keep origin/main.
[remote-update] FAIL: git pull --ff-only failed (branches diverged?)"
  assert_last_update summary "FAIL: git pull --ff-only failed (branches diverged?)"
  assert_equal "$(tail -n 1 "$MACHINE/README.md")" "uncommitted edit"

  # The hint, followed as printed, keeps the uncommitted edit.
  git -C "$MACHINE" reset -q --keep origin/main
  assert_equal "$(head_of "$MACHINE")" "$(head_of "$UPSTREAM")"
  assert_equal "$(tail -n 1 "$MACHINE/README.md")" "uncommitted edit"
}

@test "diverged branch: the hint's reset --keep stops rather than discard an edit to a file it would change" {
  upstream_commit notes.txt "upstream note" "Upstream change"
  echo "local" > "$MACHINE/local.txt"
  git -C "$MACHINE" add local.txt
  git -C "$MACHINE" commit -q -m "Local change"
  echo "uncommitted edit" >> "$MACHINE/local.txt"

  run_update

  assert_failure 1
  assert_line --partial "Drop them (uncommitted edits are kept): git reset --keep origin/main."
  run git -C "$MACHINE" reset -q --keep origin/main
  assert_failure
  assert_equal "$(tail -n 1 "$MACHINE/local.txt")" "uncommitted edit"
}

@test "credentials in the remote's URL are not shown in the FAIL line" {
  git -C "$MACHINE" remote set-url origin "http://valor:s3cret@127.0.0.1:9/valor.git"

  run_update

  assert_failure 1
  assert_line --partial "FAIL: Could not fetch from http://127.0.0.1:9/valor.git"
  refute_output --partial "s3cret"
}
