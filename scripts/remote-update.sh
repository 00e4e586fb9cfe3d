#!/bin/bash
#
# Remote update: pull the latest code, sync dependencies if they changed,
# and queue a restart of the bridge by writing data/restart-requested.
#
# Runs unattended: by hand, from the bridge's /update command, or from
# launchd twice a day. Every line it prints starts with [remote-update],
# git's own output included, so it can be mixed into logs and chat replies.
# A run killed at any step is finished by the next one: before each risky
# step it records under data/ what that run needs (the stash it made, the
# pull under way, the commit the update started from).
#
# It does NOT restart anything: the bridge restarts itself when idle once
# it sees the flag. It does not create virtualenvs, install tools, or touch
# setup concerns (models, calendars, MCP servers): that is /setup's job.
#
# Usage: remote-update.sh [--check]
#   --check  fetch and say what an update would do; change nothing else.
#
# Exit status: 0 when updated, already up to date, or another run holds the
# lock (with --check: an update would succeed); 1 when the update failed
# (with --check: it would fail); 2 for a bad argument or setting; 128+N when
# stopped by signal N (SIGHUP, SIGINT, SIGTERM).
#
# Environment: VALOR_FETCH_TIMEOUT (seconds the fetch may take, a whole
# number, default 60), VALOR_UPDATE_TRIGGER (who started the run: manual,
# telegram or schedule; recorded in data/last-update).
#
# Written for macOS's /bin/bash 3.2 and BSD userland.

set -euo pipefail

readonly LOG_PREFIX="[remote-update]"
readonly STALE_LOCK_SECONDS=600
FETCH_TIMEOUT="${VALOR_FETCH_TIMEOUT:-60}"
readonly TRIGGER="${VALOR_UPDATE_TRIGGER:-manual}"

# Parameter expansion, not dirname: each process costs a few milliseconds.
case "${BASH_SOURCE[0]}" in
  */*) PROJECT_DIR="$(cd "${BASH_SOURCE[0]%/*}/.." && pwd -P)" ;;
  *) PROJECT_DIR="$(cd .. && pwd -P)" ;;
esac
readonly PROJECT_DIR
readonly DATA_DIR="$PROJECT_DIR/data"
readonly LOCK_DIR="$DATA_DIR/update.lock"
readonly LOCK_OWNER="$LOCK_DIR/owner"
readonly RECLAIM_GUARD="$DATA_DIR/update.lock.reclaim"
readonly IN_PROGRESS="$DATA_DIR/update-in-progress"
readonly PULL_RECORD="$DATA_DIR/update-pulling"
readonly STASH_RECORD="$DATA_DIR/update-stash"
readonly RESTART_FLAG="$DATA_DIR/restart-requested"
readonly LAST_UPDATE="$DATA_DIR/last-update"
readonly RESTART_IGNORE="$PROJECT_DIR/.restartignore"

# What `git status` said at the start.
HEAD_OID=""
BRANCH=""
UPSTREAM=""
TRACKED_CHANGES=""
# Set as the run goes.
CHECK_ONLY=false
WORK_DIR=""
LOCK_RECORD=""
UPDATE_DONE=false
STASH_COMMIT=""
UPDATE_BASE=""
AHEAD=0
BEHIND=0
# The process group of the command running guarded (see run_guarded).
GUARDED_GROUP=""
# What data/last-update records at exit.
OUTCOME=failed
SUMMARY=""
COMMITS=0
# The stash entry that holds local edits that could not be put back.
STASH_LEFT=""
# One `date` call a run: epoch seconds, UTC time, stash stamp.
NOW_EPOCH=""
NOW_UTC=""
NOW_STAMP=""

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
  OUTCOME=failed
  restore_stash after-failure
  conclude "FAIL: $*"
  exit 1
}

usage() {
  cat <<'USAGE'
Usage: bash scripts/remote-update.sh [--check]

Pulls the checkout's branch from its upstream, syncs dependencies when their
files changed, and queues a bridge restart (data/restart-requested).
  --check     fetch and report what an update would do; change nothing else
  -h, --help  show this help
Exit status: 0 updated or up to date, 1 failed, 2 bad argument.
USAGE
}

parse_args() {
  case "${1:-}" in
    "") ;;
    --check) CHECK_ONLY=true ;;
    -h | --help)
      usage
      exit 0
      ;;
    check | -check)
      say "FAIL: unknown argument '$1'. Did you mean --check? Run with --help for usage."
      exit 2
      ;;
    *)
      say "FAIL: unknown argument '$1'. Run with --help for usage."
      exit 2
      ;;
  esac
  if [ $# -gt 1 ]; then
    say "FAIL: unexpected argument '$2'. Run with --help for usage."
    exit 2
  fi
}

# Settings are checked before anything is read or written.
check_settings() {
  case "$FETCH_TIMEOUT" in
    "" | *[!0-9]*) FETCH_TIMEOUT=0 ;;
  esac
  # Base 10: a leading zero is not octal.
  if [ "${#FETCH_TIMEOUT}" -gt 9 ] || [ $((10#$FETCH_TIMEOUT)) -eq 0 ]; then
    say "FAIL: VALOR_FETCH_TIMEOUT must be a whole number of seconds (got '${VALOR_FETCH_TIMEOUT:-}')"
    exit 2
  fi
  FETCH_TIMEOUT=$((10#$FETCH_TIMEOUT))
  readonly FETCH_TIMEOUT
  case "$TRIGGER" in
    manual | telegram | schedule) ;;
    *)
      say "FAIL: VALOR_UPDATE_TRIGGER must be manual, telegram or schedule (got '$TRIGGER')"
      exit 2
      ;;
  esac
}

read_clock() {
  read -r NOW_EPOCH NOW_UTC NOW_STAMP <<< "$(date -u '+%s %Y-%m-%dT%H:%M:%SZ %Y%m%d-%H%M%S')"
}

write_atomically() {
  local target=$1 content=$2
  local tmp="$target.tmp.$$"
  printf '%s\n' "$content" > "$tmp"
  mv -f "$tmp" "$target"
}

read_record() {
  local value=""
  if [ -f "$1" ]; then
    read -r value < "$1" || true
  fi
  echo "$value"
}

short() {
  echo "${1:0:7}"
}

# ── The checkout ─────────────────────────────────────────────────────
# One `git status` gives HEAD, the branch, its upstream and the tracked
# changes. GIT_CEILING_DIRECTORIES keeps git from using a repository above
# the project folder.

read_checkout() {
  local status line
  status="$(git status --porcelain=v2 --branch --untracked-files=no 2>/dev/null)" ||
    fail "$PROJECT_DIR is not a git repository. Run this script from a git clone of the project (git clone <url>)."
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

# ── Git steps ────────────────────────────────────────────────────────
# Each git step that changes something writes its output to a file, shown
# only when it matters. A lock file that a killed git left behind is removed
# and the step tried once more; one that a live git may hold stops the run.

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

# A git works in this repository when its current directory is in the
# checkout or one of its linked worktrees (git -C moves there before anything
# else), or when its arguments name one (--git-dir=...). A git whose folder
# cannot be read may be working here. A killed git not yet reaped (state Z)
# holds nothing.
git_works_here() {
  local pids="" pid state name
  command -v ps >/dev/null 2>&1 || return 0
  while read -r pid state name; do
    case "$state:${name##*/}" in
      Z*) ;;
      *:git | *:git-*) pids="$pids${pids:+,}$pid" ;;
    esac
  done <<< "$(ps -A -o pid= -o stat= -o comm= 2>/dev/null)"
  [ -n "$pids" ] || return 1
  any_folder_here "$(git_folders "$pids")" || any_folder_here "$(ps -o args= -p "$pids" 2>/dev/null)" args
}

# "<pid> <current directory>" of each of the comma-separated pids that can be
# read: lsof on macOS (and Linux when it is there), else /proc on Linux; "<pid>
# ?" for one that cannot and is still running (a git that ended since ps
# looked holds nothing).
git_folders() {
  local pids=$1 line pid="" known="," unknown=""
  if command -v lsof >/dev/null 2>&1; then
    while IFS= read -r line; do
      case "$line" in
        p*) pid=${line#p} ;;
        n/*)
          echo "$pid ${line#n}"
          known="$known$pid,"
          ;;
      esac
    done <<< "$(lsof -a -d cwd -p "$pids" -Fn 2>/dev/null)"
  elif [ -d /proc/self ]; then
    for pid in ${pids//,/ }; do
      line="$(readlink "/proc/$pid/cwd" 2>/dev/null)" || continue
      echo "$pid $line"
      known="$known$pid,"
    done
  fi
  for pid in ${pids//,/ }; do
    case "$known" in
      *",$pid,"*) ;;
      *) unknown="$unknown${unknown:+,}$pid" ;;
    esac
  done
  [ -n "$unknown" ] || return 0
  while read -r pid; do
    [ -n "$pid" ] && echo "$pid ?"
  done <<< "$(ps -o pid= -p "$unknown" 2>/dev/null)"
}

# The checkout and its linked worktrees (each .git/worktrees/*/gitdir holds
# the path of a worktree's .git file).
repository_folders() {
  local gitdir folder
  echo "$PROJECT_DIR"
  for gitdir in "$PROJECT_DIR"/.git/worktrees/*/gitdir; do
    [ -f "$gitdir" ] || continue
    read -r folder < "$gitdir" || continue
    echo "${folder%/.git}"
  done
}

# any_folder_here LINES [args]: whether any "<pid> <folder>" line is in one of
# the repository's folders (with "args": whether any line names one).
any_folder_here() {
  local lines=$1 how=${2:-cwd} line folder here
  here="$(repository_folders)"
  while IFS= read -r line; do
    [ -n "$line" ] || continue
    [ "$how" = args ] || line=${line#* }
    [ "$line" != "?" ] || return 0
    while IFS= read -r folder; do
      case "$how:$line/" in
        cwd:"$folder"/*) return 0 ;;
        args:*"$folder"[/\ ]*) return 0 ;;
      esac
    done <<< "$here"
  done <<< "$lines"
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

# ── Lock ─────────────────────────────────────────────────────────────
# A directory (mkdir is atomic) holding "<pid> <epoch seconds>" of its holder,
# so that a lock left by a killed run can be told from a live one.

take_lock() {
  mkdir "$LOCK_DIR" 2>/dev/null || return 1
  LOCK_RECORD="$$ $NOW_EPOCH"
  printf '%s\n' "$LOCK_RECORD" > "$LOCK_OWNER"
}

# A run judged stale while still alive has lost the lock to another run:
# the lock is removed only while it still holds this run's record. A
# finished update's record goes with it, in the same process.
release_lock() {
  [ -n "$LOCK_RECORD" ] && [ "$(lock_owner)" = "$LOCK_RECORD" ] || return 0
  if [ "$UPDATE_DONE" = true ]; then
    rm -rf "$IN_PROGRESS" "$LOCK_DIR"
  else
    rm -rf "$LOCK_DIR"
  fi
}

lock_owner() {
  read_record "$LOCK_OWNER"
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
  if [ $((NOW_EPOCH - started)) -gt "$STALE_LOCK_SECONDS" ]; then
    echo "it is older than $((STALE_LOCK_SECONDS / 60)) minutes (pid $pid, now stopped)"
    return 0
  fi
  return 1
}

# Of several runs that find the same stale lock, exactly one takes it over:
# the reclaim guard serialises them, and the lock changes hands only if it is
# still the very lock that was judged stale. It changes hands in place, by
# rewriting its record: were the folder removed and made again, a run just
# starting could take it in between and the reclaimer would lose. A holder
# still alive past the age limit is stopped, so two runs never work at once.
reclaim_stale_lock() {
  local observed=$1 reason=$2 reclaimed=1
  if older_than_minutes "$RECLAIM_GUARD" 1; then
    rmdir "$RECLAIM_GUARD" 2>/dev/null || true
  fi
  mkdir "$RECLAIM_GUARD" 2>/dev/null || return 1
  if [ "$(lock_owner)" = "$observed" ] && stale_lock_reason "$observed" >/dev/null; then
    kill -TERM "${observed%% *}" 2>/dev/null || true
    LOCK_RECORD="$$ $NOW_EPOCH"
    write_atomically "$LOCK_OWNER" "$LOCK_RECORD"
    reclaimed=0
  fi
  rmdir "$RECLAIM_GUARD"
  if [ "$reclaimed" -eq 0 ]; then
    say "WARN: Reclaimed a stale update lock: $reason."
  fi
  return "$reclaimed"
}

# No run of this script leaves a plain file where its lock folder goes, so
# such a file holds nothing and is replaced.
acquire_lock() {
  local owner reason
  [ -d "$DATA_DIR" ] || mkdir -p "$DATA_DIR"
  take_lock && return 0
  if [ ! -d "$LOCK_DIR" ]; then
    rm -f "$LOCK_DIR"
    say "WARN: Replaced data/update.lock, a file where the lock folder belongs."
    take_lock && return 0
  fi
  owner="$(lock_owner)"
  reason="$(stale_lock_reason "$owner")" || return 1
  reclaim_stale_lock "$owner" "$reason"
}

# ── Interrupted updates ──────────────────────────────────────────────
# Three records let the next run finish what a killed run started:
#   data/update-stash        the stash commit holding the local edits, from
#                            the moment it exists until they are back;
#   data/update-pulling      the upstream ref a fast-forward is moving to,
#                            while the working tree may be half checked out
#                            (the next run reads it before it fetches);
#   data/update-in-progress  the commit the update started from, until the
#                            dependencies are synced and the restart queued.
# While data/update-stash exists, every tracked change in the tree is either
# the pull's or a copy of what that stash holds, so it may be discarded.

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
    UPDATE_BASE=$recorded
    say "WARN: Resuming an interrupted update that started at $(short "$recorded")."
  else
    say "WARN: Ignoring data/update-in-progress: $recorded is not an ancestor of HEAD."
    rm -f "$IN_PROGRESS"
  fi
}

# ── Stash ────────────────────────────────────────────────────────────
# Only tracked changes are stashed: untracked files stay where they are.
# `git stash create` makes the stash commit without touching anything; it is
# recorded before the entry is listed and before the tree is cleaned, so no
# kill can leave the edits in neither place.

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

# ── Guarded commands ─────────────────────────────────────────────────
# The fetch and the dependency syncs run in a process group of their own
# (`set -m`: macOS has no setsid), watched by a watchdog in a group of its own
# too, so that a kill of this run's whole group (launchd's stop, the bridge's
# timeout) reaches neither. The watchdog reads a pipe whose only writer is
# this run (fd 8, never written): the kernel closes it when the run ends,
# however it ends, and the read returns at once. A read that waits a second
# instead is a tick of the time allowed; when the run is gone or the time is
# spent, the watchdog ends the command's whole group. The command itself is
# waited for, not polled, and watching starts no process (bash's read, no
# sleep). The watchdog holds none of this run's output, so a reader of it
# never waits for the watchdog.

# watchdog SECONDS (0: no limit) GROUP, its input the pipe described above.
watchdog() {
  local seconds=$1 group=$2 waited=0 before
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

# run_guarded SECONDS OUTPUT COMMAND...: the command's status; its output,
# both streams, in OUTPUT. Its input is /dev/null: a background group that
# read the terminal would be stopped. Whatever the command leaves behind in
# its group goes with it.
run_guarded() {
  local seconds=$1 output=$2 status=0
  shift 2
  # Only after a timeout: most runs start no rm for it.
  if [ -e "$WORK_DIR/timed-out" ]; then rm -f "$WORK_DIR/timed-out"; fi
  set -m
  "$@" < /dev/null > "$output" 2>&1 &
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

# ── Signals ──────────────────────────────────────────────────────────
# SIGHUP, SIGINT or SIGTERM (launchd's stop, a closed terminal, Ctrl-C) end
# the guarded command's group, put the stashed edits back unless a
# fast-forward is half done (data/update-pulling: the next run finishes it),
# and end the run on its FAIL line with status 128+N. The signal may come
# between stashing and cleaning the tree: the tree's tracked changes are then
# copies of the stash, and go before it is applied.

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

# ── Fetch ────────────────────────────────────────────────────────────
# Bounded: git's and ssh's own timeouts end a stalled transfer, and the
# watchdog ends the whole fetch at VALOR_FETCH_TIMEOUT.

# ssh's options, unless the machine chose its own ssh command.
ssh_options() {
  local file line
  if [ -n "${GIT_SSH_COMMAND:-}${GIT_SSH:-}" ]; then
    return 0
  fi
  for file in "$PROJECT_DIR/.git/config" "$HOME/.gitconfig" "${XDG_CONFIG_HOME:-$HOME/.config}/git/config"; do
    [ -f "$file" ] || continue
    while IFS= read -r line; do
      case "$line" in
        *[sS][sS][hH][cC][oO][mM][mM][aA][nN][dD]*) return 0 ;;
      esac
    done < "$file"
  done
  export GIT_SSH_COMMAND="ssh -o BatchMode=yes -o ConnectTimeout=$FETCH_TIMEOUT -o ServerAliveInterval=15 -o ServerAliveCountMax=3"
}

fetch_upstream() {
  ssh_options
  run_guarded "$FETCH_TIMEOUT" "$WORK_DIR/git.out" \
    git -c http.lowSpeedLimit=1000 -c "http.lowSpeedTime=$FETCH_TIMEOUT" fetch --quiet ||
    explain_fetch_failure
}

# The remote's URL without the user and password an https URL may carry.
remote_url() {
  local url rest authority
  url="$(git remote get-url "${UPSTREAM%%/*}" 2>/dev/null)" || url="${UPSTREAM%%/*}"
  case "$url" in
    *://*)
      rest=${url#*://}
      authority=${rest%%/*}
      case "$authority" in
        *@*) url="${url%%://*}://${authority##*@}${rest#"$authority"}" ;;
      esac
      ;;
  esac
  echo "$url"
}

explain_fetch_failure() {
  local lock
  if timed_out; then
    fail "The remote $(remote_url) did not answer within $FETCH_TIMEOUT s (VALOR_FETCH_TIMEOUT). Nothing was pulled; the next run tries again."
  fi
  # A fetch names the lock that stops it; any other lock is not in its way.
  if lock="$(named_git_lock)"; then
    recover_git_lock "$lock"
    fetch_upstream
    return 0
  fi
  show_git_output
  case "$(cat "$WORK_DIR/git.out")" in
    *"Authentication failed"* | *"Permission denied"* | *"could not read Username"* | *"terminal prompts disabled"* | *"403"*)
      fail "The remote $(remote_url) refused authentication. Nothing was pulled. Check this machine's git credentials or ssh key for it."
      ;;
  esac
  fail "Could not fetch from $(remote_url): the remote is unreachable or refused. Nothing was pulled; the next run tries again."
}

# ── Fast-forward ─────────────────────────────────────────────────────

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
  if git_step merge --ff-only --quiet "$UPSTREAM"; then
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

# ── What was pulled ──────────────────────────────────────────────────
# One `git log` gives the commits (newest first) and the files they change.

PULLED_LOG=""
CHANGED_FILES=""
HEAD_LINE=""
NEW_HEAD=""

read_pulled_range() {
  local base=$1 target=$2 line
  PULLED_LOG=""
  CHANGED_FILES=""
  HEAD_LINE=""
  COMMITS=0
  while IFS= read -r line; do
    case "$line" in
      "") ;;
      $'\001'*)
        line=${line#$'\001'}
        COMMITS=$((COMMITS + 1))
        if [ -z "$HEAD_LINE" ]; then
          NEW_HEAD=${line%% *}
          HEAD_LINE=${line#* }
        fi
        PULLED_LOG="$PULLED_LOG  ${line#* }"$'\n'
        ;;
      *) CHANGED_FILES="$CHANGED_FILES$line"$'\n' ;;
    esac
  done <<< "$(git -c core.quotePath=false log --format='%x01%H %h %s' --name-only "$base..$target")"
}

report_commits() {
  say "Pulled $COMMITS commit(s):"
  prefix_lines <<< "${PULLED_LOG%$'\n'}"
}

# ── Dependencies ─────────────────────────────────────────────────────

changed_any() {
  local file
  for file in "$@"; do
    case $'\n'"$CHANGED_FILES" in
      *$'\n'"$file"$'\n'*) return 0 ;;
    esac
  done
  return 1
}

run_sync_step() {
  local name=$1
  shift
  if run_guarded 0 "$WORK_DIR/sync.out" "$@"; then
    prefix_lines < "$WORK_DIR/sync.out"
    return 0
  fi
  prefix_lines < "$WORK_DIR/sync.out"
  fail "$name failed. Dependencies NOT synced and restart NOT queued; the next run retries."
}

python_sync_command() {
  if command -v uv >/dev/null 2>&1; then
    echo "uv sync --all-extras"
  elif [ -x "$PROJECT_DIR/.venv/bin/pip" ]; then
    echo ".venv/bin/pip install -e ."
  fi
}

sync_python() {
  say "pyproject.toml or uv.lock changed — syncing dependencies..."
  case "$(python_sync_command)" in
    uv*)
      run_sync_step "uv sync" uv sync --all-extras
      say "Dependencies synced via uv."
      ;;
    *pip*)
      say "uv not found, falling back to pip..."
      run_sync_step "pip install" "$PROJECT_DIR/.venv/bin/pip" install -e "$PROJECT_DIR"
      say "Dependencies synced via pip."
      ;;
    *) say "WARN: Neither uv nor pip found. Dependencies NOT synced." ;;
  esac
}

sync_node() {
  say "package.json or package-lock.json changed — syncing Node dependencies..."
  if command -v npm >/dev/null 2>&1; then
    run_sync_step "npm ci" npm ci
    say "Node dependencies synced via npm."
  else
    say "WARN: npm not found. Node dependencies NOT synced."
  fi
}

python_changed() {
  changed_any pyproject.toml uv.lock
}

node_changed() {
  changed_any package.json package-lock.json
}

sync_dependencies() {
  local synced=false
  if python_changed; then
    sync_python
    synced=true
  fi
  if node_changed; then
    sync_node
    synced=true
  fi
  if [ "$synced" = false ]; then
    say "No dependency file changes — skipping dep sync."
  fi
}

# ── Restart ──────────────────────────────────────────────────────────
# .restartignore lists, one pattern a line, the paths whose changes need no
# restart: "#" comments, "dir/" for a folder, "/" to anchor at the root,
# shell globs (where "*" also matches "/"). No "!" negation or "\" escapes.

path_matches() {
  local path=$1 pattern=$2 folder=false rest part
  case "$pattern" in
    */) folder=true pattern=${pattern%/} ;;
  esac
  case "$pattern" in
    /* | */*)
      pattern=${pattern#/}
      # shellcheck disable=SC2254 # the pattern is a glob on purpose
      case "$path" in
        $pattern/*) return 0 ;;
        $pattern) [ "$folder" = false ] && return 0 ;;
      esac
      return 1
      ;;
  esac
  # Without a slash the pattern matches any component of the path; a
  # folder pattern any but the last.
  rest=$path
  while :; do
    case "$rest" in
      */*) part=${rest%%/*} rest=${rest#*/} ;;
      *)
        [ "$folder" = true ] && return 1
        part=$rest rest=""
        ;;
    esac
    # shellcheck disable=SC2254
    case "$part" in
      $pattern) return 0 ;;
    esac
    [ -n "$rest" ] || return 1
  done
}

restart_ignored() {
  local path=$1 pattern
  while IFS= read -r pattern || [ -n "$pattern" ]; do
    pattern=${pattern%$'\r'}
    case "$pattern" in
      "" | "#"*) continue ;;
    esac
    path_matches "$path" "$pattern" && return 0
  done < "$RESTART_IGNORE"
  return 1
}

# Without .restartignore every change needs a restart.
restart_needed() {
  local path
  [ -f "$RESTART_IGNORE" ] || return 0
  while IFS= read -r path; do
    [ -n "$path" ] || continue
    restart_ignored "$path" || return 0
  done <<< "$CHANGED_FILES"
  return 1
}

# The bridge may be mid-response: it restarts itself once idle. Only the
# flag's existence matters to it, so it is written in place.
queue_restart() {
  printf '%s %s commit(s)\n' "$NOW_UTC" "$COMMITS" > "$RESTART_FLAG"
  say "Restart queued (flag written to data/restart-requested)."
  say "Bridge will restart after current work completes."
}

# ── The record of each run ───────────────────────────────────────────
# data/last-update: one "key=value" a line, replaced whole at every exit.

# Written for every run in a git checkout, even one that failed before it
# took the lock.
write_last_update() {
  local status=$1
  [ -n "$HEAD_OID" ] || return 0
  [ -d "$DATA_DIR" ] || mkdir -p "$DATA_DIR"
  write_atomically "$LAST_UPDATE" "time=$NOW_UTC
trigger=$TRIGGER
outcome=$OUTCOME
exit=$status
head=${NEW_HEAD:-$HEAD_OID}
commits=$COMMITS${STASH_LEFT:+
stash=$STASH_LEFT}
summary=$SUMMARY"
}

finish() {
  local status=$?
  write_last_update "$status"
  release_lock
}

# ── Check ────────────────────────────────────────────────────────────
# --check fetches (moving only the remote-tracking refs) and says what an
# update would do, in a real run's words: each problem that would stop it is
# the FAIL line that run would print, and once one is found nothing more is
# said to be done. The last line sums it up.

CHECK_PROBLEMS=""

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
  trap 'rm -rf "$WORK_DIR"' EXIT
  : > "$WORK_DIR/started"
  say "Check only: nothing is changed but the remote-tracking refs."
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
  if [ "$BEHIND" -gt 0 ] || [ -f "$IN_PROGRESS" ]; then
    check_incoming
  else
    say "Already up to date. ($(short "$HEAD_OID"))"
  fi
  end_check
}

# ── Main ─────────────────────────────────────────────────────────────

finish_update() {
  local target=$1
  read_pulled_range "$UPDATE_BASE" "$target"
  report_commits
  sync_dependencies
  OUTCOME=updated
  if restart_needed; then
    queue_restart
    SUMMARY="Update complete. $COMMITS commit(s) pulled, restart queued."
  else
    say "No runtime changes: restart not needed."
    SUMMARY="Update complete. $COMMITS commit(s) pulled, no restart needed."
  fi
  if [ -n "$STASH_LEFT" ]; then
    OUTCOME=updated-with-conflict
    SUMMARY="$SUMMARY Local edits conflicted: kept in $STASH_LEFT."
  fi
  UPDATE_DONE=true
  say "$SUMMARY"
  say "HEAD: ${HEAD_LINE%% *} — ${HEAD_LINE#* }"
}

main() {
  parse_args "$@"
  cd "$PROJECT_DIR"
  export GIT_TERMINAL_PROMPT=0 GIT_OPTIONAL_LOCKS=0
  GIT_CEILING_DIRECTORIES="${PROJECT_DIR%/*}"
  export GIT_CEILING_DIRECTORIES="${GIT_CEILING_DIRECTORIES:-/}"

  check_settings
  read_clock
  trap_signals
  if [ "$CHECK_ONLY" = true ]; then
    read_checkout
    run_check
  fi
  trap finish EXIT
  read_checkout
  if ! acquire_lock; then
    OUTCOME=skipped
    conclude "Another update is already running. Skipping."
    exit 0
  fi
  WORK_DIR=$LOCK_DIR

  recover_interrupted_run
  choose_update_base
  fetch_upstream
  count_divergence
  if [ "$AHEAD" -gt 0 ] && [ "$BEHIND" -gt 0 ]; then
    fail_diverged
  fi
  if [ "$BEHIND" -gt 0 ]; then
    stash_tracked_changes
    fast_forward
  fi
  restore_stash

  if [ "$BEHIND" -eq 0 ] && [ "$UPDATE_BASE" = "$HEAD_OID" ]; then
    UPDATE_DONE=true
    if [ "$AHEAD" -gt 0 ]; then
      say "WARN: $BRANCH has $AHEAD local commit(s) not on $UPSTREAM; push or drop them."
    fi
    OUTCOME=up-to-date
    conclude "Already up to date. ($(short "$HEAD_OID"))"
    return 0
  fi
  finish_update HEAD
}

main "$@"
