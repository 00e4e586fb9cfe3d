#!/bin/bash
#
# Manages Valor's launchd agents: the bridge (KeepAlive) and the update job
# (at load, and on the schedule chosen at install). A thin wrapper: the logic
# is in src/service/.
#
#   scripts/valor-service.sh install [--every 30m | --at 06:00,18:00] [--jitter 5m]
#   scripts/valor-service.sh uninstall | restart | status | logs | help
#
# It does not update code (scripts/remote-update.sh does) and never uses the
# deprecated launchctl load/unload.

set -euo pipefail

readonly LOG_PREFIX="[valor-service]"

PROJECT_DIR="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd -P)"
readonly PROJECT_DIR

main() {
  cd "$PROJECT_DIR"
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
