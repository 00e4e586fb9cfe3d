#!/usr/bin/env bats
# data/last-update: every run in a checkout leaves a record of itself.

load test_helper

setup() {
  setup_repos
}

@test "an update is recorded: time, trigger, outcome, exit, HEAD, commits, summary" {
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
  assert_line -n 6 "summary=Update complete. 1 commit(s) pulled, restart queued."
  assert_equal "${#lines[@]}" 7
}

@test "the trigger comes from VALOR_UPDATE_TRIGGER; an up-to-date run is recorded too" {
  VALOR_UPDATE_TRIGGER=schedule PATH="$SCRIPT_PATH" run bash "$(update_script)"

  assert_success
  assert_last_update trigger schedule
  assert_last_update outcome up-to-date
  assert_last_update summary "Already up to date. ($(short_sha "$MACHINE"))"
  assert_last_update commits 0
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
}

@test "a failed sync is recorded with its FAIL line and exit 1" {
  make_stub npm "exit 1"
  upstream_commit package.json '{"name": "valor", "version": "2"}' "Node deps"

  run_update

  assert_failure 1
  assert_last_update outcome failed
  assert_last_update exit 1
  assert_last_update summary "FAIL: npm ci failed. Dependencies NOT synced and restart NOT queued; the next run retries."
}

@test "the record is replaced whole, never left half written" {
  run_update
  run_update

  run ls -A "$MACHINE/data"
  assert_output "last-update"
}

@test "a bad argument: one line, exit 2, nothing written; --help prints usage, exit 0" {
  PATH="$SCRIPT_PATH" run bash "$(update_script)" --chek

  assert_failure 2
  assert_output "[remote-update] FAIL: unknown argument '--chek'. Run with --help for usage."
  assert [ ! -e "$MACHINE/data" ]

  PATH="$SCRIPT_PATH" run bash "$(update_script)" --help

  assert_success
  assert_line -n 0 "Usage: bash scripts/remote-update.sh [--check]"
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
