# shellcheck shell=bash
#
# Where the run reads and writes, all under the project folder: the mirror of
# src/config/paths.ts for the paths both know (test/bats/paths.bats compares
# them).
#
# Sourced by scripts/remote-update.sh, scripts/valor-service.sh and
# scripts/scheduled-update.sh: functions only.

# project_paths ROOT: sets the paths, read-only, for the project in ROOT.
# shellcheck disable=SC2034 # read by the other files
project_paths() {
  local data="$1/data"
  readonly PROJECT_DIR=$1 DATA_DIR=$data ENV_FILE="$1/.env" RESTART_IGNORE="$1/.restartignore"
  # The run lock, and the records an unfinished run leaves for the next.
  readonly LOCK_DIR="$data/update.lock" LOCK_OWNER="$data/update.lock/owner" RECLAIM_GUARD="$data/update.lock.reclaim"
  readonly IN_PROGRESS="$data/update-in-progress" PULL_RECORD="$data/update-pulling" STASH_RECORD="$data/update-stash"
  # What the bridge reads.
  readonly RESTART_FLAG="$data/restart-requested" LAST_UPDATE="$data/last-update" LAST_UPDATE_LOCK="$data/last-update.lock"
  # What keeps a machine at its code (scripts/lib/hold.sh).
  readonly HOLD_FILE="$data/hold"
}
