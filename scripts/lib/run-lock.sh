# shellcheck shell=bash
#
# The run lock, data/update.lock: a directory (mkdir is atomic) holding
# "<pid> <epoch seconds>" of its holder, so that a lock left by a killed run
# can be told from a live one.
#
# Sourced by scripts/remote-update.sh: functions only.

readonly STALE_LOCK_SECONDS=600

take_lock() {
  mkdir "$LOCK_DIR" 2>/dev/null || return 1
  LOCK_RECORD="$$ $NOW_EPOCH"
  printf '%s\n' "$LOCK_RECORD" > "$LOCK_OWNER"
}

# release_lock [OTHER]: a run judged stale while still alive has lost the
# lock to another run: the lock is removed only while it still holds this
# run's record. A finished update's record goes with it, and so does OTHER,
# another lock the run ends with, in the same process.
release_lock() {
  local other=${1:-}
  if [ -z "$LOCK_RECORD" ] || [ "$(lock_owner)" != "$LOCK_RECORD" ]; then
    [ -z "$other" ] || rmdir "$other" 2>/dev/null || true
    return 0
  fi
  set -- "$LOCK_DIR" ${other:+"$other"} ${TRUSTED_GNUPGHOME:+"$TRUSTED_GNUPGHOME"}
  if [ "$UPDATE_DONE" = true ]; then
    set -- "$IN_PROGRESS" "$@"
  fi
  rm -rf "$@"
}

lock_owner() {
  read_record "$LOCK_OWNER"
}

# Prints why the lock held by <owner> may be taken over; fails while its
# holder may still be working. An owner that is not "<pid> <epoch>" is a
# holder between mkdir and writing its record: only age makes it stale.
stale_lock_reason() {
  local owner=$1
  local pid=${owner%% *} started=${owner#* }
  case "$pid:$started" in
    *[!0-9:]* | :* | *:)
      if older_than_minutes "$LOCK_DIR" $((STALE_LOCK_SECONDS / 60)); then
        echo "it has no holder record and is older than $((STALE_LOCK_SECONDS / 60)) minutes"
        return 0
      fi
      return 1
      ;;
  esac
  if ! kill -0 "$pid" 2>/dev/null; then
    echo "its holder (pid $pid) is no longer running"
    return 0
  fi
  if [ $((NOW_EPOCH - started)) -gt "$STALE_LOCK_SECONDS" ]; then
    echo "it is older than $((STALE_LOCK_SECONDS / 60)) minutes (pid $pid, now stopped)"
    return 0
  fi
  return 1
}

# Of several runs that find the same stale lock, exactly one takes it over:
# the reclaim guard serialises them, and the lock changes hands only if it is
# still the very lock that was judged stale. It changes hands in place, by
# rewriting its record: were the folder removed and made again, a run just
# starting could take it in between and the reclaimer would lose. A holder
# still alive past the age limit is stopped, so two runs never work at once.
reclaim_stale_lock() {
  local observed=$1 reason=$2 reclaimed=1
  if older_than_minutes "$RECLAIM_GUARD" 1; then
    rmdir "$RECLAIM_GUARD" 2>/dev/null || true
  fi
  mkdir "$RECLAIM_GUARD" 2>/dev/null || return 1
  if [ "$(lock_owner)" = "$observed" ] && stale_lock_reason "$observed" >/dev/null; then
    kill -TERM "${observed%% *}" 2>/dev/null || true
    LOCK_RECORD="$$ $NOW_EPOCH"
    write_atomically "$LOCK_OWNER" "$LOCK_RECORD"
    reclaimed=0
  fi
  rmdir "$RECLAIM_GUARD"
  if [ "$reclaimed" -eq 0 ]; then
    say "WARN: Reclaimed a stale update lock: $reason."
  fi
  return "$reclaimed"
}

# No run of this script leaves a plain file where its lock folder goes, so
# such a file holds nothing and is replaced.
acquire_lock() {
  local owner reason
  [ -d "$DATA_DIR" ] || mkdir -p "$DATA_DIR"
  take_lock && return 0
  if [ ! -d "$LOCK_DIR" ]; then
    rm -f "$LOCK_DIR"
    say "WARN: Replaced data/update.lock, a file where the lock folder belongs."
    take_lock && return 0
  fi
  owner="$(lock_owner)"
  reason="$(stale_lock_reason "$owner")" || return 1
  reclaim_stale_lock "$owner" "$reason"
}
