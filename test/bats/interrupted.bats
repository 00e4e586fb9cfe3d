#!/usr/bin/env bats
# An update that died or failed after its pull is finished by the next run:
# dependencies synced for the whole range, restart queued.

load test_helper

setup() {
  setup_repos
}

@test "SIGKILL during a slow sync, then a run that completes the update" {
  make_stub uv "exec sleep 30"
  upstream_commit pyproject.toml "[project]" "Python deps"
  local base
  base=$(short_sha "$MACHINE")
  start_update "$BATS_TEST_TMPDIR/killed.out"
  local pid=$!
  wait_for_stub uv
  kill -KILL "$pid"
  kill_stub uv
  wait "$pid" || true
  assert [ -d "$MACHINE/data/update.lock" ]
  assert_no_restart_flag
  assert_equal "$(head_of "$MACHINE")" "$(head_of "$UPSTREAM")"
  make_stub uv

  run_update

  assert_success
  assert_line -n 0 "[remote-update] WARN: Reclaimed a stale update lock: its holder (pid $pid) is no longer running."
  assert_line "[remote-update] WARN: Resuming an interrupted update that started at $base."
  assert_line "[remote-update] Pulled 1 commit(s):"
  assert_line "[remote-update] Dependencies synced via uv."
  assert_line "[remote-update] Update complete. 1 commit(s) pulled, restart queued."
  refute_line --partial "[remote-update] Already up to date. ("
  assert_regex "$(cat "$MACHINE/data/restart-requested")" ' 1 commit\(s\)$'
  assert [ ! -e "$MACHINE/data/update-in-progress" ]
  assert [ ! -e "$MACHINE/data/update.lock" ]
}

@test "failed sync is retried by the next run, which then queues the restart" {
  make_stub npm "exit 1"
  upstream_commit package.json '{"name": "valor", "version": "2"}' "Node deps"
  run_update
  assert_failure 1
  assert_no_restart_flag
  make_stub npm

  run_update

  assert_success
  assert_line --partial "WARN: Resuming an interrupted update"
  assert_line "[remote-update] Node dependencies synced via npm."
  assert [ -e "$MACHINE/data/restart-requested" ]
  run cat "$STUB_LOG"
  assert_output "npm ci
npm ci"
}

@test "resumed run that also pulls new commits covers the whole range" {
  make_stub uv "exit 1"
  upstream_commit uv.lock "v2" "Lock deps"
  run_update
  assert_failure 1
  make_stub uv
  upstream_commit notes.txt "a note" "Add notes"

  run_update

  assert_success
  assert_line "[remote-update] Pulled 2 commit(s):"
  assert_line "[remote-update] Dependencies synced via uv."
  assert_line "[remote-update] Update complete. 2 commit(s) pulled, restart queued."
}

@test "a record that is not an ancestor of HEAD is ignored with a WARN" {
  mkdir -p "$MACHINE/data"
  echo "0123456789012345678901234567890123456789" > "$MACHINE/data/update-in-progress"

  run_update

  assert_success
  assert_line -n 0 "[remote-update] WARN: Ignoring data/update-in-progress: 0123456789012345678901234567890123456789 is not an ancestor of HEAD."
  assert_line "[remote-update] Already up to date. ($(short_sha "$MACHINE"))"
  assert [ ! -e "$MACHINE/data/update-in-progress" ]
}

@test "SIGTERM to the script during a slow sync: the sync is ended, the FAIL line is last, exit 143; the next run finishes" {
  make_stub uv "exec sleep 4243"
  upstream_commit pyproject.toml "[project]" "Python deps"
  start_update "$BATS_TEST_TMPDIR/killed.out"
  local pid=$! status=0
  wait_for_stub uv

  kill -TERM "$pid"
  wait "$pid" || status=$?

  assert_equal "$status" 143
  assert_gone_within 5 "$(cat "$STUB_BIN/uv.pid")"
  assert_equal "$(tail -n 1 "$BATS_TEST_TMPDIR/killed.out")" \
    "[remote-update] FAIL: Stopped by SIGTERM during the update; the next run finishes it."
  assert_last_update outcome failed
  assert_last_update exit 143
  assert_no_restart_flag
  assert [ ! -e "$MACHINE/data/update.lock" ]
  make_stub uv

  run_update

  assert_success
  assert_line --partial "WARN: Resuming an interrupted update"
  assert_line "[remote-update] Dependencies synced via uv."
  assert [ -e "$MACHINE/data/restart-requested" ]
}
