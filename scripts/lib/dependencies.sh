# shellcheck shell=bash
#
# Dependencies: synced only when their files are among the pulled changes.
#
# Sourced by scripts/remote-update.sh: functions only.

changed_any() {
  local file
  for file in "$@"; do
    case $'\n'"$CHANGED_FILES" in
      *$'\n'"$file"$'\n'*) return 0 ;;
    esac
  done
  return 1
}

run_sync_step() {
  local name=$1
  shift
  if run_guarded 0 "$WORK_DIR/sync.out" "$@"; then
    prefix_lines < "$WORK_DIR/sync.out"
    return 0
  fi
  prefix_lines < "$WORK_DIR/sync.out"
  fail "$name failed. Dependencies NOT synced and restart NOT queued; the next run retries."
}

python_sync_command() {
  if command -v uv >/dev/null 2>&1; then
    echo "uv sync --all-extras"
  elif [ -x "$PROJECT_DIR/.venv/bin/pip" ]; then
    echo ".venv/bin/pip install -e ."
  fi
}

sync_python() {
  say "pyproject.toml or uv.lock changed — syncing dependencies..."
  case "$(python_sync_command)" in
    uv*)
      run_sync_step "uv sync" uv sync --all-extras
      say "Dependencies synced via uv."
      ;;
    *pip*)
      say "uv not found, falling back to pip..."
      run_sync_step "pip install" "$PROJECT_DIR/.venv/bin/pip" install -e "$PROJECT_DIR"
      say "Dependencies synced via pip."
      ;;
    *) say "WARN: Neither uv nor pip found. Dependencies NOT synced." ;;
  esac
}

sync_node() {
  say "package.json or package-lock.json changed — syncing Node dependencies..."
  if command -v npm >/dev/null 2>&1; then
    run_sync_step "npm ci" npm ci
    say "Node dependencies synced via npm."
  else
    say "WARN: npm not found. Node dependencies NOT synced."
  fi
}

python_changed() {
  changed_any pyproject.toml uv.lock
}

node_changed() {
  changed_any package.json package-lock.json
}

sync_dependencies() {
  local synced=false
  if python_changed; then
    sync_python
    synced=true
  fi
  if node_changed; then
    sync_node
    synced=true
  fi
  if [ "$synced" = false ]; then
    say "No dependency file changes — skipping dep sync."
  fi
}
