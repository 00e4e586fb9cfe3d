#!/bin/bash
#
# The bridge's start throttle under systemd: valor-bridge.service runs it
# before each start (ExecStartPre: wait) and after each exit (ExecStopPost:
# record). It is launchd's ThrottleInterval (not two starts within 60 s) kept
# for failures only: when the bridge failed (exit 1 or 2: a bad setting, a
# refused login, a commit that cannot start) within 60 s of its start, the
# next start waits until 60 s after that start, so a bad setting is retried
# once a minute. Any other exit (143 after SIGTERM: a restart for an update;
# a kill) is followed by the next start after the unit's RestartSec, at once.
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

record_exit() {
  local started=$1 retry_at=$2 at now
  at=$(read_stamp "$started")
  rm -f "$started" "$retry_at"
  # No start noted: stopped while waiting, or the first start. The next one goes at once.
  [ -n "$at" ] || return 0
  [ "${EXIT_CODE:-}" = exited ] || return 0
  case "$FAILED_START_STATUSES" in
    *" ${EXIT_STATUS:-} "*) ;;
    *) return 0 ;;
  esac
  now=$(date +%s)
  [ $((now - at)) -lt "$INTERVAL" ] || return 0
  echo $((at + INTERVAL)) > "$retry_at"
  say "the bridge exited with status $EXIT_STATUS $((now - at)) s after its start: the next start is at $(date -u -d "@$((at + INTERVAL))" +%Y-%m-%dT%H:%M:%SZ), once a minute until it starts (scripts/valor-service.sh restart tries at once)"
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
