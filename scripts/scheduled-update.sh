#!/bin/bash
#
# What the update job (launchd's com.valor.update, systemd's
# valor-update.service) runs, at load and on its schedule: wait a random delay so that a fleet does not fetch at the same
# second, run scripts/remote-update.sh as a scheduled run, then check that the
# bridge came back from the last restart (src/service/bridge-health-cli.ts:
# it records a bridge that did not in data/last-update and can alert a chat),
# then ping VALOR_HEARTBEAT_URL when it is set, in the environment or else the
# project's .env (scripts/lib/heartbeat.sh).
#
# It does not update anything itself, and is not for /update or a manual run:
# those run scripts/remote-update.sh directly, with no delay.
#
# Usage: scheduled-update.sh [--jitter SECONDS]
#   --jitter  the longest random delay before the update (default 0).
#
# Exit status: the update's (see remote-update.sh); 2 for a bad argument.
# The health check's and the heartbeat's own trouble is a WARN line, never
# the job's status.
#
# Written for macOS's /bin/bash 3.2 and BSD userland.

# shellcheck source-path=SCRIPTDIR
set -euo pipefail

readonly LOG_PREFIX="[scheduled-update]"

project_dir="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd -P)"
# shellcheck source=lib/paths.sh
. "$project_dir/scripts/lib/paths.sh"
# shellcheck source=lib/env-file.sh
. "$project_dir/scripts/lib/env-file.sh"
# shellcheck source=lib/heartbeat.sh
. "$project_dir/scripts/lib/heartbeat.sh"
project_paths "$project_dir"
unset project_dir
readonly HEALTH_CHECK="src/service/bridge-health-cli.ts"

say() {
  printf '%s %s\n' "$LOG_PREFIX" "$*"
}

# To stderr: parse_jitter's output is its value.
usage_error() {
  say "$1 (usage: scheduled-update.sh [--jitter SECONDS])" >&2
  exit 2
}

# Prints the delay, in whole seconds, from the arguments.
parse_jitter() {
  local jitter=0
  while [ "$#" -gt 0 ]; do
    case "$1" in
      --jitter)
        [ "$#" -ge 2 ] || usage_error "--jitter needs a number of seconds"
        jitter=$2
        shift 2
        ;;
      *) usage_error "unknown argument '$1'" ;;
    esac
  done
  case "$jitter" in
    '' | *[!0-9]*) usage_error "--jitter takes a whole number of seconds (got '$jitter')" ;;
  esac
  # Leading zeros would read as octal in $(( )).
  printf '%s\n' "$((10#$jitter))"
}

random_delay() {
  local jitter=$1 delay
  [ "$jitter" -gt 0 ] || return 0
  # $RANDOM is 0..32767: two draws cover up to 9 hours, far above any jitter.
  delay=$(( (RANDOM * 32768 + RANDOM) % (jitter + 1) ))
  say "waiting ${delay} s (a random delay of up to ${jitter} s) before updating"
  sleep "$delay"
}

health_check() {
  if ! command -v node >/dev/null 2>&1; then
    say "WARN: node not found on PATH ($PATH): the bridge health check did not run. Run scripts/valor-service.sh install again."
    return 0
  fi
  (cd "$PROJECT_DIR" && node --import tsx "$HEALTH_CHECK") ||
    say "WARN: the bridge health check failed (exit $?)"
}

main() {
  local jitter status=0
  take_heartbeat_url
  jitter=$(parse_jitter "$@")
  random_delay "$jitter"
  mark_heartbeat_start
  VALOR_UPDATE_TRIGGER=schedule "$BASH" "$PROJECT_DIR/scripts/remote-update.sh" || status=$?
  health_check
  ping_heartbeat "$status"
  exit "$status"
}

main "$@"
