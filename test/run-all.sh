#!/bin/bash
#
# Runs every suite: typecheck, shellcheck, bats (twice: the update script
# under this machine's bash, then under macOS's bash 3.2 when one is found),
# vitest, and the end-to-end suite (the real bridge against the local
# Telegram server in ../shared/telegram-server). Prints each suite's own
# report, then one closing line "N passed, N failed" over all of them; when
# there is no test server, the end-to-end suite is not run and the line says
# so: "N passed, N failed; end-to-end suite not run: no test server".
# Exits non-zero if anything failed, and, with --require-e2e (CI), also when
# the end-to-end suite could not run. Installs shellcheck with apt-get when it
# is missing and this is a root shell on Debian; elsewhere says how to get it.

set -uo pipefail

cd "$(dirname "${BASH_SOURCE[0]}")/.." || exit 1
readonly BIN=node_modules/.bin
REPORTS="$(mktemp -d)"
readonly REPORTS
trap 'rm -rf "$REPORTS"' EXIT

readonly TEST_SERVER=../shared/telegram-server
require_e2e=0
case "${1:-}" in
  --require-e2e) require_e2e=1 ;;
  "") ;;
  *) echo "usage: test/run-all.sh [--require-e2e]" >&2; exit 2 ;;
esac

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

run_typecheck() {
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

run_shellcheck() {
  heading "shellcheck"
  local file
  local files=(scripts/*.sh test/bats/*.bash test/bats/*.bats test/run-all.sh .ci/run)
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

run_bats_under_bash_32() {
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

run_unit_tests() {
  heading "vitest (test/ts)"
  run_vitest vitest
}

run_end_to_end() {
  heading "end-to-end (test/e2e, the bridge against $TEST_SERVER)"
  if [ ! -f "$TEST_SERVER/client.mjs" ]; then
    echo "NOT RUN: no test server at $TEST_SERVER (next to the checkout)"
    not_run="end-to-end suite not run: no test server"
    return
  fi
  run_vitest e2e --config vitest.e2e.config.ts
}

run_typecheck
run_shellcheck
run_bats bats
run_bats_under_bash_32
run_unit_tests
run_end_to_end

echo
echo "$passed passed, $failed failed${not_run:+; $not_run}"
[ "$failed" -eq 0 ] && { [ -z "$not_run" ] || [ "$require_e2e" -eq 0 ]; }
