#!/usr/bin/env bats
# The script's block of paths (scripts/lib/paths.sh) mirrors TypeScript's
# owner of every path under the project (src/config/paths.ts): for each path
# both know, the same file.

load test_helper

# "<projectPaths key> <paths.sh variable>", one a line, for each path both know.
BOTH_KNOW="root PROJECT_DIR
dataDir DATA_DIR
restartFlag RESTART_FLAG
lastUpdate LAST_UPDATE
lastUpdateLock LAST_UPDATE_LOCK
hold HOLD_FILE"

# "<key> <path>" for each path projectPaths(ROOT) gives.
typescript_paths() {
  # shellcheck disable=SC2016 # TypeScript, not shell
  (cd "$REPO_ROOT" && node --import tsx -e '
    import { projectPaths } from "./src/config/paths.ts";
    for (const [key, value] of Object.entries(projectPaths(process.argv[1]))) console.log(`${key} ${value}`);
  ' "$1")
}

# "<variable> <path>" for each variable NAME... as project_paths ROOT sets it.
script_paths() {
  # shellcheck disable=SC2016 # expanded by the bash it runs in
  "$SCRIPT_BASH" -c '
    set -eu
    . "$0"
    project_paths "$1"
    shift
    for name in "$@"; do
      echo "$name ${!name}"
    done
  ' "$REPO_ROOT/scripts/lib/paths.sh" "$@"
}

@test "the script's paths are TypeScript's, for each path both know" {
  local root="$BATS_TEST_TMPDIR/Valor Bot/José" key variable ts missing=""
  ts="$(typescript_paths "$root")"
  while read -r key variable; do
    case $'\n'"$ts" in
      *$'\n'"$key "*) ;;
      *)
        missing="$missing $key"
        continue
        ;;
    esac
    assert_equal "$(script_paths "$root" "$variable")" "$variable $(sed -n "s/^$key //p" <<< "$ts")"
  done <<< "$BOTH_KNOW"
  if [ -n "$missing" ]; then
    skip "src/config/paths.ts does not have:$missing (the rest agree)"
  fi
}
