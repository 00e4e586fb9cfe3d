# shellcheck shell=bash
#
# The restart: queued by writing data/restart-requested, unless every changed
# file matches .restartignore. That file lists, one pattern a line, the paths
# whose changes need no restart: "#" comments, "dir/" for a folder, "/" to
# anchor at the root, shell globs (where "*" also matches "/"). No "!"
# negation or "\" escapes.
#
# Sourced by scripts/remote-update.sh: functions only.

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
  # shellcheck disable=SC2034 # recorded by last-update.sh
  RESTART_QUEUED=yes
  say "Restart queued (flag written to data/restart-requested)."
  say "Bridge will restart after current work completes."
}
