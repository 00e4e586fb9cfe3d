#!/usr/bin/env bats
# Dependency sync: only when a dependency file changed in the pulled range,
# with the right tool, and a failed sync never queues a restart.

load test_helper

setup() {
  setup_repos
}

@test "pyproject.toml changed and uv present: uv sync --all-extras" {
  make_stub uv
  make_stub npm
  upstream_commit pyproject.toml "[project]
name = \"valor2\"" "Rename project"

  run_update

  assert_success
  assert_line "[remote-update] pyproject.toml or uv.lock changed — syncing dependencies..."
  assert_line "[remote-update] Dependencies synced via uv."
  refute_line --partial "No dependency file changes"
  run cat "$STUB_LOG"
  assert_output "uv sync --all-extras"
}

@test "only uv.lock changed: uv still syncs" {
  make_stub uv
  upstream_commit uv.lock "version = 1" "Lock deps"

  run_update

  assert_success
  run cat "$STUB_LOG"
  assert_output "uv sync --all-extras"
}

@test "no uv but a project .venv: falls back to .venv/bin/pip install -e <project>" {
  mkdir -p "$MACHINE/.venv/bin"
  make_stub pip
  mv "$STUB_BIN/pip" "$MACHINE/.venv/bin/pip"
  upstream_commit uv.lock "version = 1" "Lock deps"

  run_update

  assert_success
  assert_line "[remote-update] uv not found, falling back to pip..."
  assert_line "[remote-update] Dependencies synced via pip."
  run cat "$STUB_LOG"
  assert_output "pip install -e $(cd "$MACHINE" && pwd -P)"
}

@test "a pip on PATH but no .venv is not used: WARN and carry on" {
  make_stub pip
  upstream_commit pyproject.toml "[project]" "Touch deps"

  run_update

  assert_success
  assert_line "[remote-update] WARN: Neither uv nor pip found. Dependencies NOT synced."
  assert_line "[remote-update] Update complete. 1 commit(s) pulled, restart queued."
  assert [ -e "$MACHINE/data/restart-requested" ]
  assert_stub_log_empty
}

@test "package-lock.json changed: npm ci, in the plan's style" {
  make_stub uv
  make_stub npm
  upstream_commit package-lock.json "{}" "Lock node deps"

  run_update

  assert_success
  assert_line "[remote-update] package.json or package-lock.json changed — syncing Node dependencies..."
  assert_line "[remote-update] Node dependencies synced via npm."
  run cat "$STUB_LOG"
  assert_output "npm ci"
}

@test "both ecosystems changed: uv then npm, once each" {
  make_stub uv
  make_stub npm
  upstream_commit pyproject.toml "[project]" "Python deps"
  upstream_commit package.json '{"name": "valor", "version": "2"}' "Node deps"

  run_update

  assert_success
  run cat "$STUB_LOG"
  assert_output "uv sync --all-extras
npm ci"
}

@test "npm missing: WARN and carry on" {
  upstream_commit package.json '{"name": "valor", "version": "2"}' "Node deps"

  run_update

  assert_success
  assert_line "[remote-update] WARN: npm not found. Node dependencies NOT synced."
  assert [ -e "$MACHINE/data/restart-requested" ]
}

@test "dependency files in a subfolder or under another name do not trigger a sync" {
  make_stub uv
  make_stub npm
  upstream_commit docs/package.json "{}" "Docs package"
  upstream_commit tools/pyproject.toml "[project]" "Tool project"
  upstream_commit package.json.bak "{}" "Backup"

  run_update

  assert_success
  assert_line "[remote-update] No dependency file changes — skipping dep sync."
  assert_stub_log_empty
}

@test "uv fails: its output prefixed, FAIL line, exit 1, no restart flag" {
  make_stub uv 'echo "error: resolution failed" >&2; exit 2'
  upstream_commit uv.lock "version = 2" "Lock deps"

  run_update

  assert_failure 1
  assert_line "[remote-update] error: resolution failed"
  assert_line "[remote-update] FAIL: uv sync failed. Dependencies NOT synced and restart NOT queued; the next run retries."
  refute_line --partial "Update complete"
  assert_every_line_prefixed
  assert_no_restart_flag
  assert [ ! -e "$MACHINE/data/update.lock" ]
}

@test "pip fails: FAIL line, exit 1, no restart flag" {
  mkdir -p "$MACHINE/.venv/bin"
  make_stub pip "exit 1"
  mv "$STUB_BIN/pip" "$MACHINE/.venv/bin/pip"
  upstream_commit pyproject.toml "[project]" "Touch deps"

  run_update

  assert_failure 1
  assert_line "[remote-update] FAIL: pip install failed. Dependencies NOT synced and restart NOT queued; the next run retries."
  assert_no_restart_flag
}

@test "npm ci fails: FAIL line, exit 1, no restart flag" {
  make_stub npm 'echo "npm ERR! lockfile out of sync"; exit 1'
  upstream_commit package-lock.json "{}" "Lock node deps"

  run_update

  assert_failure 1
  assert_line "[remote-update] npm ERR! lockfile out of sync"
  assert_line "[remote-update] FAIL: npm ci failed. Dependencies NOT synced and restart NOT queued; the next run retries."
  assert_no_restart_flag
}
