# shellcheck shell=bash
#
# A hold keeps a machine at the code it runs: while one is in force, scheduled
# runs and /update skip the update, and a manual run updates only with
# --ignore-hold. The script reads the hold itself, so every trigger obeys it.
#
# It lives in one file, data/hold, written whole to a temporary file and
# renamed over it; one key=value a line (the TypeScript side reads the same):
#   until=<epoch seconds>   when it ends on its own
#   since=<epoch seconds>   when it was set
#   by=<who>                @name from the chat, the login name on the machine
#   reason=<text>           one line; may be empty
# A hold whose until has passed holds nothing. Its file stays until the next
# hold or resume replaces it: a reader that removed it could remove a hold set
# a moment before.
#
# Sourced by scripts/remote-update.sh and, for hold-command.sh, by
# scripts/valor-service.sh: functions only; the file is paths.sh's HOLD_FILE.
# Reading the hold starts no process.

# read_hold NOW: 0 when a hold is in force at NOW (epoch seconds), with
# HOLD_UNTIL, HOLD_BY and HOLD_REASON set; 1 when none is (no
# file, or one whose time has passed, HOLD_UNTIL still set); 2 when data/hold
# is not a hold (no whole-number until).
read_hold() {
  local now=$1 line
  HOLD_UNTIL="" HOLD_BY="" HOLD_REASON=""
  [ -f "$HOLD_FILE" ] || return 1
  [ -r "$HOLD_FILE" ] || return 2
  while IFS= read -r line || [ -n "$line" ]; do
    case "$line" in
      until=*) HOLD_UNTIL=${line#until=} ;;
      by=*) HOLD_BY=${line#by=} ;;
      reason=*) HOLD_REASON=${line#reason=} ;;
    esac
  done < "$HOLD_FILE"
  case "$HOLD_UNTIL" in
    "" | *[!0-9]*) return 2 ;;
  esac
  # Base 10, and short enough for bash's arithmetic.
  [ "${#HOLD_UNTIL}" -le 12 ] || return 2
  HOLD_UNTIL=$((10#$HOLD_UNTIL))
  [ "$HOLD_UNTIL" -gt "$now" ]
}

# write_hold NOW SECONDS BY REASON: a hold from NOW for SECONDS, replacing any.
write_hold() {
  local now=$1 seconds=$2 by=$3 reason=$4 tmp
  tmp="$HOLD_FILE.tmp.$$"
  [ -d "${HOLD_FILE%/*}" ] || mkdir -p "${HOLD_FILE%/*}"
  printf 'until=%s\nsince=%s\nby=%s\nreason=%s\n' "$((now + seconds))" "$now" "$(one_line "$by")" "$(one_line "$reason")" > "$tmp"
  mv -f "$tmp" "$HOLD_FILE"
}

one_line() {
  local text=${1//$'\r'/ }
  echo "${text//$'\n'/ }"
}

release_hold() {
  rm -f "$HOLD_FILE"
}

# describe_hold NOW: HOLD_DESC, "by @alice until 18:40 UTC (the reason)",
# from what read_hold read: "Held $HOLD_DESC", "the hold $HOLD_DESC".
describe_hold() {
  utc_clock "$HOLD_UNTIL" "$1"
  HOLD_DESC="${HOLD_BY:+by $HOLD_BY }until $UTC_CLOCK${HOLD_REASON:+ ($HOLD_REASON)}"
}

# utc_clock EPOCH NOW: UTC_CLOCK, "18:40 UTC", with the date in front
# ("2026-02-03 18:40 UTC") when EPOCH is more than a day from NOW. Arithmetic
# alone: BSD's and GNU's date read an epoch with different options.
utc_clock() {
  local epoch=$1 now=$2 days z era doe yoe doy mp day month year
  local seconds=$((epoch % 86400))
  printf -v UTC_CLOCK '%02d:%02d UTC' $((seconds / 3600)) $((seconds % 3600 / 60))
  [ $((epoch - now)) -gt 86400 ] || return 0
  # Days since 1970-01-01 to a civil date (Howard Hinnant's days_from_civil, inverted).
  days=$((epoch / 86400))
  z=$((days + 719468))
  era=$((z / 146097))
  doe=$((z - era * 146097))
  yoe=$(((doe - doe / 1460 + doe / 36524 - doe / 146096) / 365))
  doy=$((doe - (365 * yoe + yoe / 4 - yoe / 100)))
  mp=$(((5 * doy + 2) / 153))
  day=$((doy - (153 * mp + 2) / 5 + 1))
  month=$((mp < 10 ? mp + 3 : mp - 9))
  year=$((yoe + era * 400 + (month <= 2 ? 1 : 0)))
  printf -v UTC_CLOCK '%04d-%02d-%02d %s' "$year" "$month" "$day" "$UTC_CLOCK"
}

# ── In the update script ─────────────────────────────────────────────

# After the checkout is read, before the lock: a held machine's run ends here
# with one line, recorded as skipped (exit 0), unless it is a manual run with
# --ignore-hold. A file that is not a hold is ignored, with a WARN: it must
# not keep a machine from its updates for ever.
skip_if_held() {
  local found=0
  read_hold "$NOW_EPOCH" || found=$?
  case "$found" in
    1) return 0 ;;
    2)
      warn_not_a_hold
      return 0
      ;;
  esac
  describe_hold "$NOW_EPOCH"
  if [ "$IGNORE_HOLD" = true ]; then
    say "WARN: Held $HOLD_DESC; updating anyway (--ignore-hold)."
    return 0
  fi
  # shellcheck disable=SC2034 # recorded by remote-update.sh's finish
  OUTCOME=skipped
  if [ "$TRIGGER" = manual ]; then
    conclude "Held $HOLD_DESC; not updating. Run with --ignore-hold to update anyway, or release it: scripts/valor-service.sh resume."
  else
    conclude "Held $HOLD_DESC; update skipped. /update resume or scripts/valor-service.sh resume releases it."
  fi
  exit 0
}

warn_not_a_hold() {
  say "WARN: data/hold is not a hold (it has no until=<epoch seconds>) and is ignored; scripts/valor-service.sh resume removes it."
}

# --check: the hold is said first; the rest says what an update would do
# once it is lifted (or with --ignore-hold).
check_hold() {
  local found=0
  read_hold "$NOW_EPOCH" || found=$?
  case "$found" in
    0)
      describe_hold "$NOW_EPOCH"
      say "WARN: Held $HOLD_DESC; scheduled runs and /update skip the update until then, and a manual run needs --ignore-hold."
      ;;
    2) warn_not_a_hold ;;
  esac
}
