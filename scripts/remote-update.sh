#!/bin/bash
#
# Remote update: pull the latest code, sync dependencies if they changed,
# and queue a restart of the bridge by writing data/restart-requested.
#
# Runs unattended: by hand, from the bridge's /update command, or from the
# service manager's update job on its schedule (scripts/scheduled-update.sh).
# Every line it prints starts with [remote-update], git's own output included,
# so it can be mixed into logs and chat replies. A run killed at any step is
# finished by the next one: before each risky step it records under data/
# what that run needs (the stash it made, the pull under way, the commit the
# update started from).
#
# It does NOT restart anything: the bridge restarts itself when idle once
# it sees the flag. It does not create virtualenvs, install tools, or set a
# machine up (the README's "Set up a new machine" does).
#
# Usage: remote-update.sh [--check | --ignore-hold]
#   --check        fetch and say what an update would do; change nothing else.
#   --ignore-hold  update although the machine is held (scripts/lib/hold.sh).
#
# Exit status: 0 when updated, already up to date, held, or another run holds
# the lock (with --check: an update would succeed); 1 when the update failed
# (with --check: it would fail); 2 for a bad argument or setting; 128+N when
# stopped by signal N (SIGHUP, SIGINT, SIGTERM).
#
# Settings: VALOR_FETCH_TIMEOUT (seconds the fetch may take, a whole number,
# default 60), from the environment or else the project's .env, as the bridge
# reads it, as are VALOR_TRUSTED_SIGNERS and VALOR_TRUSTED_GPG_KEYS
# (scripts/lib/trusted-signers.sh); VALOR_UPDATE_TRIGGER (who started the
# run: manual, telegram or schedule; recorded in data/last-update), from the
# environment only.
#
# Its parts are in scripts/lib/, one file a concern, each defining functions
# only. They are all read here, before the first git command: a run that
# pulls a new version of this script or of its parts goes on with the code it
# started with.
#
# Written for macOS's /bin/bash 3.2 and BSD userland.

# shellcheck source-path=SCRIPTDIR
set -euo pipefail

# Parameter expansion, not dirname: each process costs a few milliseconds.
case "${BASH_SOURCE[0]}" in
  */*) project_dir="$(cd "${BASH_SOURCE[0]%/*}/.." && pwd -P)" ;;
  *) project_dir="$(cd .. && pwd -P)" ;;
esac

# shellcheck source=lib/paths.sh
. "$project_dir/scripts/lib/paths.sh"
# shellcheck source=lib/output.sh
. "$project_dir/scripts/lib/output.sh"
# shellcheck source=lib/env-file.sh
. "$project_dir/scripts/lib/env-file.sh"
# shellcheck source=lib/records.sh
. "$project_dir/scripts/lib/records.sh"
# shellcheck source=lib/checkout.sh
. "$project_dir/scripts/lib/checkout.sh"
# shellcheck source=lib/git-steps.sh
. "$project_dir/scripts/lib/git-steps.sh"
# shellcheck source=lib/git-processes.sh
. "$project_dir/scripts/lib/git-processes.sh"
# shellcheck source=lib/run-lock.sh
. "$project_dir/scripts/lib/run-lock.sh"
# shellcheck source=lib/interrupted.sh
. "$project_dir/scripts/lib/interrupted.sh"
# shellcheck source=lib/stash.sh
. "$project_dir/scripts/lib/stash.sh"
# shellcheck source=lib/guarded.sh
. "$project_dir/scripts/lib/guarded.sh"
# shellcheck source=lib/signals.sh
. "$project_dir/scripts/lib/signals.sh"
# shellcheck source=lib/fetch.sh
. "$project_dir/scripts/lib/fetch.sh"
# shellcheck source=lib/fast-forward.sh
. "$project_dir/scripts/lib/fast-forward.sh"
# shellcheck source=lib/pulled.sh
. "$project_dir/scripts/lib/pulled.sh"
# shellcheck source=lib/dependencies.sh
. "$project_dir/scripts/lib/dependencies.sh"
# shellcheck source=lib/restart.sh
. "$project_dir/scripts/lib/restart.sh"
# shellcheck source=lib/last-update.sh
. "$project_dir/scripts/lib/last-update.sh"
# shellcheck source=lib/check.sh
. "$project_dir/scripts/lib/check.sh"
# shellcheck source=lib/trusted-signers.sh
. "$project_dir/scripts/lib/trusted-signers.sh"
# shellcheck source=lib/hold.sh
. "$project_dir/scripts/lib/hold.sh"

project_paths "$project_dir"
unset project_dir

# Who started the run: the environment's only, since a file cannot know it.
readonly TRIGGER="${VALOR_UPDATE_TRIGGER:-manual}"
# Read from the environment or .env by check_settings.
FETCH_TIMEOUT=""

# What `git status` said at the start.
HEAD_OID=""
BRANCH=""
UPSTREAM=""
TRACKED_CHANGES=""
# Set as the run goes.
CHECK_ONLY=false
IGNORE_HOLD=false
WORK_DIR=""
LOCK_RECORD=""
UPDATE_DONE=false
STASH_COMMIT=""
UPDATE_BASE=""
AHEAD=0
BEHIND=0
# The process group of the command running guarded (see run_guarded).
GUARDED_GROUP=""
# What was pulled (see read_pulled_range).
PULLED_LOG=""
CHANGED_FILES=""
HEAD_LINE=""
NEW_HEAD=""
# What data/last-update records at exit.
OUTCOME=failed
SUMMARY=""
COMMITS=0
RESTART_QUEUED=no
# Whether this run holds data/last-update.lock (see write_last_update).
HOLDS_RECORD_LOCK=false
# The stash entry that holds local edits that could not be put back.
STASH_LEFT=""
# One `date` call a run: epoch seconds, UTC time, stash stamp.
NOW_EPOCH=""
NOW_UTC=""
NOW_STAMP=""
# With --check: the first sentence of each problem found, joined by "; ".
CHECK_PROBLEMS=""

usage() {
  cat <<'USAGE'
Usage: bash scripts/remote-update.sh [--check | --ignore-hold]

Pulls the checkout's branch from its upstream, syncs dependencies when their
files changed, and queues a bridge restart (data/restart-requested).
  --check        fetch and report what an update would do; change nothing else
  --ignore-hold  update although the machine is held (scripts/valor-service.sh hold)
  -h, --help     show this help
Exit status: 0 updated, up to date or held, 1 failed, 2 bad argument.
USAGE
}

parse_args() {
  case "${1:-}" in
    "") ;;
    --check) CHECK_ONLY=true ;;
    --ignore-hold) IGNORE_HOLD=true ;;
    -h | --help)
      usage
      exit 0
      ;;
    check | -check)
      say "FAIL: unknown argument '$1'. Did you mean --check? Run with --help for usage."
      exit 2
      ;;
    *)
      say "FAIL: unknown argument '$1'. Run with --help for usage."
      exit 2
      ;;
  esac
  if [ $# -gt 1 ]; then
    say "FAIL: unexpected argument '$2'. Run with --help for usage."
    exit 2
  fi
}

# Settings are read and checked before anything else is read or written.
check_settings() {
  local origin=""
  if env_file_setting "$ENV_FILE" VALOR_FETCH_TIMEOUT; then
    origin=" in .env"
  fi
  FETCH_TIMEOUT="${VALOR_FETCH_TIMEOUT:-60}"
  case "$FETCH_TIMEOUT" in
    "" | *[!0-9]*) FETCH_TIMEOUT=0 ;;
  esac
  # Base 10: a leading zero is not octal.
  if [ "${#FETCH_TIMEOUT}" -gt 9 ] || [ $((10#$FETCH_TIMEOUT)) -eq 0 ]; then
    say "FAIL: VALOR_FETCH_TIMEOUT must be a whole number of seconds (got '${VALOR_FETCH_TIMEOUT:-}'$origin)"
    exit 2
  fi
  FETCH_TIMEOUT=$((10#$FETCH_TIMEOUT))
  readonly FETCH_TIMEOUT
  case "$TRIGGER" in
    manual | telegram | schedule) ;;
    *)
      say "FAIL: VALOR_UPDATE_TRIGGER must be manual, telegram or schedule (got '$TRIGGER')"
      exit 2
      ;;
  esac
}

# The EXIT trap of a run (not of --check).
# shellcheck disable=SC2317 # run by the trap, which shellcheck does not follow
finish() {
  local status=$?
  write_last_update "$status"
  if [ "$HOLDS_RECORD_LOCK" = true ]; then
    release_lock "$LAST_UPDATE_LOCK"
  else
    release_lock
  fi
}

finish_update() {
  local target=$1
  read_pulled_range "$UPDATE_BASE" "$target"
  report_commits
  sync_dependencies
  OUTCOME=updated
  if restart_needed; then
    queue_restart
    SUMMARY="Update complete. $COMMITS commit(s) pulled, restart queued."
  else
    say "No runtime changes: restart not needed."
    SUMMARY="Update complete. $COMMITS commit(s) pulled, no restart needed."
  fi
  note_signer
  if [ -n "$STASH_LEFT" ]; then
    OUTCOME=updated-with-conflict
    SUMMARY="$SUMMARY Local edits conflicted: kept in $STASH_LEFT."
  fi
  UPDATE_DONE=true
  say "$SUMMARY"
  say "HEAD: ${HEAD_LINE%% *} — ${HEAD_LINE#* }"
}

main() {
  parse_args "$@"
  cd "$PROJECT_DIR"
  export GIT_TERMINAL_PROMPT=0 GIT_OPTIONAL_LOCKS=0
  GIT_CEILING_DIRECTORIES="${PROJECT_DIR%/*}"
  export GIT_CEILING_DIRECTORIES="${GIT_CEILING_DIRECTORIES:-/}"

  check_settings
  check_trust_settings
  read_clock
  trap_signals
  if [ "$CHECK_ONLY" = true ]; then
    read_checkout
    run_check
  fi
  trap finish EXIT
  read_checkout
  skip_if_held
  if ! acquire_lock; then
    OUTCOME=skipped
    conclude "Another update is already running. Skipping."
    exit 0
  fi
  WORK_DIR=$LOCK_DIR

  recover_interrupted_run
  choose_update_base
  fetch_upstream
  count_divergence
  if [ "$AHEAD" -gt 0 ] && [ "$BEHIND" -gt 0 ]; then
    fail_diverged
  fi
  if [ "$BEHIND" -gt 0 ]; then
    verify_upstream_tip
    stash_tracked_changes
    fast_forward
  fi
  restore_stash

  if [ "$BEHIND" -eq 0 ] && [ "$UPDATE_BASE" = "$HEAD_OID" ]; then
    UPDATE_DONE=true
    if [ "$AHEAD" -gt 0 ]; then
      say "WARN: $BRANCH has $AHEAD local commit(s) not on $UPSTREAM; push or drop them."
    fi
    OUTCOME=up-to-date
    conclude "Already up to date. ($(short "$HEAD_OID"))"
    return 0
  fi
  finish_update HEAD
}

# One line: bash reads a script as it runs it, and a line is read whole
# before it runs, so a new version of this file written during the run is
# never read by it.
main "$@"; exit
