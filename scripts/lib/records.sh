# shellcheck shell=bash
#
# The small records a run keeps under data/ (one line each, replaced whole),
# and its one reading of the clock.
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
