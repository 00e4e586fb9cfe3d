#!/bin/bash
#
# Manages Valor's service: the bridge (kept alive) and the update job (at
# load, and on the schedule chosen at install), as launchd agents on macOS or
# systemd user units on Linux. A thin wrapper: the logic is in src/service/.
#
#   scripts/valor-service.sh install [--every 30m | --at 06:00,18:00] [--jitter 5m]
#   scripts/valor-service.sh uninstall | restart | status | logs | help
#   scripts/valor-service.sh hold [for 4h] [REASON] | resume
#
# hold and resume are bash (scripts/lib/hold-command.sh): they work while
# node or the dependencies do not.
#
# It does not update code (scripts/remote-update.sh does), never uses the
# deprecated launchctl load/unload, and never runs under sudo.

# shellcheck source-path=SCRIPTDIR
set -euo pipefail

readonly LOG_PREFIX="[valor-service]"

project_dir="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd -P)"
# shellcheck source=lib/paths.sh
. "$project_dir/scripts/lib/paths.sh"
# shellcheck source=lib/hold.sh
. "$project_dir/scripts/lib/hold.sh"
# shellcheck source=lib/hold-command.sh
. "$project_dir/scripts/lib/hold-command.sh"
project_paths "$project_dir"
unset project_dir

main() {
  cd "$PROJECT_DIR"
  case "${1:-}" in
    hold | resume)
      "${1}_command" "${@:2}"
      return
      ;;
  esac
  if ! command -v node >/dev/null 2>&1; then
    echo "$LOG_PREFIX node not found on PATH: install Node 20 or newer, then run this again."
    exit 2
  fi
  # npm writes this file last: without it the first import below would fail
  # with a stack trace instead of a sentence.
  if [ ! -e node_modules/.package-lock.json ]; then
    echo "$LOG_PREFIX the dependencies are not installed: run npm ci first (in $PROJECT_DIR), then run this again."
    exit 2
  fi
  exec node --import tsx src/service/cli.ts "$@"
}

main "$@"
