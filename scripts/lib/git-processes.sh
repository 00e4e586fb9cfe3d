# shellcheck shell=bash
#
# Whether a git works in this repository, which decides whether a lock left
# in .git may be removed.
#
# Sourced by scripts/remote-update.sh: functions only.

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
