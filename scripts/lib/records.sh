# shellcheck shell=bash
#
# The small records a run keeps under data/ (one line each, replaced whole),
# their ages, and the run's one reading of the clock.
#
# Sourced by scripts/remote-update.sh: functions only.

read_clock() {
  # shellcheck disable=SC2034 # the run's clock, read by the other files
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

older_than_minutes() {
  local path=$1 minutes=$2
  [ -n "$(find "$path" -prune -mmin "+$minutes" 2>/dev/null)" ]
}

# older_than_seconds PATH SECONDS: BSD find takes "+10s", GNU find a
# fractional number of minutes; each refuses the other's.
older_than_seconds() {
  local path=$1 seconds=$2 minutes found
  printf -v minutes '%d.%03d' $((seconds / 60)) $((seconds % 60 * 1000 / 60))
  found="$(find "$path" -prune -mtime "+${seconds}s" 2>/dev/null)" ||
    found="$(find "$path" -prune -mmin "+$minutes" 2>/dev/null)" || true
  [ -n "$found" ]
}
