# shellcheck shell=bash
#
# Guarded commands. The fetch and the dependency syncs run in a process group
# of their own (`set -m`: macOS has no setsid), watched by a watchdog in a
# group of its own too, so that a kill of this run's whole group (launchd's
# stop, the bridge's timeout) reaches neither. The watchdog reads a pipe whose
# only writer is this run (fd 8, never written): the kernel closes it when
# the run ends, however it ends, and the read returns at once. A read that
# waits a second instead is a tick of the time allowed; when the run is gone
# or the time is spent, the watchdog ends the command's whole group. The
# command itself is waited for, not polled, and watching starts no process
# (bash's read, no sleep). The watchdog holds none of this run's output, so a
# reader of it never waits for the watchdog.
#
# The command's group exists before the watchdog that is to end it, and a
# kill of the run's group may come between the two: so the command's subshell
# starts the command only once the watchdog, in its own group, has written
# the group to $WORK_DIR/watched, and ends without starting it if the run is
# gone first. That wait is a loop of builtins, a few milliseconds long.
#
# Sourced by scripts/remote-update.sh: functions only.

# watchdog SECONDS (0: no limit) GROUP, its input the pipe described above.
watchdog() {
  local seconds=$1 group=$2 waited=0 before
  echo "$group" > "$WORK_DIR/watched"
  while :; do
    before=$SECONDS
    # bash 3.2's read gives 1 for a timeout as for the end of input; only the end is this quick.
    if read -r -t 1 _ || [ "$SECONDS" -eq "$before" ]; then
      break
    fi
    kill -0 -- "-$group" 2>/dev/null || return 0
    waited=$((waited + 1))
    if [ "$seconds" -gt 0 ] && [ "$waited" -ge "$seconds" ]; then
      : > "$WORK_DIR/timed-out"
      break
    fi
  done
  kill -TERM -- "-$group" 2>/dev/null || return 0
  sleep 1
  kill -0 -- "-$group" 2>/dev/null || return 0
  sleep 1
  kill -KILL -- "-$group" 2>/dev/null || true
}

# start_watched COMMAND...: the guarded group's first process. kill -0 on the
# run's pid fails once the run is gone and reaped, its group killed or not.
# A watchdog that never comes (its fork failed) ends the wait after 10 s:
# a command that hangs unwatched or a wait that spins for ever is worse.
start_watched() {
  local deadline=$((SECONDS + 10))
  until [ -s "$WORK_DIR/watched" ]; do
    kill -0 "$$" 2>/dev/null || exit 1
    if [ "$SECONDS" -ge "$deadline" ]; then
      echo "Not run, as its watchdog did not start within 10 s: $*"
      exit 1
    fi
  done
  exec "$@"
}

# run_guarded SECONDS OUTPUT COMMAND...: the command's status; its output,
# both streams, in OUTPUT. Its input is /dev/null: a background group that
# read the terminal would be stopped. Whatever the command leaves behind in
# its group goes with it.
run_guarded() {
  local seconds=$1 output=$2 status=0
  shift 2
  # Only after a timeout: most runs start no rm for it.
  if [ -e "$WORK_DIR/timed-out" ]; then rm -f "$WORK_DIR/timed-out"; fi
  : > "$WORK_DIR/watched"
  set -m
  start_watched "$@" < /dev/null > "$output" 2>&1 &
  GUARDED_GROUP=$!
  # In the process substitution, `set -m` puts the watchdog in a group of
  # its own; its input is named, since a job's default input is /dev/null.
  exec 8> >(set -m; watchdog "$seconds" "$GUARDED_GROUP" 0<&0 > /dev/null 2>&1 &)
  set +m
  wait "$GUARDED_GROUP" 2>/dev/null || status=$?
  kill -TERM -- "-$GUARDED_GROUP" 2>/dev/null || true
  GUARDED_GROUP=""
  exec 8>&-
  return "$status"
}

timed_out() {
  [ -e "$WORK_DIR/timed-out" ]
}
