# shellcheck shell=bash
#
# `scripts/valor-service.sh hold [for DURATION] [REASON...]` and `resume`:
# hold this machine at the code it runs, and lift the hold, from its command
# line. They write data/hold as hold.sh describes it (the chat's /update hold
# and /update resume write the same file), and need neither node nor launchd.
# A hold lasts 24 hours unless `for` says otherwise, at most 7 days, so that
# a forgotten one cannot keep a machine from its updates for ever. It is by
# the login name, or by VALOR_HOLD_BY (the bridge's /update hold sets it to
# the sender, @name): one writer of data/hold, whoever asks.
#
# Sourced by scripts/valor-service.sh: functions only. Uses its LOG_PREFIX.

hold_say() {
  printf '%s %s\n' "$LOG_PREFIX" "$*"
}

# The usage on a line of its own: the chat's /update hold replies with the
# FAIL line and its own usage.
hold_usage_error() {
  hold_say "FAIL: $1. Nothing was changed."
  hold_say "usage: scripts/valor-service.sh hold [for 30m|4h|2d] [REASON] | resume"
  exit 2
}

# parse_hold_args ARGS...: HOLD_SECONDS (24 hours unless "for DURATION") and
# HOLD_REASON_ARG (the other words).
parse_hold_args() {
  local duration count
  HOLD_SECONDS=86400
  if [ "${1:-}" = for ]; then
    [ $# -ge 2 ] || hold_usage_error "'for' needs a duration such as 30m, 4h or 2d"
    duration=$2
    shift 2
    count=${duration%[mhd]}
    case "$count:$duration" in
      *[!0-9]*:* | :* | "$duration":*) hold_usage_error "'for' takes a duration such as 30m, 4h or 2d (got '$duration')" ;;
    esac
    [ "${#count}" -le 6 ] || hold_usage_error "a hold lasts at most 7 days (got '$duration')"
    case "$duration" in
      *m) HOLD_SECONDS=$((10#$count * 60)) ;;
      *h) HOLD_SECONDS=$((10#$count * 3600)) ;;
      *d) HOLD_SECONDS=$((10#$count * 86400)) ;;
    esac
    [ "$HOLD_SECONDS" -gt 0 ] || hold_usage_error "a hold lasts at least a minute (got '$duration')"
    [ "$HOLD_SECONDS" -le 604800 ] || hold_usage_error "a hold lasts at most 7 days (got '$duration')"
  fi
  HOLD_REASON_ARG="$*"
}

hold_command() {
  local now
  parse_hold_args "$@"
  now="$(date +%s)"
  if read_hold "$now"; then
    describe_hold "$now"
    hold_say "Replacing the hold $HOLD_DESC."
  fi
  write_hold "$now" "$HOLD_SECONDS" "${VALOR_HOLD_BY:-${USER:-$(id -un)}}" "$HOLD_REASON_ARG"
  read_hold "$now"
  describe_hold "$now"
  hold_say "Held $HOLD_DESC: scheduled runs and /update skip the update until then. scripts/valor-service.sh resume releases it."
}

resume_command() {
  local now found=0
  [ $# -eq 0 ] || hold_usage_error "resume takes no argument (got '$*')"
  now="$(date +%s)"
  read_hold "$now" || found=$?
  case "$found" in
    0)
      describe_hold "$now"
      release_hold
      hold_say "Resumed: the hold $HOLD_DESC is lifted; the next scheduled run or /update updates."
      ;;
    1)
      release_hold
      hold_say "Not held: nothing to resume."
      ;;
    2)
      release_hold
      hold_say "Removed data/hold, which was not a hold (no until=<epoch seconds>). Not held."
      ;;
  esac
}
