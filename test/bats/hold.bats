#!/usr/bin/env bats
# Hold and resume (scripts/lib/hold.sh, scripts/lib/hold-command.sh): data/hold
# keeps a machine at its code. The update script reads it itself, so a
# scheduled run and /update skip; a manual run needs --ignore-hold.
# scripts/valor-service.sh hold and resume write it, with no node on PATH.

load test_helper

setup() {
  setup_repos
  ship_to_machine scripts/valor-service.sh
  ln -s "$(command -v id)" "$SYSTEM_BIN/id"
  export USER=alice
  upstream_commit notes.txt "a note" "Add notes"
  NOW=$(date +%s)
  # 18:40 UTC, within the next 24 hours.
  AT_1840=$((NOW - NOW % 86400 + 67200))
  [ "$AT_1840" -gt "$NOW" ] || AT_1840=$((AT_1840 + 86400))
}

run_service() {
  PATH="$SCRIPT_PATH" run bash "$MACHINE/scripts/valor-service.sh" "$@"
}

# write_hold_file UNTIL [BY] [REASON]: a hold as the chat's /update hold writes it.
write_hold_file() {
  mkdir -p "$MACHINE/data"
  printf 'until=%s\nsince=%s\nby=%s\nreason=%s\n' "$1" "$NOW" "${2-@alice}" "${3-debugging the catch-up}" > "$MACHINE/data/hold"
}

hold_key() {
  sed -n "s/^$1=//p" "$MACHINE/data/hold"
}

# Skipped: nothing fetched, nothing changed, the run recorded.
assert_skipped() {
  assert_success
  assert_equal "${#lines[@]}" 1
  assert_equal "$(head_of "$MACHINE")" "$(head_of "$UPSTREAM" HEAD~1)"
  assert_equal "$(head_of "$MACHINE" origin/main)" "$(head_of "$MACHINE")"
  assert_no_restart_flag
  assert_equal "$(ls -A "$MACHINE/data")" "$(printf 'hold\nlast-update')"
  assert_last_update outcome skipped
  assert_last_update exit 0
  assert_last_update summary "${output#\[remote-update\] }"
}

readonly HELD="Held by @alice until 18:40 UTC (debugging the catch-up)"

@test "a held scheduled run: one line, skipped (exit 0, recorded), nothing fetched or changed" {
  write_hold_file "$AT_1840"

  VALOR_UPDATE_TRIGGER=schedule run_update

  assert_output "[remote-update] $HELD; update skipped. /update resume or scripts/valor-service.sh resume releases it."
  assert_skipped
  assert_last_update trigger schedule
}

@test "a held /update run: the same line, skipped" {
  write_hold_file "$AT_1840"

  VALOR_UPDATE_TRIGGER=telegram run_update

  assert_output "[remote-update] $HELD; update skipped. /update resume or scripts/valor-service.sh resume releases it."
  assert_skipped
  assert_last_update trigger telegram
}

@test "a held manual run says so and updates nothing; with --ignore-hold it updates, and the hold stays" {
  write_hold_file "$AT_1840"

  run_update

  assert_output "[remote-update] $HELD; not updating. Run with --ignore-hold to update anyway, or release it: scripts/valor-service.sh resume."
  assert_skipped
  assert_last_update trigger manual

  PATH="$SCRIPT_PATH" run bash "$(update_script)" --ignore-hold

  assert_success
  assert_line -n 0 "[remote-update] WARN: $HELD; updating anyway (--ignore-hold)."
  assert_last_line "[remote-update] HEAD: $(short_sha "$UPSTREAM") — Add notes"
  assert_equal "$(head_of "$MACHINE")" "$(head_of "$UPSTREAM")"
  assert_last_update outcome updated
  assert_equal "$(hold_key until)" "$AT_1840"
}

@test "a hold whose time has passed holds nothing: the update runs and says nothing of it" {
  write_hold_file $((NOW - 1))

  VALOR_UPDATE_TRIGGER=schedule run_update

  assert_success
  refute_output --partial "Held"
  assert_equal "$(head_of "$MACHINE")" "$(head_of "$UPSTREAM")"
  assert_last_update outcome updated
}

@test "a hold more than a day away is shown with its date; with no reason or holder, without them" {
  write_hold_file 4102444800 "" ""
  run_update
  assert_output --partial "[remote-update] Held until 2100-01-01 00:00 UTC; not updating."

  # 2096-02-29 23:59 UTC: a leap day, the last minute of it.
  write_hold_file 3981398340 "tom" ""
  run_update
  assert_output --partial "[remote-update] Held by tom until 2096-02-29 23:59 UTC; not updating."
}

@test "data/hold that is not a hold: one WARN, and the update runs" {
  mkdir -p "$MACHINE/data"
  printf 'until=tomorrow\nby=@alice\n' > "$MACHINE/data/hold"

  VALOR_UPDATE_TRIGGER=schedule run_update

  assert_success
  assert_line -n 0 "[remote-update] WARN: data/hold is not a hold (it has no until=<epoch seconds>) and is ignored; scripts/valor-service.sh resume removes it."
  assert_equal "$(head_of "$MACHINE")" "$(head_of "$UPSTREAM")"
}

@test "--check on a held machine: the hold first, then what an update would do" {
  write_hold_file "$AT_1840"

  PATH="$SCRIPT_PATH" run bash "$(update_script)" --check

  assert_success
  assert_line -n 1 "[remote-update] WARN: $HELD; scheduled runs and /update skip the update until then, and a manual run needs --ignore-hold."
  assert_line -n 2 "[remote-update] 1 incoming commit(s):"
  assert_last_line "[remote-update] Check: an update would succeed."
  assert_equal "$(ls -A "$MACHINE/data")" "hold"
}

@test "valor-service.sh hold for 4h REASON (no node on PATH): data/hold written whole, one line, the runs held" {
  run_service hold for 4h debugging the catch-up

  assert_success
  local until
  until="$(hold_key until)"
  assert [ "$((until - $(hold_key since)))" -eq 14400 ]
  assert [ "$(hold_key since)" -ge "$NOW" ]
  assert_equal "$(hold_key by)" "alice"
  assert_equal "$(hold_key reason)" "debugging the catch-up"
  assert_equal "$(ls -A "$MACHINE/data")" "hold"
  assert_output --regexp '^\[valor-service\] Held by alice until [0-2][0-9]:[0-5][0-9] UTC \(debugging the catch-up\): scheduled runs and /update skip the update until then\. scripts/valor-service\.sh resume releases it\.$'
  local clock=${output#*until }
  assert_equal "${clock%% UTC*}" "$(printf '%02d:%02d' $((until % 86400 / 3600)) $((until % 3600 / 60)))"

  VALOR_UPDATE_TRIGGER=schedule run_update
  assert_output --partial "update skipped"
}

@test "hold with no duration: 24 hours, no reason; a second hold replaces the first and says so" {
  run_service hold
  assert_success
  assert [ "$(($(hold_key until) - $(hold_key since)))" -eq 86400 ]
  assert_equal "$(hold_key reason)" ""
  assert_output --regexp '^\[valor-service\] Held by alice until [0-9:]+ UTC: scheduled runs'

  USER=bob run_service hold for 30m the demo
  assert_success
  assert_line -n 0 --regexp '^\[valor-service\] Replacing the hold by alice until [0-9:]+ UTC\.$'
  assert_line -n 1 --regexp '^\[valor-service\] Held by bob until [0-9:]+ UTC \(the demo\): '
  assert [ "$(($(hold_key until) - $(hold_key since)))" -eq 1800 ]
}

@test "resume: the hold is lifted, said in one line, and the next scheduled run updates" {
  run_service hold for 2d the demo
  assert_output --regexp 'until [0-9]{4}-[0-9]{2}-[0-9]{2} [0-9:]+ UTC \(the demo\)'

  run_service resume
  assert_success
  assert_output --regexp '^\[valor-service\] Resumed: the hold by alice until [-0-9]+ [0-9:]+ UTC \(the demo\) is lifted; the next scheduled run or /update updates\.$'
  assert [ ! -e "$MACHINE/data/hold" ]

  VALOR_UPDATE_TRIGGER=schedule run_update
  assert_success
  assert_equal "$(head_of "$MACHINE")" "$(head_of "$UPSTREAM")"
}

@test "resume with no hold, or one whose time has passed: not held, the file gone, exit 0" {
  run_service resume
  assert_success
  assert_output "[valor-service] Not held: nothing to resume."

  write_hold_file $((NOW - 60))
  run_service resume
  assert_success
  assert_output "[valor-service] Not held: nothing to resume."
  assert [ ! -e "$MACHINE/data/hold" ]
}

@test "bad hold arguments: the FAIL line, then the usage, exit 2, nothing written" {
  local args
  for args in "for" "for 4" "for 4x" "for h" "for -4h" "for 0m" "for 8d" "for 1000000d" "for 4.5h"; do
    # shellcheck disable=SC2086 # split on purpose
    run_service hold $args
    assert_failure 2
    assert_equal "${#lines[@]}" 2
    assert_line -n 0 --regexp "^\[valor-service\] FAIL: .*\. Nothing was changed\.$"
    assert_line -n 1 "[valor-service] usage: scripts/valor-service.sh hold [for 30m|4h|2d] [REASON] | resume"
  done
  run_service resume now
  assert_failure 2
  assert_output --partial "FAIL: resume takes no argument (got 'now')."
  assert [ ! -e "$MACHINE/data" ]
}

@test "VALOR_HOLD_BY (the chat's sender) is who holds, not the login name" {
  VALOR_HOLD_BY=@carol run_service hold for 2h the demo

  assert_success
  assert_equal "$(hold_key by)" "@carol"
  assert_output --regexp '^\[valor-service\] Held by @carol until [0-9:]+ UTC \(the demo\): '
}

@test "a reason over several lines is kept on one" {
  run_service hold for 1h "$(printf 'two\nlines')"

  assert_success
  assert_equal "$(hold_key reason)" "two lines"
  assert_equal "$(grep -c '' "$MACHINE/data/hold")" 4
}
