#!/usr/bin/env bats
# data/last-update: every run in a checkout leaves a record of itself.

load test_helper

setup() {
  setup_repos
}

@test "an update is recorded: time, trigger, outcome, exit, HEAD, commits, restart queued, summary" {
  upstream_commit notes.txt "a note" "Add notes"

  run_update

  assert_success
  run cat "$MACHINE/data/last-update"
  assert_line -n 0 --regexp '^time=[0-9]{4}-[0-9]{2}-[0-9]{2}T[0-9]{2}:[0-9]{2}:[0-9]{2}Z$'
  assert_line -n 1 "trigger=manual"
  assert_line -n 2 "outcome=updated"
  assert_line -n 3 "exit=0"
  assert_line -n 4 "head=$(head_of "$UPSTREAM")"
  assert_line -n 5 "commits=1"
  assert_line -n 6 "restart_queued=yes"
  assert_line -n 7 "summary=Update complete. 1 commit(s) pulled, restart queued."
  assert_equal "${#lines[@]}" 8
}

@test "the trigger comes from VALOR_UPDATE_TRIGGER; an up-to-date run is recorded too" {
  VALOR_UPDATE_TRIGGER=schedule PATH="$SCRIPT_PATH" run bash "$(update_script)"

  assert_success
  assert_last_update trigger schedule
  assert_last_update outcome up-to-date
  assert_last_update summary "Already up to date. ($(short_sha "$MACHINE"))"
  assert_last_update commits 0
  assert_last_update restart_queued no
}

@test "a skipped run is recorded as skipped and leaves the holder's lock alone" {
  mkdir -p "$MACHINE/data/update.lock"
  sleep 300 &
  local holder=$!
  echo "$holder $(date +%s)" > "$MACHINE/data/update.lock/owner"

  run_update
  kill "$holder"

  assert_success
  assert_last_update outcome skipped
  assert_last_update summary "Another update is already running. Skipping."
  assert [ -d "$MACHINE/data/update.lock" ]
  assert [ ! -e "$MACHINE/data/last-update.lock" ]
}

@test "a failed sync is recorded with its FAIL line and exit 1" {
  make_stub npm "exit 1"
  upstream_commit package.json '{"name": "valor", "version": "2"}' "Node deps"

  run_update

  assert_failure 1
  assert_last_update outcome failed
  assert_last_update exit 1
  assert_last_update restart_queued no
  assert_last_update summary "FAIL: npm ci failed. Dependencies NOT synced and restart NOT queued; the next run retries."
}

@test "the record is replaced whole, never left half written" {
  run_update
  run_update

  run ls -A "$MACHINE/data"
  assert_output "last-update"
}

# record_lock_held: data/last-update.lock, as another writer holds it.
record_lock_held() {
  mkdir -p "$MACHINE/data/last-update.lock"
}

@test "the record waits for another writer's lock, then is written under it" {
  upstream_commit notes.txt "a note" "Add notes"
  record_lock_held
  start_update "$BATS_TEST_TMPDIR/out"
  local pid=$! tries=0
  until grep -q "HEAD: " "$BATS_TEST_TMPDIR/out" || [ "$tries" -gt 100 ]; do
    sleep 0.1
    tries=$((tries + 1))
  done
  sleep 0.5

  kill -0 "$pid" || fail "the run did not wait for the record's lock"
  assert [ ! -e "$MACHINE/data/last-update" ]
  rmdir "$MACHINE/data/last-update.lock"
  wait "$pid"

  assert_last_update outcome updated
  assert [ ! -e "$MACHINE/data/last-update.lock" ]
  run ls -A "$MACHINE/data"
  refute_output --partial "last-update.tmp"
}

# An up-to-date run while data/last-update.lock is there: it writes its
# record and leaves no lock. How many seconds it took is in TOOK.
update_past_the_record_lock() {
  local started=$SECONDS
  run_update
  TOOK=$((SECONDS - started))
  assert_success
  assert_last_update outcome up-to-date
  assert [ ! -e "$MACHINE/data/last-update.lock" ]
}

@test "a record lock older than 10 s, left by a killed writer, goes at once" {
  record_lock_held
  touch -t "$(date -u +%Y)01010000" "$MACHINE/data/last-update.lock"

  update_past_the_record_lock

  assert [ "$TOOK" -lt 4 ]
}

@test "a record lock held for more than 5 s is broken: the record is written anyway" {
  record_lock_held

  update_past_the_record_lock

  assert [ "$TOOK" -ge 4 ]
}

@test "a key added from an old read never puts the previous run's record back over the new one" {
  run_update
  assert_last_update outcome up-to-date
  make_stub npm "sleep 1"
  upstream_commit package.json '{"name": "valor", "version": "2"}' "Node deps"
  start_update "$BATS_TEST_TMPDIR/out"
  local pid=$! text tries=0
  wait_for_stub npm

  # Another writer adds a key as the contract says, from a read made while
  # the run works, and writes only once the run is done.
  record_lock_held
  text="$(cat "$MACHINE/data/last-update")"
  until grep -q "HEAD: " "$BATS_TEST_TMPDIR/out" || [ "$tries" -gt 100 ]; do
    sleep 0.1
    tries=$((tries + 1))
  done
  sleep 0.5
  printf '%s\nbridge=ok\n' "$text" > "$MACHINE/data/last-update.tmp.other"
  mv "$MACHINE/data/last-update.tmp.other" "$MACHINE/data/last-update"
  rmdir "$MACHINE/data/last-update.lock"
  wait "$pid"

  assert_last_update outcome updated
  assert_last_update head "$(head_of "$UPSTREAM")"
}

@test "a bad argument: one line, exit 2, nothing written; --help prints usage, exit 0" {
  PATH="$SCRIPT_PATH" run bash "$(update_script)" --chek

  assert_failure 2
  assert_output "[remote-update] FAIL: unknown argument '--chek'. Run with --help for usage."
  assert [ ! -e "$MACHINE/data" ]

  PATH="$SCRIPT_PATH" run bash "$(update_script)" --help

  assert_success
  assert_line -n 0 "Usage: bash scripts/remote-update.sh [--check | --ignore-hold]"
}

@test "check without dashes: the unknown-argument line suggests --check, exit 2, nothing written" {
  PATH="$SCRIPT_PATH" run bash "$(update_script)" check

  assert_failure 2
  assert_output "[remote-update] FAIL: unknown argument 'check'. Did you mean --check? Run with --help for usage."
  assert [ ! -e "$MACHINE/data" ]
}

@test "VALOR_FETCH_TIMEOUT that is not a positive whole number: one line, exit 2, nothing fetched or written" {
  upstream_commit notes.txt "a note" "Add notes"
  echo "local edit" >> "$MACHINE/README.md"
  local value
  for value in abc 0 -3 1.5 " 5" 99999999999; do
    VALOR_FETCH_TIMEOUT=$value PATH="$SCRIPT_PATH" run bash "$(update_script)"

    assert_failure 2
    assert_output "[remote-update] FAIL: VALOR_FETCH_TIMEOUT must be a whole number of seconds (got '$value')"
    assert [ ! -e "$MACHINE/data" ]

    VALOR_FETCH_TIMEOUT=$value PATH="$SCRIPT_PATH" run bash "$(update_script)" --check

    assert_failure 2
    assert_output "[remote-update] FAIL: VALOR_FETCH_TIMEOUT must be a whole number of seconds (got '$value')"
  done
  assert_equal "$(head_of "$MACHINE" origin/main)" "$(head_of "$MACHINE")"
  assert_equal "$(tail -n 1 "$MACHINE/README.md")" "local edit"
}

@test "VALOR_FETCH_TIMEOUT with a leading zero is a number of seconds, not octal" {
  VALOR_FETCH_TIMEOUT=09 PATH="$SCRIPT_PATH" run bash "$(update_script)"

  assert_success
  assert_up_to_date_output
}

@test "VALOR_UPDATE_TRIGGER outside manual, telegram, schedule: one line, exit 2, nothing written" {
  VALOR_UPDATE_TRIGGER=bogus PATH="$SCRIPT_PATH" run bash "$(update_script)"

  assert_failure 2
  assert_output "[remote-update] FAIL: VALOR_UPDATE_TRIGGER must be manual, telegram or schedule (got 'bogus')"
  assert [ ! -e "$MACHINE/data" ]
}
