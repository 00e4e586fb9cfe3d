#!/bin/bash
#
# Runs every suite: typecheck, shellcheck, bats (twice: the update script
# under this machine's bash, then under macOS's bash 3.2 when one is found),
# vitest, and the end-to-end suite (the real bridge against the local
# Telegram server in ../shared/telegram-server), and the systemd suite (the
# service layer under the real systemd user manager of ../shared/systemd-user).
#
# The suites are independent and mostly wait (on servers, timeouts, child
# processes), so they run side by side in lanes: the suites of one lane one
# after another, the lanes at the same time (see main). Each suite writes its
# report to its own file; the reports are printed whole, in the order of
# SUITES, each as soon as it and those before it are done. Then each suite's
# time, the whole run's, and one closing line "N passed, N failed" over all
# of them; when there is no test server, the end-to-end suite is not run and
# the line says so: "N passed, N failed; end-to-end suite not run: no test
# server".
#
# Exits non-zero if anything failed, and, with --require-e2e (CI), also when
# the end-to-end or the systemd suite could not run. Installs shellcheck with apt-get when it
# is missing and this is a root shell on Debian; elsewhere says how to get it.
#
# A new suite is a function suite_NAME that prints its report and counts with
# count or count_suite, its NAME in SUITES, and a place in a lane in main.

set -uo pipefail

cd "$(dirname "${BASH_SOURCE[0]}")/.." || exit 1
readonly BIN=node_modules/.bin
REPORTS="$(mktemp -d)"
readonly REPORTS

# In the order their reports are printed.
readonly SUITES="typecheck shellcheck bats bats_32 vitest e2e systemd"

readonly TEST_SERVER=../shared/telegram-server
require_e2e=0
case "${1:-}" in
  --require-e2e) require_e2e=1 ;;
  "") ;;
  *) echo "usage: test/run-all.sh [--require-e2e]" >&2; exit 2 ;;
esac

# Set per suite, in the lane that runs it (see run_suite).
passed=0
failed=0
not_run=""

count() {
  passed=$((passed + $1))
  failed=$((failed + $2))
}

heading() {
  printf '\n== %s ==\n' "$1"
}

suite_typecheck() {
  heading "typecheck (tsc --noEmit)"
  if "$BIN/tsc" -p tsconfig.json; then
    count 1 0
  else
    count 0 1
  fi
}

ensure_shellcheck() {
  command -v shellcheck >/dev/null 2>&1 && return 0
  if [ "$(id -u)" = 0 ] && command -v apt-get >/dev/null 2>&1; then
    echo "shellcheck not found: installing it with apt-get"
    apt-get update -qq >/dev/null && apt-get install -y -qq shellcheck >/dev/null
  fi
  command -v shellcheck >/dev/null 2>&1 && return 0
  echo "shellcheck not found: install it (brew install shellcheck, or apt-get install shellcheck)"
  return 1
}

suite_shellcheck() {
  heading "shellcheck"
  local file files=()
  # Patterns that match nothing are left out.
  for file in scripts/*.sh scripts/lib/*.sh systemd/*.sh test/bats/*.bash test/bats/*.bats \
    test/systemd/*.bash test/systemd/*.bats test/run-all.sh .ci/run; do
    [ -e "$file" ] && files+=("$file")
  done
  if ! ensure_shellcheck; then
    count 0 "${#files[@]}"
    return
  fi
  for file in "${files[@]}"; do
    if shellcheck -x "$file"; then
      count 1 0
    else
      count 0 1
    fi
  done
  echo "checked ${#files[@]} files"
}

# count_suite NAME STATUS PASSED FAILED: a runner that failed with no failed
# test to show for it, or that ran no test at all, counts as one failure.
count_suite() {
  local name=$1 status=$2 ok=$3 not_ok=$4
  if [ "$status" -ne 0 ] && [ "$not_ok" -eq 0 ]; then
    echo "$name: the runner failed (exit $status) with no failed test to show: counted as a failure"
    not_ok=1
  elif [ $((ok + not_ok)) -eq 0 ]; then
    echo "$name: no test ran: counted as a failure"
    not_ok=1
  fi
  count "$ok" "$not_ok"
}

# run_bats NAME [BASH]: the bats suite, the update script run by BASH
# (default: the bash on PATH).
run_bats() {
  local name=$1 script_bash=${2:-}
  local tap="$REPORTS/$name.tap" status=0 label
  label="script under bash $(bash_version "${script_bash:-bash}") (${script_bash:-$(command -v bash)})"
  heading "bats (test/bats, $label)"
  VALOR_TEST_BASH="$script_bash" node_modules/bats/bin/bats --tap test/bats | tee "$tap" || status=$?
  count_suite "$name" "$status" "$(grep -c '^ok ' "$tap")" "$(grep -c '^not ok ' "$tap")"
}

bash_version() {
  # shellcheck disable=SC2016 # expanded by the bash being asked
  "$1" -c 'echo "${BASH_VERSINFO[0]}.${BASH_VERSINFO[1]}"'
}

# macOS's /bin/bash 3.2: the copy built in ../shared, or /bin/bash on a Mac.
find_bash_32() {
  local candidate
  for candidate in ../shared/bash-3.2/bin/bash /bin/bash; do
    if [ -x "$candidate" ] && [ "$(bash_version "$candidate")" = 3.2 ]; then
      echo "$(cd "$(dirname "$candidate")" && pwd)/bash"
      return 0
    fi
  done
  return 1
}

suite_bats() {
  run_bats bats
}

suite_bats_32() {
  local bash_32
  if bash_32="$(find_bash_32)"; then
    run_bats bats-bash-3.2 "$bash_32"
  else
    heading "bats under bash 3.2"
    echo "NO BASH 3.2 FOUND (neither ../shared/bash-3.2/bin/bash nor /bin/bash is 3.2):"
    echo "the script was tested under $(bash --version | head -n 1) only."
  fi
}

# run_vitest NAME [VITEST ARGS...]: a vitest run, counted from its JSON report.
run_vitest() {
  local name=$1
  shift
  local json="$REPORTS/$name.json" status=0
  "$BIN/vitest" run "$@" --reporter=default --reporter=json --outputFile.json="$json" || status=$?
  if [ -s "$json" ]; then
    count_suite "$name" "$status" \
      "$(node -e 'const r = require(process.argv[1]); console.log(r.numPassedTests)' "$json")" \
      "$(node -e 'const r = require(process.argv[1]); console.log(r.numFailedTests)' "$json")"
  else
    echo "$name wrote no report"
    count 0 1
  fi
}

suite_vitest() {
  heading "vitest (test/ts)"
  run_vitest vitest
}

suite_e2e() {
  heading "end-to-end (test/e2e, the bridge against $TEST_SERVER)"
  if [ ! -f "$TEST_SERVER/client.mjs" ]; then
    echo "NOT RUN: no test server at $TEST_SERVER (next to the checkout)"
    not_run="end-to-end suite not run: no test server"
    return
  fi
  run_vitest e2e --config vitest.e2e.config.ts
}

# The Linux service layer under the real systemd user manager of
# ../shared/systemd-user (it needs root); harness-check says in one line why
# it cannot run here.
suite_systemd() {
  heading "systemd (test/systemd, under the real systemd --user of ../shared/systemd-user)"
  local why
  if ! why=$(node --import tsx test/systemd/harness-check.ts 2>&1); then
    echo "NOT RUN: $why"
    not_run="systemd suite not run: $why"
    return
  fi
  run_vitest systemd --config vitest.systemd.config.ts
}

# "95 s" or "6 min 05 s".
duration() {
  if [ "$1" -lt 60 ]; then
    echo "$1 s"
  else
    printf '%d min %02d s\n' $(($1 / 60)) $(($1 % 60))
  fi
}

# run_suite NAME: suite_NAME with its report in NAME.out; its counts, time and
# not-run note in NAME.result, which appears (renamed into place) only once
# the suite is done.
run_suite() {
  local name=$1 started=$SECONDS
  passed=0
  failed=0
  not_run=""
  "suite_$name" > "$REPORTS/$name.out" 2>&1 < /dev/null
  printf '%s %s %s\n%s\n' "$passed" "$failed" $((SECONDS - started)) "$not_run" > "$REPORTS/$name.partial"
  mv "$REPORTS/$name.partial" "$REPORTS/$name.result"
}

# start_lane SUITE...: the suites one after another, in the background, in a
# process group of their own (set -m) so that an interrupted run can end it
# whole; NAME.lane holds the lane's pid for each of its suites.
lanes=""
start_lane() {
  local suite
  (
    for suite in "$@"; do
      run_suite "$suite"
    done
  ) &
  lanes="$lanes $!"
  for suite in "$@"; do
    echo "$!" > "$REPORTS/$suite.lane"
  done
}

stop_lanes() {
  local lane
  for lane in $lanes; do
    kill -TERM -- "-$lane" 2>/dev/null
  done
  lanes=""
}

total_passed=0
total_failed=0
total_not_run=""
times=""

# report_suite NAME: waits for the suite, prints its report and adds it up.
report_suite() {
  local name=$1 lane result ok not_ok seconds note
  lane=$(cat "$REPORTS/$name.lane")
  result="$REPORTS/$name.result"
  while [ ! -e "$result" ]; do
    if ! kill -0 "$lane" 2>/dev/null && [ ! -e "$result" ]; then
      cat "$REPORTS/$name.out" 2>/dev/null
      echo "$name: its lane ended before the suite did: counted as a failure"
      total_failed=$((total_failed + 1))
      return
    fi
    sleep 0.5
  done
  cat "$REPORTS/$name.out"
  { read -r ok not_ok seconds; IFS= read -r note; } < "$result"
  total_passed=$((total_passed + ok))
  total_failed=$((total_failed + not_ok))
  [ -z "$note" ] || total_not_run="$total_not_run${total_not_run:+; }$note"
  times="$times${times:+, }$name $(duration "$seconds")"
}

load_average() {
  uptime | sed 's/.*load averages*: *//'
}

main() {
  local started=$SECONDS suite
  trap 'stop_lanes; rm -rf "$REPORTS"' EXIT
  trap 'exit 130' INT
  trap 'exit 143' TERM
  set -m
  # Four lanes on two cores: the end-to-end suite, vitest (two files at a
  # time, see vitest.config.ts) and the systemd suite mostly wait (on
  # servers, restarts, systemd's timers and its one-minute retry), while the
  # two bats runs keep a core busy; so each bats run shares a lane with
  # suites that wait, and the lanes end at about the same time.
  start_lane e2e
  start_lane vitest
  start_lane typecheck shellcheck bats
  start_lane systemd bats_32
  set +m
  for suite in $SUITES; do
    report_suite "$suite"
  done
  wait
  lanes=""

  heading "times"
  echo "$times"
  echo "wall time: $(duration $((SECONDS - started))) (load average at the end: $(load_average))"
  echo "$total_passed passed, $total_failed failed${total_not_run:+; $total_not_run}"
  [ "$total_failed" -eq 0 ] && { [ -z "$total_not_run" ] || [ "$require_e2e" -eq 0 ]; }
}

main
