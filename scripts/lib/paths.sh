# shellcheck shell=bash
#
# Where the run reads and writes, all under the project folder: the mirror of
# src/config/paths.ts for the paths both know (test/bats/paths.bats compares
# them).
#
# Sourced by scripts/remote-update.sh: functions only.

# project_paths ROOT: sets the paths, read-only, for the project in ROOT.
# shellcheck disable=SC2034 # read by the other files
project_paths() {
  readonly PROJECT_DIR=$1
  readonly DATA_DIR="$1/data"
  readonly LOCK_DIR="$DATA_DIR/update.lock"
  readonly LOCK_OWNER="$LOCK_DIR/owner"
  readonly RECLAIM_GUARD="$DATA_DIR/update.lock.reclaim"
  readonly IN_PROGRESS="$DATA_DIR/update-in-progress"
  readonly PULL_RECORD="$DATA_DIR/update-pulling"
  readonly STASH_RECORD="$DATA_DIR/update-stash"
  readonly RESTART_FLAG="$DATA_DIR/restart-requested"
  readonly LAST_UPDATE="$DATA_DIR/last-update"
  readonly LAST_UPDATE_LOCK="$DATA_DIR/last-update.lock"
  readonly RESTART_IGNORE="$1/.restartignore"
  readonly ENV_FILE="$1/.env"
}
