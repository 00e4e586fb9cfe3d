#!/usr/bin/env bats
# The heartbeat (scripts/lib/heartbeat.sh): after each scheduled run,
# scripts/scheduled-update.sh pings VALOR_HEARTBEAT_URL (healthchecks.io's
# convention: the URL, or <url>/fail, the summary as the body), against a real
# HTTP server on 127.0.0.1 here. The URL is a secret: it must appear in no
# output, record, process argument or child's environment.

load test_helper

setup() {
  setup_repos
  ship_to_machine scripts/scheduled-update.sh
  ln -s "$(command -v curl)" "$SYSTEM_BIN/curl"
  # The health check: what it was handed, for the URL to be looked for.
  make_stub node "export -p > '$BATS_TEST_TMPDIR/node.env'"
  SECRET="s3cret-$RANDOM$RANDOM"
  REQUESTS="$BATS_TEST_TMPDIR/requests.log"
  SERVER_PID=""
}

teardown() {
  if [ -n "$SERVER_PID" ]; then
    kill "$SERVER_PID" 2>/dev/null || true
  fi
}

# start_server MODE: ok (200), missing (404) or hang (reads the request, never
# answers); each request is logged as "METHOD PATH BODY". Sets HEARTBEAT_URL.
start_server() {
  local port_file="$BATS_TEST_TMPDIR/port" tries=0
  # shellcheck disable=SC2016 # JavaScript
  node -e '
    const [log, mode, portFile] = process.argv.slice(1);
    const fs = require("fs");
    require("http").createServer((req, res) => {
      let body = "";
      req.on("data", (chunk) => (body += chunk));
      req.on("end", () => {
        fs.appendFileSync(log, `${req.method} ${req.url} ${body}\n`);
        if (mode === "hang") return;
        res.statusCode = mode === "missing" ? 404 : 200;
        res.end(mode === "missing" ? "not found" : "OK");
      });
    }).listen(0, "127.0.0.1", function () {
      fs.writeFileSync(portFile, String(this.address().port));
    });
  ' "$REQUESTS" "$1" "$port_file" &
  SERVER_PID=$!
  until [ -s "$port_file" ] || [ "$tries" -gt 100 ]; do
    sleep 0.1
    tries=$((tries + 1))
  done
  VALOR_HEARTBEAT_URL="http://127.0.0.1:$(cat "$port_file")/ping/$SECRET"
  export VALOR_HEARTBEAT_URL
}

# The job's output is kept in JOB_OUTPUT too.
run_scheduled() {
  PATH="$SCRIPT_PATH" run bash "$MACHINE/scripts/scheduled-update.sh" --jitter 0
  JOB_OUTPUT=$output
}

# Not in the job's output, its records, or what the health check was handed.
assert_secret_nowhere() {
  [[ "$JOB_OUTPUT" != *"$SECRET"* ]] || fail "the URL is in the job's output: $JOB_OUTPUT"
  run grep -rl "$SECRET" "$MACHINE/data" "$STUB_LOG"
  assert_output ""
  if [ -e "$BATS_TEST_TMPDIR/node.env" ]; then
    run grep -c "$SECRET" "$BATS_TEST_TMPDIR/node.env"
    assert_output 0
  fi
}

@test "a successful run: the URL, the summary as the body; the URL in no output, record or child's environment" {
  start_server ok
  upstream_commit notes.txt "a note" "Add notes"

  run_scheduled

  assert_success
  refute_output --partial "[scheduled-update]"
  run cat "$REQUESTS"
  assert_output "POST /ping/$SECRET Update complete. 1 commit(s) pulled, restart queued."
  assert_secret_nowhere
  assert [ -s "$BATS_TEST_TMPDIR/node.env" ]
}

@test "the URL read from .env: pinged the same, in no output, record or child's environment; the environment wins" {
  start_server ok
  printf '# this machine\x27s check\nVALOR_HEARTBEAT_URL="%s"\n' "$VALOR_HEARTBEAT_URL" > "$MACHINE/.env"
  unset VALOR_HEARTBEAT_URL

  run_scheduled

  assert_success
  run cat "$REQUESTS"
  assert_output "POST /ping/$SECRET Already up to date. ($(short_sha "$MACHINE"))"
  assert_secret_nowhere
  assert [ -s "$BATS_TEST_TMPDIR/node.env" ]

  VALOR_HEARTBEAT_URL="" run_scheduled
  assert_success
  assert_equal "$(wc -l < "$REQUESTS")" 1
}

@test "a failed run: <url>/fail, its FAIL line as the body; the job's status is the update's" {
  start_server ok
  git -C "$MACHINE" remote set-url origin "$BATS_TEST_TMPDIR/no-such-origin.git"

  run_scheduled

  assert_failure 1
  run cat "$REQUESTS"
  assert_output "POST /ping/$SECRET/fail FAIL: Could not fetch from $BATS_TEST_TMPDIR/no-such-origin.git: the remote is unreachable or refused. Nothing was pulled; the next run tries again."
  assert_secret_nowhere
}

@test "a held run pings as a success (the machine is alive), its line as the body, quotes and backslashes as they are" {
  start_server ok
  mkdir -p "$MACHINE/data"
  printf 'until=%s\nby=@alice\nreason=the "demo" \\ prep\n' $(($(date +%s) + 3600)) > "$MACHINE/data/hold"

  run_scheduled

  assert_success
  run cat "$REQUESTS"
  assert_output --regexp "^POST /ping/$SECRET Held by @alice until [0-9:]+ UTC \(the \"demo\" \\\\ prep\); update skipped\. "
}

@test "a run that stopped at a bad setting: /fail, though an older run's record is there" {
  start_server ok
  run_scheduled
  assert_success

  VALOR_FETCH_TIMEOUT=abc run_scheduled

  assert_failure 2
  run sed -n 2p "$REQUESTS"
  assert_output "POST /ping/$SECRET/fail exit 2: the update recorded no run (a bad setting or argument; see its output)"
}

@test "a server that never answers: the job ends on time with one WARN, its status the update's; the URL in no process's arguments or environment" {
  start_server hang
  local out="$BATS_TEST_TMPDIR/job.out" job tries=0
  PATH="$SCRIPT_PATH" bash "$MACHINE/scripts/scheduled-update.sh" --jitter 0 > "$out" 2>&1 &
  job=$!
  until [ -s "$REQUESTS" ] || [ "$tries" -gt 100 ]; do
    sleep 0.1
    tries=$((tries + 1))
  done
  assert [ -s "$REQUESTS" ]

  local curl_pid
  curl_pid="$(ps -eo pid=,args= | awk '/[c]url .*--config -/ { print $1 }')"
  assert [ -n "$curl_pid" ]
  run bash -c "ps -eo args | grep -F '$SECRET' | grep -v grep"
  assert_output ""
  # Where the environment can be read: curl's, though the job was handed it.
  if [ -r "/proc/$curl_pid/environ" ]; then
    run grep -c "$SECRET" "/proc/$curl_pid/environ"
    assert_output 0
  fi
  assert_gone_within 13 "$job"
  local status=0
  wait "$job" || status=$?
  assert_equal "$status" 0

  run cat "$out"
  JOB_OUTPUT=$output
  assert_output --regexp $'\n\\[scheduled-update\\] WARN: the heartbeat was not sent: Operation timed out after 10[0-9]{3} milliseconds with 0 bytes received\\.$'
  assert_secret_nowhere
}

@test "a server that refuses the ping (404): one WARN, without the URL; the job's status unchanged" {
  start_server missing

  run_scheduled

  assert_success
  assert_last_line "[scheduled-update] WARN: the heartbeat was not sent: The requested URL returned error: 404."
  assert_secret_nowhere
}

@test "no VALOR_HEARTBEAT_URL: curl is not run" {
  make_stub curl

  run_scheduled

  assert_success
  run cat "$STUB_LOG"
  assert_output "node --import tsx src/service/bridge-health-cli.ts"
}

@test "no curl on PATH, or a URL that is not http(s): one WARN without the URL, the job's status unchanged" {
  start_server ok
  rm "$SYSTEM_BIN/curl"

  run_scheduled

  assert_success
  assert_last_line "[scheduled-update] WARN: curl not found on PATH ($SCRIPT_PATH): no heartbeat was sent."

  ln -s "$(command -v curl)" "$SYSTEM_BIN/curl"
  VALOR_HEARTBEAT_URL="file:///$SECRET" run_scheduled
  assert_success
  assert_last_line "[scheduled-update] WARN: VALOR_HEARTBEAT_URL must start with https:// or http://; no heartbeat was sent."
  assert_secret_nowhere
  assert [ ! -e "$REQUESTS" ]
}
