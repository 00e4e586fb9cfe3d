# shellcheck shell=bash
#
# Whether a git works in this repository, which decides whether a lock left
# in .git may be removed.
#
# Sourced by scripts/remote-update.sh: functions only.

# A git works in this repository when its current directory is in the
# checkout or one of its linked worktrees (git -C moves there before anything
# else), or when its arguments name one (--git-dir=..., as written or as git
# resolves it). A git whose folder cannot be read may be working here. A
# killed git not yet reaped (state Z) holds nothing.
git_works_here() {
  local pids="" pid state name locale folders args
  command -v ps >/dev/null 2>&1 || return 0
  while read -r pid state name; do
    case "$state:${name##*/}" in
      Z*) ;;
      *:git | *:git-*) pids="$pids${pids:+,}$pid" ;;
    esac
  done <<< "$(ps -A -o pid= -o stat= -o comm= 2>/dev/null)"
  [ -n "$pids" ] || return 1
  locale="$(utf8_locale)"
  folders="$(git_folders "$pids" "$locale")"
  any_folder_here "$folders" && return 0
  args="$(LC_ALL=$locale ps -o pid= -o args= -p "$pids" 2>/dev/null)"
  any_folder_here "$args" args || any_folder_here "$(named_folders "$args" "$folders")"
}

# lsof and ps print a path in their locale: in the C locale, a launchd
# agent's (it has no LANG), its non-ASCII letters become escapes (lsof) or
# "?" (ps on Linux) and it matches nothing. They run in the first UTF-8
# locale this machine has: bash counts a two-byte letter as one character
# only in one. None: the caller's locale. In a subshell, so that the run's
# own locale stays as it is.
utf8_locale() (
  local candidate letter=$'\303\251'
  for candidate in C.UTF-8 en_US.UTF-8 "${LC_ALL:-${LC_CTYPE:-${LANG:-C}}}"; do
    LC_ALL=C
    LC_ALL=$candidate
    if [ "${#letter}" -eq 1 ]; then
      echo "$candidate"
      return 0
    fi
  done 2>/dev/null
)

# git_folders PIDS LOCALE: "<pid> <current directory>" of each of the
# comma-separated pids that can be read: lsof on macOS (and Linux when it is
# there), else /proc on Linux; "<pid> ?" for one that cannot and is still
# running (a git that ended since ps looked holds nothing).
git_folders() {
  local pids=$1 locale=$2 line pid="" known="," unknown=""
  if command -v lsof >/dev/null 2>&1; then
    while IFS= read -r line; do
      case "$line" in
        p*) pid=${line#p} ;;
        n/*)
          echo "$pid ${line#n}"
          known="$known$pid,"
          ;;
      esac
    done <<< "$(LC_ALL=$locale lsof -a -d cwd -p "$pids" -Fn 2>/dev/null)"
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
# the repository's folders (with "args": whether any "<pid> <arguments>" line
# names one).
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

# named_folders ARGS FOLDERS: "<pid> <folder>" for each folder that the
# "<pid> <arguments>" lines of ARGS name with -C, --git-dir or --work-tree,
# resolved (cd -P) from that git's current directory in FOLDERS, as git
# resolves it: a --git-dir through a symlink (/tmp is /private/tmp on a Mac)
# names the folder it leads to. Only git's own options are read: they come
# before its command, whose arguments may be many. In a subshell: it changes
# directory.
named_folders() (
  local pid words word line cwd value
  CDPATH=""
  while read -r pid words; do
    cwd=""
    while read -r line; do
      [ "${line%% *}" != "$pid" ] || cwd=${line#* }
    done <<< "$2"
    [ -n "$cwd" ] || continue
    words=${words#* }
    value=false
    while [ -n "$words" ]; do
      word=${words%% *}
      words=${words#"$word"}
      words=${words# }
      if [ "$value" = true ]; then
        value=false
        continue
      fi
      case "$word" in
        -C | --git-dir | --work-tree)
          folders_from "$pid" "$cwd" "$words"
          value=true
          ;;
        --git-dir=* | --work-tree=*) folders_from "$pid" "$cwd" "${word#*=}${words:+ $words}" ;;
        -c | --namespace | --config-env | --super-prefix) value=true ;;
        -*) ;;
        *) break ;;
      esac
    done
  done <<< "$1"
)

# folders_from PID CWD TEXT: ps joins a git's arguments with spaces, so where
# a value ends is not known: each run of TEXT's first words that names a
# folder (or a file in one, such as a worktree's .git) counts, up to 16 words
# (a path with 15 spaces).
folders_from() {
  local pid=$1 cwd=$2 rest=$3 path="" word words=0
  while [ -n "$rest" ] && [ "$words" -lt 16 ]; do
    word=${rest%% *}
    rest=${rest#"$word"}
    rest=${rest# }
    words=$((words + 1))
    path="${path:+$path }$word"
    cd -P -- "$cwd" 2>/dev/null || return 0
    if [ -f "$path" ]; then
      case "$path" in
        */*) cd -P -- "${path%/*}/" 2>/dev/null || continue ;;
        *) ;;
      esac
    else
      cd -P -- "$path" 2>/dev/null || continue
    fi
    echo "$pid $PWD"
  done
}
