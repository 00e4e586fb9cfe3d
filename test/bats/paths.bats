#!/usr/bin/env bats
# The script's block of paths (scripts/lib/paths.sh) mirrors TypeScript's
# owner of every path under the project (src/config/paths.ts): each path both
# name is the same file, and every path either side names is accounted for
# here, so that one added on either side needs a decision.

load test_helper

# "<projectPaths key> <paths.sh variable>", one a line: each path both name.
BOTH_NAME="root PROJECT_DIR
envFile ENV_FILE
dataDir DATA_DIR
restartFlag RESTART_FLAG
lastUpdate LAST_UPDATE
lastUpdateLock LAST_UPDATE_LOCK
hold HOLD_FILE"

# The projectPaths keys paths.sh does not name, deliberately: the bridge's and
# the service manager's files, which the scripts sourcing it neither read nor
# write (each finds its folder from its own path, and remote-update.sh names
# package.json only as a file the pulled commits may change).
TYPESCRIPT_ONLY="packageJson logsDir bridgeLog updateLog updateScript serviceScript jobsDir
restartNotice updateNotices chatMarks peers consoleInbox bridgeBeacon bridgeAlert"

ROOT_WITH_SPACE_AND_ACCENT="Valor Bot/José"

# "<key> <path>" for each path projectPaths(ROOT) gives.
typescript_paths() {
  # shellcheck disable=SC2016 # TypeScript, not shell
  (cd "$REPO_ROOT" && node --import tsx -e '
    import { projectPaths } from "./src/config/paths.ts";
    for (const [key, value] of Object.entries(projectPaths(process.argv[1]))) console.log(`${key} ${value}`);
  ' "$1")
}

# "<variable> <path>" for each variable project_paths ROOT sets.
script_paths() {
  # shellcheck disable=SC2016 # expanded by the bash it runs in
  "$SCRIPT_BASH" -c '
    set -eu
    . "$0"
    before="" name=""
    before=" $(compgen -v | tr "\n" " ") "
    project_paths "$1"
    for name in $(compgen -v); do
      case "$before" in
        *" $name "*) ;;
        *) echo "$name ${!name}" ;;
      esac
    done
  ' "$REPO_ROOT/scripts/lib/paths.sh" "$1"
}

# value_of NAME LINES: the path after "NAME " in LINES.
value_of() {
  sed -n "s/^$1 //p" <<< "$2"
}

setup() {
  local root="$BATS_TEST_TMPDIR/$ROOT_WITH_SPACE_AND_ACCENT"
  TS="$(typescript_paths "$root")"
  SH="$(script_paths "$root")"
  [ -n "$TS" ] || fail "projectPaths gave nothing"
  [ -n "$SH" ] || fail "project_paths set nothing"
}

@test "each path both name is the same file, lastUpdateLock included" {
  local key variable wrong=""
  while read -r key variable; do
    [ "$(value_of "$variable" "$SH")" = "$(value_of "$key" "$TS")" ] ||
      wrong="$wrong
$key: '$(value_of "$key" "$TS")', $variable: '$(value_of "$variable" "$SH")'"
  done <<< "$BOTH_NAME"
  [ -z "$wrong" ] || fail "not the same file:$wrong"
}

@test "every path either side names is accounted for: both name it, only TypeScript does, or only paths.sh does" {
  local key variable path problems=""
  while read -r key variable; do
    [ -n "$(value_of "$key" "$TS")" ] || problems="$problems
projectPaths has no $key"
    [ -n "$(value_of "$variable" "$SH")" ] || problems="$problems
paths.sh sets no $variable"
  done <<< "$BOTH_NAME"
  for key in $TYPESCRIPT_ONLY; do
    [ -n "$(value_of "$key" "$TS")" ] || problems="$problems
projectPaths has no $key, listed as TypeScript's only"
  done
  while read -r key path; do
    case " $(cut -d ' ' -f 1 <<< "$BOTH_NAME" | tr '\n' ' ') $TYPESCRIPT_ONLY " in
      *[[:space:]]"$key"[[:space:]]*) ;;
      *) problems="$problems
projectPaths' $key ($path) is not listed: pair it with paths.sh's variable, or list it as TypeScript's only" ;;
    esac
  done <<< "$TS"
  # A path of paths.sh's own is one TypeScript does not have under any name.
  while read -r variable path; do
    case $'\n'"$BOTH_NAME"$'\n' in
      *" $variable"$'\n'*) continue ;;
    esac
    while read -r key _; do
      [ "$(value_of "$key" "$TS")" != "$path" ] || problems="$problems
paths.sh's $variable is projectPaths' $key ($path): pair them"
    done <<< "$TS"
  done <<< "$SH"
  [ -z "$problems" ] || fail "paths not accounted for:$problems"
}
