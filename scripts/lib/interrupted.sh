# shellcheck shell=bash
#
# Interrupted updates. Three records let the next run finish what a killed
# run started:
#   data/update-stash        the stash commit holding the local edits, from
#                            the moment it exists until they are back;
#   data/update-pulling      the upstream ref a fast-forward is moving to,
#                            while the working tree may be half checked out
#                            (the next run reads it before it fetches);
#   data/update-in-progress  the commit the update started from, until the
#                            dependencies are synced and the restart queued.
# While data/update-stash exists, every tracked change in the tree is either
# the pull's or a copy of what that stash holds, so it may be discarded.
#
# Sourced by scripts/remote-update.sh: functions only.

recover_interrupted_run() {
  local pulling
  STASH_COMMIT="$(read_record "$STASH_RECORD")"
  pulling="$(read_record "$PULL_RECORD")"
  if [ -z "$STASH_COMMIT" ] && [ ! -f "$PULL_RECORD" ]; then
    return 0
  fi
  say "WARN: Finishing an update that was interrupted during its pull."
  if [ -n "$TRACKED_CHANGES" ]; then
    git_step reset -q --hard || { show_git_output; fail "git reset --hard failed while finishing the interrupted update."; }
    TRACKED_CHANGES=""
  fi
  if [ -n "$pulling" ]; then
    remove_files_the_pull_wrote "$pulling"
  fi
  rm -f "$PULL_RECORD"
}

# A killed checkout leaves the new commit's added files untracked, whole or
# (killed between creating and writing one) empty. git merge refuses to start
# while any untracked file stands at such a path, so these are the pull's:
# they go, and the fast-forward writes them again. Any other file there is
# someone's, kept, and named by the fast-forward's failure.
remove_files_the_pull_wrote() {
  local target=$1 line blob path paths="" blobs="" written actual
  git rev-parse -q --verify "$target^{commit}" >/dev/null 2>&1 || return 0
  while IFS= read -r line; do
    [ -n "$line" ] || continue
    path=${line#*$'\t'}
    [ -f "$PROJECT_DIR/$path" ] || continue
    blob=${line#:* * * }
    paths="$paths$path"$'\n'
    blobs="$blobs${blob%% *}"$'\n'
  done <<< "$(git -c core.quotePath=false diff --raw --no-abbrev --diff-filter=A HEAD "$target")"
  [ -n "$paths" ] || return 0
  written="$(printf '%s' "$paths" | git hash-object --stdin-paths)"
  set -- # the files to remove
  while IFS= read -r actual && IFS= read -r path <&3 && IFS= read -r blob <&4; do
    if [ "$actual" = "$blob" ] || [ ! -s "$path" ]; then
      set -- "$@" "$path"
    fi
  done <<< "$written" 3<<< "$paths" 4<<< "$blobs"
  if [ $# -gt 0 ]; then
    rm -f -- "$@"
  fi
}

choose_update_base() {
  local recorded
  UPDATE_BASE=$HEAD_OID
  recorded="$(read_record "$IN_PROGRESS")"
  if [ -z "$recorded" ] || [ "$recorded" = "$HEAD_OID" ]; then
    return 0
  fi
  if git merge-base --is-ancestor "$recorded" "$HEAD_OID" 2>/dev/null; then
    # shellcheck disable=SC2034 # the run's base, read by main
    UPDATE_BASE=$recorded
    say "WARN: Resuming an interrupted update that started at $(short "$recorded")."
  else
    say "WARN: Ignoring data/update-in-progress: $recorded is not an ancestor of HEAD."
    rm -f "$IN_PROGRESS"
  fi
}
