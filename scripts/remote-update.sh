#!/bin/bash
#
# Remote update: pull the latest code, sync dependencies if they changed,
# and queue a restart of the bridge by writing data/restart-requested.
#
# Runs unattended: by hand, from the bridge's /update command, or from
# launchd twice a day. Every line it prints starts with [remote-update],
# git's own output included, so it can be mixed into logs and chat replies.
#
# It does NOT restart anything: the bridge restarts itself when idle once
# it sees the flag. It does not create virtualenvs, install tools, or touch
# setup concerns (models, calendars, MCP servers): that is /setup's job.
#
# Exit status: 0 when updated, already up to date, or another run holds the
# lock; 1 when nothing could be pulled or the dependency sync failed.
#
# Written for macOS's /bin/bash 3.2 and BSD userland.

set -euo pipefail

readonly LOG_PREFIX="[remote-update]"
readonly STALE_LOCK_SECONDS=600

PROJECT_DIR="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd -P)"
readonly PROJECT_DIR
readonly DATA_DIR="$PROJECT_DIR/data"
readonly LOCK_DIR="$DATA_DIR/update.lock"
readonly LOCK_OWNER="$LOCK_DIR/owner"
readonly RECLAIM_GUARD="$DATA_DIR/update.lock.reclaim"
readonly IN_PROGRESS="$DATA_DIR/update-in-progress"
readonly RESTART_FLAG="$DATA_DIR/restart-requested"

# Set once the corresponding step has happened.
LOCK_RECORD=""
STASH_COMMIT=""
UPDATE_BASE=""

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

fail() {
  say "FAIL: $*"
  exit 1
}

# Runs a command with its stdout and stderr prefixed; keeps its exit status.
run_prefixed() {
  "$@" 2>&1 | prefix_lines
}

short_head() {
  git rev-parse --short HEAD
}

write_atomically() {
  local target=$1 content=$2
  local tmp="$target.tmp.$$"
  printf '%s\n' "$content" > "$tmp"
  mv -f "$tmp" "$target"
}

# One git call when all is well; the separate checks run only to say what is
# wrong, each with its own fix.
require_git_checkout() {
  local state top=""
  if state="$(git rev-parse --show-toplevel '@{upstream}' 2>/dev/null)"; then
    read -r top <<< "$state"
  fi
  [ "$top" = "$PROJECT_DIR" ] || explain_broken_checkout
}

explain_broken_checkout() {
  local top branch
  if ! top="$(git rev-parse --show-toplevel 2>/dev/null)" || [ "$top" != "$PROJECT_DIR" ]; then
    fail "$PROJECT_DIR is not a git repository. Run this script from a git clone of the project (git clone <url>)."
  fi
  if ! branch="$(git symbolic-ref -q --short HEAD)"; then
    fail "HEAD is detached at $(short_head); there is no branch to update. Check out the branch to follow, e.g. git checkout main."
  fi
  if ! git rev-parse -q --verify '@{upstream}' >/dev/null 2>&1; then
    fail "Branch '$branch' has no upstream branch to pull from. Set one, e.g. git branch --set-upstream-to=origin/$branch $branch."
  fi
  fail "git rev-parse --show-toplevel @{upstream} failed in $PROJECT_DIR; run it there to see why."
}

# ── Lock ─────────────────────────────────────────────────────────────
# A directory (mkdir is atomic) holding "<pid> <epoch seconds>" of its holder,
# so that a lock left by a killed run can be told from a live one.

take_lock() {
  mkdir "$LOCK_DIR" 2>/dev/null || return 1
  LOCK_RECORD="$$ $(date +%s)"
  printf '%s\n' "$LOCK_RECORD" > "$LOCK_OWNER"
}

# A run judged stale while still alive has lost the lock to another run:
# the lock is removed only while it still holds this run's record.
release_lock() {
  [ "$(lock_owner)" = "$LOCK_RECORD" ] || return 0
  rm -rf "$LOCK_DIR"
}

lock_owner() {
  local owner=""
  if [ -f "$LOCK_OWNER" ]; then
    read -r owner < "$LOCK_OWNER" || true
  fi
  echo "$owner"
}

older_than_minutes() {
  local path=$1 minutes=$2
  [ -n "$(find "$path" -prune -mmin "+$minutes" 2>/dev/null)" ]
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
  if [ $(($(date +%s) - started)) -gt "$STALE_LOCK_SECONDS" ]; then
    echo "it is older than $((STALE_LOCK_SECONDS / 60)) minutes (pid $pid)"
    return 0
  fi
  return 1
}

# Of several runs that find the same stale lock, exactly one takes it over:
# the reclaim guard serialises them, and the lock changes hands only if it is
# still the very lock that was judged stale. It changes hands in place, by
# rewriting its record: were the folder removed and made again, a run just
# starting could take it in between and the reclaimer would lose.
reclaim_stale_lock() {
  local observed=$1 reason=$2 reclaimed=1
  if older_than_minutes "$RECLAIM_GUARD" 1; then
    rmdir "$RECLAIM_GUARD" 2>/dev/null || true
  fi
  mkdir "$RECLAIM_GUARD" 2>/dev/null || return 1
  if [ "$(lock_owner)" = "$observed" ] && stale_lock_reason "$observed" >/dev/null; then
    LOCK_RECORD="$$ $(date +%s)"
    write_atomically "$LOCK_OWNER" "$LOCK_RECORD"
    reclaimed=0
  fi
  rmdir "$RECLAIM_GUARD"
  if [ "$reclaimed" -eq 0 ]; then
    say "WARN: Reclaimed a stale update lock: $reason."
  fi
  return "$reclaimed"
}

acquire_lock() {
  local owner reason
  [ -d "$DATA_DIR" ] || mkdir -p "$DATA_DIR"
  take_lock && return 0
  owner="$(lock_owner)"
  reason="$(stale_lock_reason "$owner")" || return 1
  reclaim_stale_lock "$owner" "$reason"
}

# ── Interrupted updates ──────────────────────────────────────────────
# data/update-in-progress holds the commit an update started from. It is
# written before the pull and removed only once dependencies are synced and
# the restart is queued, so a run that died in between is finished next time.

choose_update_base() {
  local head recorded
  head="$(git rev-parse HEAD)"
  UPDATE_BASE=$head
  recorded=""
  if [ -f "$IN_PROGRESS" ]; then
    read -r recorded < "$IN_PROGRESS" || true
  fi
  if [ -z "$recorded" ] || [ "$recorded" = "$head" ]; then
    return 0
  fi
  if git merge-base --is-ancestor "$recorded" "$head" 2>/dev/null; then
    UPDATE_BASE=$recorded
    say "WARN: Resuming an interrupted update that started at $(git rev-parse --short "$recorded")."
  else
    say "WARN: Ignoring data/update-in-progress: $recorded is not an ancestor of HEAD."
  fi
}

record_update_start() {
  write_atomically "$IN_PROGRESS" "$UPDATE_BASE"
}

forget_update() {
  rm -f "$IN_PROGRESS"
}

# ── Stash ────────────────────────────────────────────────────────────
# Only tracked changes are stashed: untracked files stay where they are.
# The run remembers the commit of the entry it created and pops only that.

stash_tracked_changes() {
  local changes top_before
  changes="$(git status --porcelain --untracked-files=no)"
  [ -n "$changes" ] || return 0
  say "WARN: Dirty working tree detected."
  say "Files: $(printf '%s\n' "$changes" | sed -n 1,5p)"
  say "Attempting git stash before pull..."
  top_before="$(git rev-parse -q --verify refs/stash || true)"
  if ! run_prefixed git stash push -m "remote-update auto-stash $(date +%Y%m%d-%H%M%S)"; then
    fail "git stash failed; nothing was pulled. Check git status and run again."
  fi
  STASH_COMMIT="$(git rev-parse -q --verify refs/stash || true)"
  if [ -z "$STASH_COMMIT" ] || [ "$STASH_COMMIT" = "$top_before" ]; then
    fail "git stash saved nothing; nothing was pulled. Check git status and run again."
  fi
}

stash_entry_of() {
  local commit=$1 entry sha
  git stash list --format='%gd %H' | while read -r entry sha; do
    if [ "$sha" = "$commit" ]; then
      echo "$entry"
    fi
  done
}

describe_stash() {
  echo "$(stash_entry_of "$STASH_COMMIT") ($(git log -1 --format=%s "$STASH_COMMIT"))"
}

# A failed pop leaves conflict markers that the restarted bridge would load:
# go back to the pulled commit; the changes stay in their stash entry.
restore_stash() {
  local announcement=$1 warning=$2 entry
  [ -n "$STASH_COMMIT" ] || return 0
  say "$announcement"
  entry="$(stash_entry_of "$STASH_COMMIT")"
  if [ -z "$entry" ]; then
    say "$warning: $STASH_COMMIT is no longer listed; recover it with git stash apply $STASH_COMMIT"
    return 0
  fi
  if run_prefixed git stash pop --quiet "$entry"; then
    return 0
  fi
  git reset -q --hard HEAD
  say "$warning: $(describe_stash)"
}

# ── Pull ─────────────────────────────────────────────────────────────

pull_or_fail() {
  if run_prefixed git pull --no-rebase --ff-only; then
    return 0
  fi
  say "FAIL: git pull --ff-only failed (branches diverged?)"
  say "Current HEAD: $(short_head)"
  say "Remote HEAD: $(git rev-parse --short '@{upstream}' 2>/dev/null || echo 'unknown')"
  restore_stash "Restoring stash..." "WARN: stash pop failed, changes in git stash list"
  if [ "$(git rev-parse HEAD)" = "$UPDATE_BASE" ]; then
    forget_update
  fi
  exit 1
}

report_commits() {
  local base=$1 after=$2 count=$3 line
  say "Pulled $count commit(s):"
  git log --oneline "$base..$after" | while IFS= read -r line; do
    say "  $line"
  done
}

# ── Dependencies ─────────────────────────────────────────────────────

changed_any() {
  local changed=$1 file
  shift
  for file in "$@"; do
    case $'\n'"$changed"$'\n' in
      *$'\n'"$file"$'\n'*) return 0 ;;
    esac
  done
  return 1
}

run_sync_step() {
  local name=$1
  shift
  if run_prefixed "$@"; then
    return 0
  fi
  say "FAIL: $name failed. Dependencies NOT synced and restart NOT queued; the next run retries."
  return 1
}

sync_python() {
  say "pyproject.toml or uv.lock changed — syncing dependencies..."
  if command -v uv >/dev/null 2>&1; then
    run_sync_step "uv sync" uv sync --all-extras || return 1
    say "Dependencies synced via uv."
  elif [ -x "$PROJECT_DIR/.venv/bin/pip" ]; then
    say "uv not found, falling back to pip..."
    run_sync_step "pip install" "$PROJECT_DIR/.venv/bin/pip" install -e "$PROJECT_DIR" || return 1
    say "Dependencies synced via pip."
  else
    say "WARN: Neither uv nor pip found. Dependencies NOT synced."
  fi
}

sync_node() {
  say "package.json or package-lock.json changed — syncing Node dependencies..."
  if command -v npm >/dev/null 2>&1; then
    run_sync_step "npm ci" npm ci || return 1
    say "Node dependencies synced via npm."
  else
    say "WARN: npm not found. Node dependencies NOT synced."
  fi
}

sync_dependencies() {
  local base=$1 after=$2 changed synced=false
  changed="$(git diff --name-only "$base" "$after")"
  if changed_any "$changed" pyproject.toml uv.lock; then
    sync_python || return 1
    synced=true
  fi
  if changed_any "$changed" package.json package-lock.json; then
    sync_node || return 1
    synced=true
  fi
  if [ "$synced" = false ]; then
    say "No dependency file changes — skipping dep sync."
  fi
}

# ── Restart flag ─────────────────────────────────────────────────────
# The bridge may be mid-response: it restarts itself once idle.

queue_restart() {
  local count=$1
  write_atomically "$RESTART_FLAG" "$(date -u +%Y-%m-%dT%H:%M:%SZ) $count commit(s)"
  say "Restart queued (flag written to data/restart-requested)."
  say "Bridge will restart after current work completes."
}

main() {
  local after short subject count
  cd "$PROJECT_DIR"
  export GIT_TERMINAL_PROMPT=0

  require_git_checkout
  if ! acquire_lock; then
    say "Another update is already running. Skipping."
    exit 0
  fi
  trap release_lock EXIT

  choose_update_base
  stash_tracked_changes
  record_update_start
  pull_or_fail
  read -r after short subject <<< "$(git log -1 --format='%H %h %s')"
  restore_stash "Restoring stashed changes..." "WARN: stash pop conflict, changes remain in git stash list"

  if [ "$UPDATE_BASE" = "$after" ]; then
    forget_update
    say "Already up to date. ($short)"
    exit 0
  fi

  count="$(git rev-list --count "$UPDATE_BASE..$after")"
  report_commits "$UPDATE_BASE" "$after" "$count"
  sync_dependencies "$UPDATE_BASE" "$after" || exit 1
  queue_restart "$count"
  forget_update

  say "Update complete. $count commit(s) pulled, restart queued."
  say "HEAD: $short — $subject"
}

main "$@"
