# shellcheck shell=bash
#
# The record of each run, data/last-update: one "key=value" a line,
# replaced whole at every exit.
#
# Sourced by scripts/remote-update.sh: functions only.

# Written for every run in a git checkout, even one that failed before it
# took the lock.
write_last_update() {
  local status=$1
  [ -n "$HEAD_OID" ] || return 0
  [ -d "$DATA_DIR" ] || mkdir -p "$DATA_DIR"
  write_atomically "$LAST_UPDATE" "time=$NOW_UTC
trigger=$TRIGGER
outcome=$OUTCOME
exit=$status
head=${NEW_HEAD:-$HEAD_OID}
commits=$COMMITS${STASH_LEFT:+
stash=$STASH_LEFT}
summary=$SUMMARY"
}
