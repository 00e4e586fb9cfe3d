#!/bin/bash
#
# Runs every suite: typecheck, shellcheck, bats, vitest. Prints each suite's
# own report, then one closing line "N passed, N failed" over all of them.
# Exits non-zero if anything failed. Installs shellcheck with apt-get when it
# is missing and this is a root shell on Debian; elsewhere says how to get it.

set -uo pipefail

cd "$(dirname "${BASH_SOURCE[0]}")/.." || exit 1
readonly BIN=node_modules/.bin
REPORTS="$(mktemp -d)"
readonly REPORTS
trap 'rm -rf "$REPORTS"' EXIT

passed=0
failed=0

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

run_bats() {
  heading "bats (test/bats)"
  local tap="$REPORTS/bats.tap"
  node_modules/bats/bin/bats --tap test/bats | tee "$tap"
  count "$(grep -c '^ok ' "$tap")" "$(grep -c '^not ok ' "$tap")"
}

run_vitest() {
  heading "vitest (test/ts)"
  local json="$REPORTS/vitest.json"
  "$BIN/vitest" run --reporter=default --reporter=json --outputFile.json="$json"
  if [ -s "$json" ]; then
    count "$(node -e 'const r = require(process.argv[1]); console.log(r.numPassedTests)' "$json")" \
      "$(node -e 'const r = require(process.argv[1]); console.log(r.numFailedTests)' "$json")"
  else
    echo "vitest wrote no report"
    count 0 1
  fi
}

run_typecheck
run_shellcheck
run_bats
run_vitest

echo
echo "$passed passed, $failed failed"
[ "$failed" -eq 0 ]
