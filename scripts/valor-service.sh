#!/bin/bash
#
# Manages Valor's launchd agents: the bridge (KeepAlive) and the update job
# (06:00 and 18:00). A thin wrapper: the logic is in src/service/.
#
#   scripts/valor-service.sh install | uninstall | restart | status | logs | help
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
  exec node --import tsx src/service/cli.ts "$@"
}

main "$@"
