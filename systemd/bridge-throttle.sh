#!/bin/bash
#
# The bridge's start throttle under systemd: valor-bridge.service runs it
# before each start (ExecStartPre: wait) and after each exit (ExecStopPost:
# record). It is launchd's ThrottleInterval (not two starts within 60 s) kept
# for failures only: when the bridge failed (exit 1 or 2: a bad setting, a
# refused login, a commit that cannot start) within 60 s of its start, the
# next start waits until 60 s after that start, so a bad setting is retried
# once a minute. The bridge's exit for a restart (143 after SIGTERM: for an
# update) and any exit after 10 s of running are followed by the next start
# at once (the unit's RestartSec, 100 ms): new code is live without a pause.
# Any other exit within 10 s of its start (a crash or a kill at start-up)
# waits about a second, so that no fault can start the bridge more than
# about once a second.
#
# It starts and stops nothing itself (systemd does: Restart=always, no
# start-rate limit), and keeps only two time stamps under RUNTIME_DIR (%t,
# which a reboot empties). A stop during the wait (valor-service.sh restart,
# after fixing .env) clears them: the next start is at once.
#
# Usage: bridge-throttle.sh wait|record RUNTIME_DIR
#   wait    sleep until the time `record` left, if any; then note this start
#   record  after an exit, as systemd describes it in EXIT_CODE and
#           EXIT_STATUS: note when the next start may be, if it must wait
#
# Linux only (systemd); GNU date.

set -euo pipefail

readonly LOG_PREFIX="[bridge-throttle]"
readonly INTERVAL=60
# An exit sooner than this after its start, other than a restart, waits a second.
readonly QUICK_EXIT=10
# The bridge's exits for a start that failed (src/bridge/run-bridge.ts, src/main.ts).
readonly FAILED_START_STATUSES=" 1 2 "

say() {
  printf '%s %s %s\n' "$LOG_PREFIX" "$(date -u +%Y-%m-%dT%H:%M:%SZ)" "$*"
}

usage_error() {
  echo "$LOG_PREFIX $1 (usage: bridge-throttle.sh wait|record RUNTIME_DIR)" >&2
  exit 2
}

# The whole number in FILE, or nothing.
read_stamp() {
  local value
  value=$(cat "$1" 2>/dev/null) || return 0
  case "$value" in
    '' | *[!0-9]*) return 0 ;;
  esac
  printf '%s\n' "$value"
}

wait_turn() {
  local started=$1 retry_at=$2 until now delay
  rm -f "$started"
  until=$(read_stamp "$retry_at")
  now=$(date +%s)
  if [ -n "$until" ] && [ "$until" -gt "$now" ]; then
    delay=$((until - now))
    # A clock set back must not hold the bridge for longer than one interval.
    [ "$delay" -le "$INTERVAL" ] || delay=$INTERVAL
    sleep "$delay"
  fi
  rm -f "$retry_at"
  date +%s > "$started"
}

# The exit systemd describes in EXIT_CODE and EXIT_STATUS is a start that failed.
failed_start() {
  [ "${EXIT_CODE:-}" = exited ] || return 1
  case "$FAILED_START_STATUSES" in
    *" ${EXIT_STATUS:-} "*) return 0 ;;
  esac
  return 1
}

record_exit() {
  local started=$1 retry_at=$2 at now ran
  at=$(read_stamp "$started")
  rm -f "$started" "$retry_at"
  # No start noted: stopped while waiting, or the first start. The next one goes at once.
  [ -n "$at" ] || return 0
  # The bridge's own restart (SIGTERM, for an update): at once.
  if [ "${EXIT_CODE:-}" = exited ] && [ "${EXIT_STATUS:-}" = 143 ]; then
    return 0
  fi
  now=$(date +%s)
  ran=$((now - at))
  if failed_start && [ "$ran" -lt "$INTERVAL" ]; then
    echo $((at + INTERVAL)) > "$retry_at"
    say "the bridge exited with status $EXIT_STATUS $ran s after its start: the next start is at $(date -u -d "@$((at + INTERVAL))" +%Y-%m-%dT%H:%M:%SZ), once a minute until it starts (scripts/valor-service.sh restart tries at once)"
    return 0
  fi
  [ "$ran" -lt "$QUICK_EXIT" ] || return 0
  echo $((now + 1)) > "$retry_at"
}

main() {
  [ "$#" -eq 2 ] || usage_error "needs two arguments"
  local command=$1 dir=$2
  [ -d "$dir" ] || usage_error "no folder '$dir'"
  local started="$dir/valor-bridge.started" retry_at="$dir/valor-bridge.retry-at"
  case "$command" in
    wait) wait_turn "$started" "$retry_at" ;;
    record) record_exit "$started" "$retry_at" ;;
    *) usage_error "unknown command '$command'" ;;
  esac
}

main "$@"
