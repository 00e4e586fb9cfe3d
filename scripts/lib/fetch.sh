# shellcheck shell=bash
#
# The fetch, bounded: git's and ssh's own timeouts end a stalled transfer,
# and the watchdog (guarded.sh) ends the whole fetch at VALOR_FETCH_TIMEOUT.
#
# Sourced by scripts/remote-update.sh: functions only.

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
