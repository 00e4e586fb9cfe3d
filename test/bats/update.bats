#!/usr/bin/env bats
# Pulling, reporting and queueing a restart: the paths a healthy machine takes.

load test_helper

setup() {
  setup_repos
}

@test "up to date: one line, exit 0, no flag, no dependency sync" {
  make_stub uv
  make_stub npm

  run_update

  assert_success
  assert_up_to_date_output
  assert_no_restart_flag
  assert_stub_log_empty
}

@test "fresh clone without data/: the folder is created and never read as a held lock" {
  assert [ ! -e "$MACHINE/data" ]

  run_update

  assert_success
  refute_output --partial "Another update is already running"
  assert [ -d "$MACHINE/data" ]
  assert [ ! -e "$MACHINE/data/update.lock" ]
}

@test "new commits: reported one per line, restart queued, summary and HEAD lines last" {
  upstream_commit notes.txt "first note" "Add notes"
  upstream_commit notes.txt "second note" "Reword notes"
  local first second
  first=$(short_sha "$UPSTREAM" HEAD~1)
  second=$(short_sha "$UPSTREAM")

  run_update

  assert_success
  assert_line "[remote-update] Pulled 2 commit(s):"
  assert_line "[remote-update]   $second Reword notes"
  assert_line "[remote-update]   $first Add notes"
  assert_line "[remote-update] No dependency file changes — skipping dep sync."
  assert_line "[remote-update] Restart queued (flag written to data/restart-requested)."
  assert_line "[remote-update] Bridge will restart after current work completes."
  assert_line -n $((${#lines[@]} - 2)) "[remote-update] Update complete. 2 commit(s) pulled, restart queued."
  assert_line -n $((${#lines[@]} - 1)) "[remote-update] HEAD: $second — Reword notes"
  assert_equal "$(head_of "$MACHINE")" "$(head_of "$UPSTREAM")"
}

@test "an update with local edits prints only the script's own lines, each prefixed" {
  upstream_commit notes.txt "a note" "Add notes"
  echo "local edit" >> "$MACHINE/README.md"

  run_update

  assert_success
  refute_line --partial "Fast-forward"
  refute_line --partial "Already up to date."
  assert_every_line_prefixed
}

@test "restart flag holds '<UTC ISO-8601 time> <N> commit(s)' written during the run" {
  upstream_commit a.txt "a" "One"
  upstream_commit b.txt "b" "Two"
  upstream_commit c.txt "c" "Three"
  local started finished flag
  started=$(date -u +%Y-%m-%dT%H:%M:%SZ)

  run_update
  finished=$(date -u +%Y-%m-%dT%H:%M:%SZ)

  assert_success
  flag=$(cat "$MACHINE/data/restart-requested")
  assert_regex "$flag" '^[0-9]{4}-[0-9]{2}-[0-9]{2}T[0-9]{2}:[0-9]{2}:[0-9]{2}Z 3 commit\(s\)$'
  local stamp=${flag%% *}
  assert [ "$stamp" \> "$started" -o "$stamp" = "$started" ]
  assert [ "$stamp" \< "$finished" -o "$stamp" = "$finished" ]
}

@test "a second run after an update is up to date and leaves the first flag alone" {
  upstream_commit notes.txt "a note" "Add notes"
  run_update
  assert_success
  local flag
  flag=$(cat "$MACHINE/data/restart-requested")

  run_update

  assert_success
  assert_up_to_date_output
  assert_equal "$(cat "$MACHINE/data/restart-requested")" "$flag"
  assert [ ! -e "$MACHINE/data/update-in-progress" ]
}

@test "works from any current directory and through a symlinked path" {
  upstream_commit notes.txt "a note" "Add notes"
  ln -s "$MACHINE" "$BATS_TEST_TMPDIR/linked"
  cd /

  PATH="$SCRIPT_PATH" run bash "$BATS_TEST_TMPDIR/linked/scripts/remote-update.sh"

  assert_success
  assert_line "[remote-update] Pulled 1 commit(s):"
  assert [ -e "$MACHINE/data/restart-requested" ]
}

# new_version_of FILE SED-EXPRESSION: changes an upstream file in place (not committed).
new_version_of() {
  sed "$2" "$UPSTREAM/$1" > "$UPSTREAM/$1.new"
  mv "$UPSTREAM/$1.new" "$UPSTREAM/$1"
  cmp -s "$UPSTREAM/$1" "$REPO_ROOT/$1" && fail "$2 did not change $1"
  return 0
}

# shellcheck disable=SC2016 # sed expressions: nothing in them is meant to expand
@test "a run that pulls a new version of the script and of its parts finishes on the code it started with" {
  # Each part of the new version would show in the run's output or record.
  new_version_of scripts/lib/output.sh 's/"\$LOG_PREFIX" "\$line"/"\$LOG_PREFIX new-output" "\$line"/'
  new_version_of scripts/lib/last-update.sh 's/^trigger=\$TRIGGER$/trigger=new-$TRIGGER/'
  new_version_of scripts/remote-update.sh 's/say "\$SUMMARY"/say "new main: $SUMMARY"/'
  printf 'echo "[remote-update] new last line"\n' >> "$UPSTREAM/scripts/remote-update.sh"
  git -C "$UPSTREAM" commit -q -a -m "New version of the update script"
  git -C "$UPSTREAM" push -q origin main

  run_update

  assert_success
  assert_line "[remote-update] Update complete. 1 commit(s) pulled, restart queued."
  assert_last_line "[remote-update] HEAD: $(short_sha "$UPSTREAM") — New version of the update script"
  assert_every_line_prefixed
  refute_output --partial "new"
  assert_last_update trigger manual
  # The new version is what the next run runs.
  run_update
  assert_output "[remote-update] new-output Already up to date. ($(short_sha "$MACHINE"))"
  assert_last_update trigger new-manual
}
