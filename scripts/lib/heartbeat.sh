# shellcheck shell=bash
#
# A heartbeat for the silent machine: with VALOR_HEARTBEAT_URL set (a check of
# healthchecks.io or a self-hosted twin), the update job pings it after each
# scheduled run: the URL when the run succeeded (a held run too: the machine
# is alive), <url>/fail when it failed, the run's summary as the body. A
# machine that stops running its schedule stops pinging, and the monitor,
# outside the fleet, reports the silence.
#
# The URL is a secret: it is taken out of the environment before anything
# starts, so no process of the job inherits it, and reaches curl in its config
# on standard input (--config -), so it is in no process's arguments; it is
# in no line the job prints. The ping is bounded (curl --max-time) and its
# trouble is a WARN line, never the job's status.
#
# Sourced by scripts/scheduled-update.sh: functions only. Uses its say, and
# ENV_FILE and LAST_UPDATE (paths.sh), env_file_setting (env-file.sh).

# Takes the URL out of the environment, or else .env, into HEARTBEAT_URL (""
# when unset). Read from .env, it never was in the environment.
take_heartbeat_url() {
  env_file_setting "$ENV_FILE" VALOR_HEARTBEAT_URL || true
  HEARTBEAT_URL="${VALOR_HEARTBEAT_URL:-}"
  unset VALOR_HEARTBEAT_URL
}

# Just before the update runs: what data/last-update says then, so that the
# run's own record can be told from an older one.
mark_heartbeat_start() {
  [ -n "$HEARTBEAT_URL" ] || return 0
  read_run_record
  HEARTBEAT_BEFORE=$RUN_RECORD
}

# RUN_RECORD: the time, exit and summary lines of data/last-update, those the
# script writes (the health check adds others); SUMMARY_RECORDED its summary.
read_run_record() {
  local line record=$LAST_UPDATE
  RUN_RECORD="" SUMMARY_RECORDED=""
  [ -f "$record" ] && [ -r "$record" ] || return 0
  while IFS= read -r line; do
    case "$line" in
      time=* | exit=*) RUN_RECORD="$RUN_RECORD$line"$'\n' ;;
      summary=*)
        RUN_RECORD="$RUN_RECORD$line"
        SUMMARY_RECORDED=${line#summary=}
        ;;
    esac
  done < "$record"
}

# The body: the run's summary, when it recorded one. A run that did not
# stopped at a bad setting or argument. (A run whose record matches the
# older one line for line, started in the same second, is taken for one that
# recorded nothing.)
heartbeat_body() {
  local status=$1
  read_run_record
  if [ -n "$SUMMARY_RECORDED" ] && [ "$RUN_RECORD" != "$HEARTBEAT_BEFORE" ]; then
    HEARTBEAT_BODY=$SUMMARY_RECORDED
  else
    HEARTBEAT_BODY="exit $status: the update recorded no run (a bad setting or argument; see its output)"
  fi
}

# A value in double quotes, for curl's config.
curl_quoted() {
  local value=${1//\\/\\\\}
  value=${value//\"/\\\"}
  CURL_QUOTED="\"$value\""
}

heartbeat_config() {
  local url=$1
  curl_quoted "$url"
  printf 'url = %s\n' "$CURL_QUOTED"
  curl_quoted "$HEARTBEAT_BODY"
  printf 'data-raw = %s\n' "$CURL_QUOTED"
  printf 'output = "/dev/null"\n'
}

# ping_heartbeat STATUS: after the run whose exit status is STATUS.
ping_heartbeat() {
  # Seconds the ping may take, all of it: name lookup, connection, answer.
  local status=$1 url said timeout=10
  [ -n "$HEARTBEAT_URL" ] || return 0
  case "$HEARTBEAT_URL" in
    http://* | https://*) ;;
    *)
      say "WARN: VALOR_HEARTBEAT_URL must start with https:// or http://; no heartbeat was sent."
      return 0
      ;;
  esac
  if ! command -v curl >/dev/null 2>&1; then
    say "WARN: curl not found on PATH ($PATH): no heartbeat was sent."
    return 0
  fi
  url=$HEARTBEAT_URL
  [ "$status" -eq 0 ] || url="${url%/}/fail"
  heartbeat_body "$status"
  if said="$(heartbeat_config "$url" | curl --silent --show-error --fail --max-time "$timeout" --config - 2>&1)"; then
    return 0
  fi
  said=${said//"$HEARTBEAT_URL"/<VALOR_HEARTBEAT_URL>}
  said=${said#curl: (*) }
  say "WARN: the heartbeat was not sent: ${said:-curl failed}."
}
