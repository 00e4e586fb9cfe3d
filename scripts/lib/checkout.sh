# shellcheck shell=bash
#
# The checkout: one `git status` gives HEAD, the branch, its upstream and the
# tracked changes. GIT_CEILING_DIRECTORIES keeps git from using a repository
# above the project folder.
#
# Sourced by scripts/remote-update.sh: functions only.

read_checkout() {
  local status line
  status="$(git status --porcelain=v2 --branch --untracked-files=no 2>/dev/null)" || fail_unreadable_checkout
  while IFS= read -r line; do
    case "$line" in
      "# branch.oid "*) HEAD_OID=${line#\# branch.oid } ;;
      "# branch.head "*) BRANCH=${line#\# branch.head } ;;
      "# branch.upstream "*) UPSTREAM=${line#\# branch.upstream } ;;
      "#"* | "") ;;
      *) TRACKED_CHANGES="$TRACKED_CHANGES${TRACKED_CHANGES:+$'\n'}$line" ;;
    esac
  done <<< "$status"
  if [ "$BRANCH" = "(detached)" ]; then
    fail "HEAD is detached at $(short "$HEAD_OID"); there is no branch to update. Check out the branch to follow, e.g. git checkout main."
  fi
  if [ -z "$UPSTREAM" ]; then
    fail "Branch '$BRANCH' has no upstream branch to pull from. Set one, e.g. git branch --set-upstream-to=origin/$BRANCH $BRANCH."
  fi
}

# git status fails in a folder that is no checkout, and when git itself
# cannot run: after a macOS upgrade, until the Command Line Tools are
# installed again, git is a stub that says so (xcrun: error: invalid active
# developer path ...) and exits 1. Only then is `git --version` asked.
fail_unreadable_checkout() {
  local said status=0
  said="$(git --version 2>&1)" || status=$?
  if [ "$status" -eq 0 ]; then
    fail "$PROJECT_DIR is not a git repository. Run this script from a git clone of the project (git clone <url>)."
  fi
  said=${said%%$'\n'*}
  case "$status:$said" in
    *xcrun* | *xcode-select* | *CommandLineTools*)
      fail "git cannot run: $said. Install the Command Line Tools again (a macOS upgrade removes them): xcode-select --install"
      ;;
    127:*) fail "git cannot run: there is no git on PATH ($PATH). Install git." ;;
  esac
  fail "git cannot run: ${said:-git --version exited $status}. Install git again."
}

# `git status --porcelain` (v1) lines for the tracked changes, as the plan
# prints them: the v2 line's XY with dots for "unchanged", then the path.
changed_files_v1() {
  local line xy rest
  while IFS= read -r line; do
    [ -n "$line" ] || continue
    xy=${line:2:2}
    xy=${xy//./ }
    case "$line" in
      "2 "*) rest=${line#* * * * * * * * * } ;;
      *) rest=${line#* * * * * * * * } ;;
    esac
    printf '%s %s\n' "$xy" "${rest%%$'\t'*}"
  done <<< "$TRACKED_CHANGES"
}

# A commit's short name, as the run prints it.
short() {
  echo "${1:0:7}"
}
