import { spawnSync } from 'node:child_process';
import fs from 'fs-extra';
import os from 'node:os';
import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { ProcessGroups } from '../../src/process/process-group.js';
import { updateScriptRunner } from '../../src/update/run-update-script.js';
import { updateReply } from '../../src/update/reply-text.js';

const dirs: string[] = [];
afterEach(() => dirs.splice(0).forEach((dir) => fs.removeSync(dir)));

function tempDir(): string {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'valor-group-'));
  dirs.push(dir);
  return dir;
}

/** A killed process whose new parent has not reaped it yet is a zombie: dead for our purposes. */
function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
  } catch {
    return false;
  }
  const state = spawnSync('ps', ['-o', 'stat=', '-p', String(pid)], { encoding: 'utf8' }).stdout.trim();
  return state !== '' && !state.startsWith('Z');
}

async function waitFor(condition: () => boolean, ms = 5000): Promise<void> {
  const deadline = Date.now() + ms;
  while (!condition()) {
    if (Date.now() > deadline) throw new Error('timed out waiting');
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
}

/** A script standing in for a hung update: a grandchild (like git) that outlives it unless the group dies. */
function hangingScript(dir: string): string {
  const script = path.join(dir, 'hang.sh');
  fs.writeFileSync(script, `#!/bin/bash\necho "[remote-update] starting"\nsleep 300 &\necho $! > "${dir}/grandchild.pid"\nwait\n`);
  return script;
}

describe('process groups', () => {
  it('a timed-out update kills its whole group, grandchild included, and the reply says so', async () => {
    const dir = tempDir();
    const run = updateScriptRunner(new ProcessGroups(), dir, hangingScript(dir), 1);

    const result = await run('update');

    expect(result.timedOut).toBe(true);
    const grandchild = Number(fs.readFileSync(path.join(dir, 'grandchild.pid'), 'utf8'));
    await waitFor(() => !alive(grandchild));
    expect(updateReply('studio', result, [])).toBe('studio:\nUpdate timed out after 1s');
  });

  it('the runner tells the script it was started from Telegram, and passes --check for a check', async () => {
    const dir = tempDir();
    const script = path.join(dir, 'echo.sh');
    fs.writeFileSync(script, 'echo "trigger=$VALOR_UPDATE_TRIGGER args=$*"\n');
    const run = updateScriptRunner(new ProcessGroups(), dir, script);

    expect((await run('update')).output).toBe('trigger=telegram args=\n');
    expect((await run('check')).output).toBe('trigger=telegram args=--check\n');
  });

  it('endAll ends every running group', async () => {
    const dir = tempDir();
    const groups = new ProcessGroups();
    const run = groups.run('bash', [hangingScript(dir)], { cwd: dir });
    await waitFor(() => fs.existsSync(path.join(dir, 'grandchild.pid')) && fs.readFileSync(path.join(dir, 'grandchild.pid'), 'utf8').trim() !== '');
    const grandchild = Number(fs.readFileSync(path.join(dir, 'grandchild.pid'), 'utf8'));

    groups.endAll();
    const result = await run.result;

    expect(result.signal).toBe('SIGTERM');
    await waitFor(() => !alive(grandchild));
  });

  it('passes input on stdin; keeps stdout, stderr, and both as they came', async () => {
    const groups = new ProcessGroups();
    const run = groups.run('/bin/sh', ['-c', 'tr a-z A-Z; echo oops >&2'], {
      cwd: tempDir(),
      input: 'hello $(rm -rf /) `id`',
    });
    const result = await run.result;
    expect(result.stdout).toBe('HELLO $(RM -RF /) `ID`');
    expect(result.interleaved).toBe('HELLO $(RM -RF /) `ID`oops\n');
    expect(result.stderr).toBe('oops\n');
    expect(result.exitCode).toBe(0);
  });
});
