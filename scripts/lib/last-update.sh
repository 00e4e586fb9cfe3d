# shellcheck shell=bash
#
# The record of each run, data/last-update: one "key=value" a line,
# replaced whole at every exit. Every writer of it (this script; the bridge
# and the update job's health check, which add keys) holds
# data/last-update.lock, a folder, for its read-modify-write of a few
# milliseconds, and writes a temporary file of its own, then renames it.
#
# Sourced by scripts/remote-update.sh: functions only.

# Written for every run in a git checkout, even one that failed before it
# took the lock, or that git could not read (its head is then empty). The
# record's lock is left to the caller to release (HOLDS_RECORD_LOCK), with
# the run's own lock: one process for both.
write_last_update() {
  local status=$1
  [ -n "$HEAD_OID" ] || [ -e "$PROJECT_DIR/.git" ] || return 0
  [ -d "$DATA_DIR" ] || mkdir -p "$DATA_DIR"
  if lock_last_update; then
    # shellcheck disable=SC2034 # read by remote-update.sh's finish
    HOLDS_RECORD_LOCK=true
  fi
  write_atomically "$LAST_UPDATE" "time=$NOW_UTC
trigger=$TRIGGER
outcome=$OUTCOME
exit=$status
head=${NEW_HEAD:-$HEAD_OID}
commits=$COMMITS
restart_queued=$RESTART_QUEUED${STASH_LEFT:+
stash=$STASH_LEFT}
summary=$SUMMARY"
}

# Another writer's lock is waited for, looked at every 20 ms (a sleep each
# time: only while another writer holds it). One older than 10 s was left by
# a killed writer and goes at once; after 5 s the lock is broken: a record is
# worth less than a stuck run. Fails when another writer took the lock in
# between: the record is then written without it.
lock_last_update() {
  local polls=0
  until mkdir "$LAST_UPDATE_LOCK" 2>/dev/null; do
    if [ "$polls" -ge 250 ] || { [ "$polls" -eq 0 ] && older_than_seconds "$LAST_UPDATE_LOCK" 10; }; then
      rm -rf "$LAST_UPDATE_LOCK"
      mkdir "$LAST_UPDATE_LOCK" 2>/dev/null || return 1
      return 0
    fi
    polls=$((polls + 1))
    sleep 0.02
  done
}
