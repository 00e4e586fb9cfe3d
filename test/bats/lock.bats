#!/usr/bin/env bats
# The update lock: one run at a time, and a lock left by a run that died
# never blocks the updates after it.

load test_helper

setup() {
  setup_repos
  upstream_commit notes.txt "a note" "Add notes"
  mkdir -p "$MACHINE/data"
}

teardown() {
  if [ -n "${HOLDER_PID:-}" ]; then
    kill "$HOLDER_PID" 2>/dev/null || true
  fi
}

# A process that stays alive for the test, standing in for a running update.
start_live_holder() {
  sleep 300 &
  HOLDER_PID=$!
}

dead_pid() {
  bash -c 'exit 0' &
  local pid=$!
  wait "$pid"
  echo "$pid"
}

write_lock() {
  mkdir -p "$MACHINE/data/update.lock"
  echo "$1 $2" > "$MACHINE/data/update.lock/owner"
}

# A uv that holds the run in its sync, so with the lock, until release_uv
# (at most 30 s): however slow the machine, the test acts while it is held.
hold_uv() {
  make_stub uv "n=0; until [ -e '$BATS_TEST_TMPDIR/uv-released' ] || [ \"\$n\" -ge 300 ]; do sleep 0.1; n=\$((n + 1)); done"
}

release_uv() {
  touch "$BATS_TEST_TMPDIR/uv-released"
}

# wait_for_skips N: until N of the runs started into out.* have skipped (at most 30 s).
wait_for_skips() {
  local tries=0
  until [ "$(cat "$BATS_TEST_TMPDIR"/out.* | grep -c 'Another update is already running. Skipping.')" -ge "$1" ] ||
    [ "$tries" -gt 300 ]; do
    sleep 0.1
    tries=$((tries + 1))
  done
}

@test "lock held by a live run: skip message, exit 0, nothing pulled, lock untouched" {
  start_live_holder
  write_lock "$HOLDER_PID" "$(date +%s)"
  local before
  before=$(head_of "$MACHINE")

  run_update

  assert_success
  assert_output "[remote-update] Another update is already running. Skipping."
  assert_equal "$(head_of "$MACHINE")" "$before"
  assert_equal "$(cat "$MACHINE/data/update.lock/owner")" "$HOLDER_PID $(cut -d' ' -f2 "$MACHINE/data/update.lock/owner")"
}

@test "the lock records the holder's pid and start time while the run works" {
  hold_uv
  upstream_commit uv.lock "v2" "Bump lock"
  start_update "$BATS_TEST_TMPDIR/out"
  local pid=$!
  wait_for_stub uv

  run cat "$MACHINE/data/update.lock/owner"
  release_uv
  wait "$pid"

  assert_regex "$output" "^$pid [0-9]+$"
  assert [ ! -e "$MACHINE/data/update.lock" ]
}

@test "lock whose holder died: reclaimed at once with a WARN, update runs, lock released" {
  local gone
  gone=$(dead_pid)
  write_lock "$gone" "$(date +%s)"

  run_update

  assert_success
  assert_line -n 0 "[remote-update] WARN: Reclaimed a stale update lock: its holder (pid $gone) is no longer running."
  assert_line "[remote-update] Pulled 1 commit(s):"
  assert [ ! -e "$MACHINE/data/update.lock" ]
}

@test "lock older than 10 minutes is reclaimed even though its pid is alive" {
  start_live_holder
  write_lock "$HOLDER_PID" "$(($(date +%s) - 601))"

  run_update

  assert_success
  assert_line -n 0 "[remote-update] WARN: Reclaimed a stale update lock: it is older than 10 minutes (pid $HOLDER_PID, now stopped)."
  assert_line "[remote-update] Pulled 1 commit(s):"
  wait "$HOLDER_PID" || true
  run kill -0 "$HOLDER_PID"
  assert_failure
}

@test "lock just under 10 minutes old with a live pid still means skip" {
  start_live_holder
  write_lock "$HOLDER_PID" "$(($(date +%s) - 590))"

  run_update

  assert_success
  assert_output "[remote-update] Another update is already running. Skipping."
}

@test "lock without a holder record: skipped while fresh, reclaimed once older than 10 minutes" {
  mkdir "$MACHINE/data/update.lock"

  run_update
  assert_output "[remote-update] Another update is already running. Skipping."

  touch -t "$(date -u +%Y)01010000" "$MACHINE/data/update.lock"
  run_update
  assert_success
  assert_line -n 0 "[remote-update] WARN: Reclaimed a stale update lock: it has no holder record and is older than 10 minutes."
  assert_line "[remote-update] Pulled 1 commit(s):"
}

@test "a reclaim guard left by a run killed mid-reclaim does not block for long" {
  write_lock "$(dead_pid)" "$(date +%s)"
  mkdir "$MACHINE/data/update.lock.reclaim"
  touch -t "$(date -u +%Y)01010000" "$MACHINE/data/update.lock.reclaim"

  run_update

  assert_success
  assert_line --partial "WARN: Reclaimed a stale update lock"
  assert [ ! -e "$MACHINE/data/update.lock.reclaim" ]
}

@test "concurrent runs: exactly one pulls, the others skip, dependencies sync once" {
  hold_uv
  upstream_commit pyproject.toml "[project]" "Bump deps"
  local pids="" n
  for n in 1 2 3 4; do
    start_update "$BATS_TEST_TMPDIR/out.$n"
    pids="$pids $!"
  done
  wait_for_skips 3
  release_uv
  for n in $pids; do
    wait "$n"
  done

  run cat "$BATS_TEST_TMPDIR"/out.*
  assert_equal "$(grep -c 'Pulled 2 commit(s):' <<< "$output")" 1
  assert_equal "$(grep -c '^\[remote-update\] Another update is already running. Skipping.$' <<< "$output")" 3
  assert_equal "$(grep -c '^uv ' "$STUB_LOG")" 1
  assert_equal "$(head_of "$MACHINE")" "$(head_of "$UPSTREAM")"
  assert [ ! -e "$MACHINE/data/update.lock" ]
}

@test "concurrent runs finding the same dead lock: exactly one reclaims it and pulls" {
  hold_uv
  upstream_commit pyproject.toml "[project]" "Bump deps"
  write_lock "$(dead_pid)" "$(date +%s)"
  local pids="" n
  for n in 1 2 3 4 5 6; do
    start_update "$BATS_TEST_TMPDIR/out.$n"
    pids="$pids $!"
  done
  wait_for_skips 5
  release_uv
  for n in $pids; do
    wait "$n"
  done

  run cat "$BATS_TEST_TMPDIR"/out.*
  assert_equal "$(grep -c 'WARN: Reclaimed a stale update lock' <<< "$output")" 1
  assert_equal "$(grep -c 'Pulled 2 commit(s):' <<< "$output")" 1
  assert_equal "$(grep -c 'Another update is already running. Skipping.' <<< "$output")" 5
  assert_equal "$(grep -c '^uv ' "$STUB_LOG")" 1
}

@test "a run whose lock was taken over while it worked leaves the new holder's lock alone" {
  hold_uv
  upstream_commit uv.lock "v2" "Bump lock"
  start_update "$BATS_TEST_TMPDIR/out"
  local pid=$!
  wait_for_stub uv
  start_live_holder
  local taken_over_at
  taken_over_at=$(date +%s)
  write_lock "$HOLDER_PID" "$taken_over_at"
  release_uv
  wait "$pid"

  run cat "$BATS_TEST_TMPDIR/out"
  assert_output --partial "Update complete. 2 commit(s) pulled, restart queued."
  assert_equal "$(cat "$MACHINE/data/update.lock/owner")" "$HOLDER_PID $taken_over_at"
}

@test "a run stopped with SIGTERM releases its lock" {
  make_stub uv "exec sleep 30"
  upstream_commit uv.lock "v2" "Bump lock"
  start_update "$BATS_TEST_TMPDIR/out"
  local pid=$!
  wait_for_stub uv
  assert [ -d "$MACHINE/data/update.lock" ]

  kill -TERM "$pid"
  wait "$pid" || true
  kill_stub uv

  assert [ ! -e "$MACHINE/data/update.lock" ]
}
