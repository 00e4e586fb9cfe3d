#!/usr/bin/env bats
# scripts/scheduled-update.sh: what the update agent runs. A random delay
# first, then the real update as a scheduled run, then the bridge check
# (node, stubbed here: the check itself is tested in test/ts/bridge-health.test.ts).

load test_helper

setup() {
  setup_repos
  ship_to_machine scripts/scheduled-update.sh
}

run_scheduled() {
  PATH="$SCRIPT_PATH" run bash "$MACHINE/scripts/scheduled-update.sh" "$@"
}

@test "--jitter 0: no delay, the update recorded as a scheduled run, then the bridge check from the checkout" {
  # shellcheck disable=SC2016 # expanded by the stub, in the folder it runs in
  make_stub node 'echo "[bridge-health] checked from $PWD"'
  upstream_commit notes.txt "a note" "Add notes"

  run_scheduled --jitter 0

  assert_success
  refute_output --partial "waiting"
  assert_line --partial "[remote-update] Pulled 1 commit(s):"
  assert_line -n 0 --partial "[remote-update]"
  assert_line "[bridge-health] checked from $MACHINE"
  assert_last_update trigger schedule
  assert_last_update outcome updated
  run cat "$STUB_LOG"
  assert_output "node --import tsx src/service/bridge-health-cli.ts"
}

@test "a random delay of at most the jitter, said in one line, before the update" {
  make_stub node
  local _
  for _ in 1 2 3 4; do
    run_scheduled --jitter 1
    assert_success
    assert_line -n 0 --regexp '^\[scheduled-update\] waiting [01] s \(a random delay of up to 1 s\) before updating$'
  done
}

@test "without node on PATH the update still runs; the check is skipped with one WARN line" {
  run_scheduled --jitter 0

  assert_success
  assert_line -n 0 "[remote-update] Already up to date. ($(short_sha "$MACHINE"))"
  assert_line -n 1 --regexp '^\[scheduled-update\] WARN: node not found on PATH \(.*\): the bridge health check did not run\. Run scripts/valor-service\.sh install again\.$'
  assert_equal "${#lines[@]}" 2
}

@test "a failed update: its exit status is the job's, and the bridge is checked all the same" {
  make_stub node 'exit 3'
  git -C "$MACHINE" remote set-url origin "$BATS_TEST_TMPDIR/no-such-origin.git"

  run_scheduled --jitter 0

  assert_failure 1
  assert_line "[scheduled-update] WARN: the bridge health check failed (exit 3)"
  assert_last_update trigger schedule
  assert_last_update outcome failed
  run cat "$STUB_LOG"
  assert_output "node --import tsx src/service/bridge-health-cli.ts"
}

@test "bad arguments: one line, exit 2, nothing run" {
  make_stub node
  local args
  for args in "--jitter abc" "--jitter -5" "--jitter" "--every 5"; do
    # shellcheck disable=SC2086 # split on purpose
    run_scheduled $args
    assert_failure 2
    assert_equal "${#lines[@]}" 1
    assert_line -n 0 --regexp '^\[scheduled-update\] .* \(usage: scheduled-update\.sh \[--jitter SECONDS\]\)$'
  done
  assert [ ! -e "$MACHINE/data/last-update" ]
  assert_stub_log_empty
}
