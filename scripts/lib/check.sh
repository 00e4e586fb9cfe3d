# shellcheck shell=bash
#
# --check fetches (moving only the remote-tracking refs) and says what an
# update would do, in a real run's words: each problem that would stop it is
# the FAIL line that run would print, and once one is found nothing more is
# said to be done. The last line sums it up.
#
# Sourced by scripts/remote-update.sh: functions only.

# check_problem MESSAGE: a real run's FAIL message; the Check line repeats
# its first sentence.
check_problem() {
  local first=${1%%. *}
  say "FAIL: $1"
  CHECK_PROBLEMS="$CHECK_PROBLEMS${CHECK_PROBLEMS:+; }${first%.}"
}

# Said only while no problem stops the update.
would() {
  [ -n "$CHECK_PROBLEMS" ] || say "$1"
}

end_check() {
  if [ -n "$CHECK_PROBLEMS" ]; then
    say "Check: an update would fail: $CHECK_PROBLEMS."
    exit 1
  fi
  say "Check: an update would succeed."
  exit 0
}

check_lock() {
  local owner
  # shellcheck disable=SC2153 # set by paths.sh, not a misspelt WORK_DIR
  [ -e "$LOCK_DIR" ] || return 0
  owner="$(lock_owner)"
  if stale_lock_reason "$owner" >/dev/null; then
    would "WARN: A stale update lock (${owner:-no holder record}) would be reclaimed."
  else
    check_problem "Another update is already running (lock holder pid ${owner%% *}); this one would be skipped."
  fi
}

# The fetch is the one thing --check changes, so a lock a killed git left on
# a remote-tracking ref, which would block it, goes as in a real run; one
# that stays is the fetch's to report. Any other lock is only reported.
check_git_locks() {
  local lock name
  while IFS= read -r lock; do
    [ -n "$lock" ] || continue
    name=${lock#"$PROJECT_DIR"/}
    case "$name" in
      .git/refs/remotes/*)
        remove_stale_git_lock "$lock" "$WORK_DIR/started" || true
        continue
        ;;
    esac
    if git_works_here; then
      check_problem "$name is held by a git that may still be running. If no git is running, remove it: rm '$lock'"
    else
      would "WARN: $name was left by a git that is no longer running; the update would remove it."
    fi
  done <<< "$(find "$PROJECT_DIR/.git" -name '*.lock' -type f 2>/dev/null)"
}

check_incoming() {
  local base=$HEAD_OID recorded
  recorded="$(read_record "$IN_PROGRESS")"
  if [ -n "$recorded" ] && git merge-base --is-ancestor "$recorded" HEAD 2>/dev/null; then
    base=$recorded
    would "WARN: An interrupted update from $(short "$recorded") would be finished."
  fi
  read_pulled_range "$base" "$UPSTREAM"
  if [ "$COMMITS" -eq 0 ]; then
    say "Already up to date. ($(short "$HEAD_OID"))"
    return 0
  fi
  say "$COMMITS incoming commit(s):"
  prefix_lines <<< "${PULLED_LOG%$'\n'}"
  check_untracked
  check_local_edits
  if python_changed; then
    would "Would sync Python dependencies: $(python_sync_command || true)"
  fi
  if node_changed; then
    would "Would sync Node dependencies: npm ci"
  fi
  if restart_needed; then
    would "Would queue a restart."
  else
    would "No runtime changes: no restart would be needed."
  fi
}

check_local_edits() {
  local path conflicts=""
  while IFS= read -r path; do
    [ -n "$path" ] || continue
    path=${path#?? }
    case $'\n'"$CHANGED_FILES" in
      *$'\n'"$path"$'\n'*) conflicts="$conflicts${conflicts:+, }$path" ;;
    esac
  done <<< "$(changed_files_v1)"
  if [ -n "$conflicts" ]; then
    say "WARN: Local edits to files the incoming commits change: $conflicts. If they conflict, they stay in the stash."
  fi
}

check_untracked() {
  local path in_the_way=""
  set -- # the paths the incoming commits add
  while IFS= read -r path; do
    [ -n "$path" ] && set -- "$@" ":(literal)$path"
  done <<< "$(git -c core.quotePath=false diff --name-only --diff-filter=A HEAD "$UPSTREAM")"
  [ $# -gt 0 ] || return 0
  while IFS= read -r path; do
    [ -n "$path" ] && in_the_way="$in_the_way${in_the_way:+, }$path"
  done <<< "$(git -c core.quotePath=false ls-files --others --exclude-standard -- "$@")"
  if [ -n "$in_the_way" ]; then
    check_problem "Untracked files are in the way of the update: $in_the_way. Move or remove them, then run again."
  fi
}

run_check() {
  WORK_DIR="$(mktemp -d "${TMPDIR:-/tmp}/remote-update.XXXXXX")"
  trap 'rm -rf "$WORK_DIR" ${TRUSTED_GNUPGHOME:+"$TRUSTED_GNUPGHOME"}' EXIT
  : > "$WORK_DIR/started"
  say "Check only: nothing is changed but the remote-tracking refs."
  check_hold
  check_lock
  check_git_locks
  fetch_upstream
  count_divergence
  if [ "$AHEAD" -gt 0 ] && [ "$BEHIND" -gt 0 ]; then
    explain_divergence
    check_problem "$DIVERGED"
  elif [ "$AHEAD" -gt 0 ]; then
    say "WARN: $BRANCH has $AHEAD local commit(s) not on $UPSTREAM; push or drop them."
  fi
  [ "$BEHIND" -eq 0 ] || verify_upstream_tip
  if [ "$BEHIND" -gt 0 ] || [ -f "$IN_PROGRESS" ]; then
    check_incoming
  else
    say "Already up to date. ($(short "$HEAD_OID"))"
  fi
  end_check
}
