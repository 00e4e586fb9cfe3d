# shellcheck shell=bash
#
# Signals. SIGHUP, SIGINT or SIGTERM (launchd's stop, a closed terminal,
# Ctrl-C) end the guarded command's group, put the stashed edits back unless
# a fast-forward is half done (data/update-pulling: the next run finishes
# it), and end the run on its FAIL line with status 128+N. The signal may
# come between stashing and cleaning the tree: the tree's tracked changes are
# then copies of the stash, and go before it is applied.
#
# Sourced by scripts/remote-update.sh: functions only.

on_signal() {
  local name=$1 number=$2
  trap '' HUP INT TERM
  if [ -n "$GUARDED_GROUP" ]; then
    kill -TERM -- "-$GUARDED_GROUP" 2>/dev/null || true
  fi
  if [ -n "$STASH_COMMIT" ] && [ -n "$LOCK_RECORD" ] && [ ! -f "$PULL_RECORD" ]; then
    git_step reset -q --hard || true
    restore_stash after-failure
  fi
  # Stopped before it read the checkout: the record needs its HEAD.
  [ -n "$HEAD_OID" ] || HEAD_OID="$(git rev-parse -q --verify HEAD 2>/dev/null)" || true
  # shellcheck disable=SC2034 # recorded by last-update.sh
  OUTCOME=failed
  if [ -f "$IN_PROGRESS" ] || [ -f "$STASH_RECORD" ] || [ -f "$PULL_RECORD" ]; then
    conclude "FAIL: Stopped by $name during the update; the next run finishes it."
  else
    conclude "FAIL: Stopped by $name. Nothing was pulled; the next run tries again."
  fi
  exit $((128 + number))
}

trap_signals() {
  trap 'on_signal SIGHUP 1' HUP
  trap 'on_signal SIGINT 2' INT
  trap 'on_signal SIGTERM 15' TERM
}
