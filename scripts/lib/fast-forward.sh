# shellcheck shell=bash
#
# The fast-forward, and what is said when the branch has diverged.
#
# Sourced by scripts/remote-update.sh: functions only.

count_divergence() {
  read -r AHEAD BEHIND <<< "$(git rev-list --left-right --count "HEAD...$UPSTREAM")"
}

# The plan's FAIL line, word for word (logs are searched for it), last. The
# fix never discards uncommitted edits: reset --keep stops rather than
# overwrite a file that has them.
explain_divergence() {
  say "Current HEAD: $(short "$HEAD_OID")"
  say "Remote HEAD: $(git rev-parse --short "$UPSTREAM")"
  say "$BRANCH has $AHEAD local commit(s) that $UPSTREAM lacks, and $UPSTREAM has $BEHIND new. Keep the local ones: git pull --rebase, then git push. Drop them (uncommitted edits are kept): git reset --keep $UPSTREAM."
}

readonly DIVERGED="git pull --ff-only failed (branches diverged?)"

fail_diverged() {
  explain_divergence
  fail "$DIVERGED"
}

# git lists the untracked files a merge would overwrite, one per line after
# a tab.
untracked_in_the_way() {
  local line files=""
  while IFS= read -r line; do
    case "$line" in
      $'\t'*) files="$files${files:+, }${line#$'\t'}" ;;
    esac
  done < "$WORK_DIR/git.out"
  echo "$files"
}

fast_forward() {
  local in_the_way
  write_atomically "$IN_PROGRESS" "$UPDATE_BASE"
  printf '%s\n' "$UPSTREAM" > "$PULL_RECORD"
  # The fetch just ran git's automatic maintenance: the merge need not.
  if git_step -c maintenance.auto=false merge --ff-only --quiet "$UPSTREAM"; then
    rm -f "$PULL_RECORD"
    return 0
  fi
  in_the_way="$(untracked_in_the_way)"
  [ -n "$in_the_way" ] || show_git_output
  git_step reset -q --hard || true
  rm -f "$PULL_RECORD"
  if [ "$(git rev-parse HEAD)" = "$UPDATE_BASE" ]; then
    rm -f "$IN_PROGRESS"
  fi
  if [ -n "$in_the_way" ]; then
    fail "Untracked files are in the way of the update: $in_the_way. Move or remove them, then run again."
  fi
  fail "git merge --ff-only $UPSTREAM failed; see git's message above."
}
