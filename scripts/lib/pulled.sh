# shellcheck shell=bash
#
# What was pulled: one `git log` gives the commits (newest first) and the
# files they change.
#
# Sourced by scripts/remote-update.sh: functions only.

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
          # shellcheck disable=SC2034 # recorded by last-update.sh
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
