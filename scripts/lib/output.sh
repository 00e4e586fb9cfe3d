# shellcheck shell=bash
#
# Output: every line a run prints starts with one prefix, git's own output
# included, so that it can be mixed into logs and chat replies.
#
# Sourced by scripts/remote-update.sh: functions only.

readonly LOG_PREFIX="[remote-update]"

prefix_lines() {
  local line
  while IFS= read -r line || [ -n "$line" ]; do
    printf '%s %s\n' "$LOG_PREFIX" "$line"
  done
}

# A here-string, not a pipe: a pipe forks a subshell for every message.
say() {
  prefix_lines <<< "$*"
}

# The last line of a run that did not update: it is also its summary.
conclude() {
  # shellcheck disable=SC2034 # recorded by last-update.sh
  SUMMARY=$1
  say "$1"
}

# The FAIL line is the run's last: the tree is put back first. In --check,
# the problem ends the check instead.
fail() {
  if [ "$CHECK_ONLY" = true ]; then
    check_problem "$*"
    end_check
  fi
  # shellcheck disable=SC2034 # recorded by last-update.sh
  OUTCOME=failed
  restore_stash after-failure
  conclude "FAIL: $*"
  exit 1
}
