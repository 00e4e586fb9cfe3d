#!/usr/bin/env bats
# .restartignore: pulls that change only the paths it lists need no restart.

load test_helper

setup() {
  setup_repos
  printf '# no restart for these\n*.md\ndocs/\ntest/\n/bench/\n.restartignore\n' > "$UPSTREAM/.restartignore"
  git -C "$UPSTREAM" add .restartignore
  git -C "$UPSTREAM" commit -q -m "Add .restartignore"
  git -C "$UPSTREAM" push -q origin main
  git -C "$MACHINE" pull -q
}

# upstream_commit_files MESSAGE PATH...: one commit touching every PATH.
upstream_commit_files() {
  local message=$1 path
  shift
  for path in "$@"; do
    mkdir -p "$(dirname "$UPSTREAM/$path")"
    echo "changed" >> "$UPSTREAM/$path"
  done
  git -C "$UPSTREAM" add -A
  git -C "$UPSTREAM" commit -q -m "$message"
  git -C "$UPSTREAM" push -q origin main
}

@test "docs only (a *.md anywhere, docs/, test/ at any depth, /bench/): pulled, no restart flag, says so" {
  upstream_commit_files "Docs" README.md guide/setup.md docs/api.txt src/test/fixture.txt bench/run.ts

  run_update

  assert_success
  assert_line "[remote-update] Pulled 1 commit(s):"
  assert_line "[remote-update] No runtime changes: restart not needed."
  assert_line "[remote-update] Update complete. 1 commit(s) pulled, no restart needed."
  assert_no_restart_flag
  assert_equal "$(head_of "$MACHINE")" "$(head_of "$UPSTREAM")"
  assert_last_update outcome updated
  assert_last_update restart_queued no
}

@test "mixed: one runtime file among the docs queues the restart" {
  upstream_commit_files "Docs and code" README.md docs/api.txt src/main.ts

  run_update

  assert_success
  assert_line "[remote-update] Update complete. 1 commit(s) pulled, restart queued."
  assert [ -e "$MACHINE/data/restart-requested" ]
}

@test "anchored and folder patterns do not match elsewhere: src/bench/x and a file named docs restart" {
  upstream_commit_files "Look-alikes" src/bench/x.ts lib/docs

  run_update

  assert [ -e "$MACHINE/data/restart-requested" ]
}

@test "the file itself changed: no restart when it lists itself, a restart when it does not" {
  echo "*.txt" >> "$UPSTREAM/.restartignore"
  git -C "$UPSTREAM" commit -q -am "Ignore txt too"
  git -C "$UPSTREAM" push -q origin main

  run_update

  assert_line "[remote-update] No runtime changes: restart not needed."
  assert_no_restart_flag

  printf '*.md\n' > "$UPSTREAM/.restartignore"
  git -C "$UPSTREAM" commit -q -am "Stop listing itself"
  git -C "$UPSTREAM" push -q origin main

  run_update

  assert [ -e "$MACHINE/data/restart-requested" ]
}

@test "no .restartignore: every change restarts, as the plan says" {
  git -C "$UPSTREAM" rm -q .restartignore
  git -C "$UPSTREAM" commit -q -m "Remove .restartignore"
  git -C "$UPSTREAM" push -q origin main

  run_update

  assert [ -e "$MACHINE/data/restart-requested" ]
  rm "$MACHINE/data/restart-requested"
  upstream_commit_files "Docs" README.md

  run_update

  assert_line "[remote-update] Update complete. 1 commit(s) pulled, restart queued."
}

@test "a resumed update judges the whole range: an earlier runtime change still restarts" {
  make_stub npm "exit 1"
  upstream_commit_files "Code" package.json
  run_update
  assert_failure 1
  make_stub npm
  upstream_commit_files "Docs" README.md

  run_update

  assert_success
  assert_line --partial "WARN: Resuming an interrupted update"
  assert [ -e "$MACHINE/data/restart-requested" ]
}

@test "dependencies are still synced when no restart is needed" {
  echo "package-lock.json" >> "$UPSTREAM/.restartignore"
  git -C "$UPSTREAM" commit -q -am "Lockfile needs no restart"
  git -C "$UPSTREAM" push -q origin main
  git -C "$MACHINE" pull -q
  make_stub npm
  upstream_commit_files "Lock" package-lock.json

  run_update

  assert_success
  assert_line "[remote-update] Node dependencies synced via npm."
  assert_no_restart_flag
}
