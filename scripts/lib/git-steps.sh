# shellcheck shell=bash
#
# Git steps: each git step that changes something writes its output to a
# file, shown only when it matters. A lock file that a killed git left behind
# is removed and the step tried once more; one that a live git may hold stops
# the run.
#
# Sourced by scripts/remote-update.sh: functions only.

git_step() {
  local locks lock
  git "$@" > "$WORK_DIR/git.out" 2>&1 && return 0
  locks="$(blocking_git_locks)"
  [ -n "$locks" ] || return 1
  while IFS= read -r lock; do
    recover_git_lock "$lock"
  done <<< "$locks"
  git "$@" > "$WORK_DIR/git.out" 2>&1
}

show_git_output() {
  prefix_lines < "$WORK_DIR/git.out"
}

# Most git commands name the lock they could not take ("Unable to create
# '<path>.lock': File exists."); some, such as git stash create, fail
# without a word, and then every lock in .git is a suspect.
blocking_git_locks() {
  named_git_lock || find "$PROJECT_DIR/.git" -name '*.lock' -type f 2>/dev/null
}

named_git_lock() {
  local line path
  while IFS= read -r line; do
    case "$line" in
      *"Unable to create '"*".lock': File exists"*)
        path=${line#*Unable to create \'}
        echo "${path%%\'*}"
        return 0
        ;;
    esac
  done < "$WORK_DIR/git.out"
  return 1
}

# remove_stale_git_lock LOCK MARK: removes LOCK when it is left over: no git
# works in this repository and it is no newer than MARK, a file this run
# wrote before ps looked, so that no git can have taken it since.
remove_stale_git_lock() {
  local lock=$1 mark=$2
  ! git_works_here && [ ! "$lock" -nt "$mark" ] || return 1
  rm -f "$lock"
  say "WARN: Removed ${lock#"$PROJECT_DIR"/}, left by a git that is no longer running."
}

recover_git_lock() {
  local lock=$1 name=${1#"$PROJECT_DIR"/}
  [ -e "$lock" ] || return 0
  [ -n "$LOCK_RECORD" ] && remove_stale_git_lock "$lock" "$LOCK_OWNER" && return 0
  show_git_output
  fail "$name is held by a git that may still be running. If no git is running, remove it: rm '$lock'"
}
