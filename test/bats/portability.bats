#!/usr/bin/env bats
#
# The scripts run under macOS's /bin/bash 3.2 with BSD tools. test/run-all.sh
# runs the script's suites under a real bash 3.2 when there is one; this
# suite is the fast lint that needs none: every construct that needs bash 4+
# or GNU userland is a pattern below, and the patterns themselves are checked
# against a file that uses each construct. It reads the tests too, since on
# a Mac bats runs them with /bin/bash.

REPO_ROOT="$(cd "$BATS_TEST_DIRNAME/../.." && pwd)"
load "$REPO_ROOT/node_modules/bats-support/load"
load "$REPO_ROOT/node_modules/bats-assert/load"

# "<why> => <extended regular expression>", one construct per line.
# shellcheck disable=SC2016 # regular expressions: nothing here is meant to expand
NOT_IN_BASH_32_OR_BSD='mapfile/readarray (bash 4) => (^|[^[:alnum:]_-])(mapfile|readarray)([^[:alnum:]_-]|$)
associative arrays, namerefs, case attributes, declare -g (bash 4) => (declare|local|typeset) +-[[:alpha:]]*[Anlug]
case conversion ${x,,} ${x^^} (bash 4) => \$\{[[:alnum:]_]+(\[[^]]*\])?(,|\^)
|& (bash 4) => \|&
&>> (bash 4) => &>>
[[ -v ]] (bash 4.2) => \[\[ +-v 
negative array index (bash 4.3) => \[-[0-9]+\]\}
negative substring length (bash 4.2) => \$\{[^}]*:[^}]*:-[0-9]
${x@Q} transformations (bash 4.4) => \$\{[^}]*@[QEPAKa]\}
EPOCHSECONDS/EPOCHREALTIME/BASHPID (bash 4-5) => EPOCHSECONDS|EPOCHREALTIME|BASHPID
printf %(...)T (bash 4.2) => printf +.?%\(
wait -n (bash 4.3) => wait +-n
coproc (bash 4) => (^|[;&|( ])coproc 
globstar/lastpipe (bash 4) => shopt +-s +(globstar|lastpipe)
;& and ;;& in case (bash 4) => ;;&|[^;];&( |$)
sed -i without a suffix (BSD sed) => sed( +-[[:alpha:]]+)* +-[[:alpha:]]*i( |$)
readlink -f (BSD) => readlink +-[[:alpha:]]*f
stat -c (BSD) => stat +-c
date -d (BSD) => date +(-d|--date)
timeout (not on macOS) => (^|[;&|( ])timeout 
flock (not on macOS) => (^|[;&|( ])flock 
grep -P (BSD grep) => grep( +-[[:alpha:]]+)* +-[[:alpha:]]*P
bats-assert negative line index (bash 4.3) => assert_line +(-n|--index) +-[0-9]'

# Prints "file:line: <why>: <code>" for each construct found outside comments.
bash32_violations() {
  local file=$1 rule why pattern
  while IFS= read -r rule; do
    why=${rule%% => *}
    pattern=${rule#* => }
    grep -nE -- "$pattern" "$file" | grep -vE '^[0-9]+:[[:space:]]*#' | while IFS= read -r hit; do
      echo "$file:${hit%%:*}: $why: ${hit#*:}"
    done
  done <<< "$NOT_IN_BASH_32_OR_BSD"
}

@test "every script runs under bash 3.2 with BSD tools: no bash 4+ or GNU-only construct" {
  local file found=""
  # portability.bats is left out: it holds every construct, as data.
  for file in "$REPO_ROOT"/scripts/*.sh "$REPO_ROOT"/scripts/lib/*.sh "$REPO_ROOT"/test/run-all.sh "$REPO_ROOT"/.ci/run \
    "$REPO_ROOT"/test/bats/*.bash "$REPO_ROOT"/test/bats/[!p]*.bats; do
    found+="$(bash32_violations "$file")"
  done
  assert_equal "$found" ""
}

@test "the portability check finds each construct it looks for" {
  local sample="$BATS_TEST_TMPDIR/sample.sh"
  cat > "$sample" <<'EOF'
mapfile -t lines < file
declare -A seen
local -n ref=target
echo "${name,,}"
echo "${name^^}"
make |& tee log
echo hi &>> log
[[ -v name ]]
echo "${list[-1]}"
echo "${name:0:-1}"
echo "${name@Q}"
echo "$EPOCHSECONDS"
printf '%(%s)T' -1
wait -n
coproc cat
shopt -s globstar
case $x in a) echo ;& esac
sed -i 's/a/b/' file
readlink -f path
stat -c %Y path
date -d yesterday
timeout 5 git pull
flock lockfile true
grep -P '\d' file
assert_line -n -1 "last"
# mapfile in a comment is fine
EOF
  run bash32_violations "$sample"
  local expected
  expected=$(grep -c '' <<< "$NOT_IN_BASH_32_OR_BSD")
  # Every construct line of the sample is caught, and every rule catches something.
  assert_equal "$(printf '%s\n' "$output" | cut -d: -f2 | sort -un | grep -c '')" "25"
  assert_equal "$(printf '%s\n' "$output" | cut -d: -f3 | sort -u | grep -c '')" "$expected"
  refute_output --partial "sample.sh:26:"
}
