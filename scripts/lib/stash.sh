# shellcheck shell=bash
#
# The stash. Only tracked changes are stashed: untracked files stay where
# they are. `git stash create` makes the stash commit without touching
# anything; it is recorded before the entry is listed and before the tree is
# cleaned, so no kill can leave the edits in neither place.
#
# Sourced by scripts/remote-update.sh: functions only.

stash_tracked_changes() {
  local message="remote-update auto-stash $NOW_STAMP"
  [ -n "$TRACKED_CHANGES" ] || return 0
  say "WARN: Dirty working tree detected."
  say "Files: $(changed_files_v1 | sed -n 1,5p)"
  say "Attempting git stash before pull..."
  git_step stash create "$message" || { show_git_output; fail "git stash failed; nothing was pulled. Check git status and run again."; }
  read -r STASH_COMMIT < "$WORK_DIR/git.out" || true
  [ -n "$STASH_COMMIT" ] || fail "git stash saved nothing; nothing was pulled. Check git status and run again."
  write_atomically "$STASH_RECORD" "$STASH_COMMIT"
  git_step stash store -m "$message" "$STASH_COMMIT" || { show_git_output; fail "git stash failed; nothing was pulled. Check git status and run again."; }
  git_step reset -q --hard || { show_git_output; fail "git reset --hard failed after stashing; nothing was pulled. Your changes are in $(describe_stash "$STASH_COMMIT")."; }
}

stash_entry_of() {
  local commit=$1 entry sha
  while read -r entry sha; do
    if [ "$sha" = "$commit" ]; then
      echo "$entry"
      return 0
    fi
  done <<< "$(git stash list --format='%gd %H')"
}

describe_stash() {
  echo "$(stash_entry_of "$1") ($(git log -1 --format=%s "$1"))"
}

# Puts the stashed edits back, staging included. One that conflicts with the
# new code would leave conflict markers for the restarted bridge to load: the
# tree goes back to the pulled commit and the edits stay in their entry.
# A failure on the way (a git lock a live git holds) ends the run with the
# record still in place, for the next run to restore. Pass "after-failure"
# when the update failed.
restore_stash() {
  local commit=$STASH_COMMIT failed=${1:-} entry
  [ -n "$commit" ] || return 0
  STASH_COMMIT=""
  if [ -n "$failed" ]; then
    say "Restoring stash..."
  else
    say "Restoring stashed changes..."
  fi
  entry="$(stash_entry_of "$commit")"
  if [ -z "$entry" ]; then
    git_step stash store -m "remote-update auto-stash $NOW_STAMP" "$commit" || true
    entry="$(stash_entry_of "$commit")"
  fi
  if apply_stash "$commit"; then
    if [ -n "$entry" ]; then
      git_step stash drop -q "$entry" || show_git_output
    fi
  else
    git_step reset -q --hard || true
    # shellcheck disable=SC2034 # recorded by last-update.sh
    STASH_LEFT="$(stash_entry_of "$commit")"
    if [ -n "$failed" ]; then
      say "WARN: stash pop failed, changes in git stash list: $(describe_stash "$commit")"
    else
      say "WARN: stash pop conflict, changes remain in git stash list: $(describe_stash "$commit")"
    fi
  fi
  rm -f "$STASH_RECORD"
}

# With the staging when it applies cleanly, else without it.
apply_stash() {
  git_step stash apply -q --index "$1" && return 0
  git_step reset -q --hard || return 1
  git_step stash apply -q "$1"
}
