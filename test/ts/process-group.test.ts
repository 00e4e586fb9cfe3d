import { spawnSync } from 'node:child_process';
import fs from 'fs-extra';
import os from 'node:os';
import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { ProcessGroups } from '../../src/process/process-group.js';
import { shellAgentRunner } from '../../src/agent/agent-runner.js';
import { updateScriptRunner, UPDATE_SCRIPT_SHELL } from '../../src/update/run-update-script.js';
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

  it('writes to a command kept open for input when asked, and ends it on end()', async () => {
    const run = new ProcessGroups().run('/bin/sh', ['-c', 'read line; echo "got $line"; sleep 30'], { cwd: tempDir(), keepInputOpen: true });
    run.write('go\n');
    setTimeout(() => run.end(), 300);
    const result = await run.result;
    expect(result.stdout).toBe('got go\n');
    expect(result.signal).toBe('SIGTERM');
  });
});

describe('a command that cannot be started is a result, never an exception', () => {
  it.each([
    ['not found on PATH', 'no-such-command-here', { PATH: '/nowhere:/also/nowhere' }, 'no-such-command-here not found on PATH (/nowhere:/also/nowhere)'],
    ['not found at its path', '/no/such/file', undefined, '/no/such/file not found'],
  ])('%s', async (_, command, env, reason) => {
    const run = new ProcessGroups().run(command, [], { cwd: tempDir(), env, input: 'text' });
    run.write('ignored');
    run.end();
    expect(await run.result).toEqual({ stdout: '', stderr: '', interleaved: '', exitCode: null, signal: null, timedOut: false, notStarted: reason });
  });

  it('not executable (EACCES)', async () => {
    const dir = tempDir();
    fs.writeFileSync(path.join(dir, 'tool'), '#!/bin/sh\necho hi\n', { mode: 0o644 });
    const result = await new ProcessGroups().run(path.join(dir, 'tool'), [], { cwd: dir }).result;
    expect(result.notStarted).toBe(`${path.join(dir, 'tool')} is not executable (EACCES)`);
  });

  it('its folder is gone: said as such, not as the command missing', async () => {
    const gone = path.join(tempDir(), 'moved-away');
    const result = await new ProcessGroups().run('/bin/sh', ['-c', 'echo hi'], { cwd: gone }).result;
    expect(result.notStarted).toBe(`the folder ${gone} does not exist`);
  });

  it('the update script: the reply says it could not run', async () => {
    const gone = path.join(tempDir(), 'moved-away');
    const result = await updateScriptRunner(new ProcessGroups(), gone, path.join(gone, 'scripts/remote-update.sh'))('update');
    expect(result).toMatchObject({ exitCode: null, timedOut: false, output: `could not run the update script: the folder ${gone} does not exist\n` });
    expect(updateReply('studio', result, [])).toBe(`studio:\ncould not run the update script: the folder ${gone} does not exist`);
  });

  it('the agent: a failed job whose status says it could not start', async () => {
    const gone = path.join(tempDir(), 'moved-away');
    const outcome = await shellAgentRunner(new ProcessGroups(), 'echo hi', gone)({ id: 'j1', state: 'running', chatId: '-1', messageId: 1, projectKey: 'p', text: 'hello' });
    expect(outcome).toEqual({ reply: '', ok: false, status: `could not start: the folder ${gone} does not exist`, stderr: '' });
  });
});

describe('one bash for the update script', () => {
  it('/update runs it with /bin/bash, as launchd\'s job does, whatever bash comes first on PATH', async () => {
    const dir = tempDir();
    fs.outputFileSync(path.join(dir, 'bin/bash'), '#!/bin/sh\necho "the bash on PATH ran"\nexit 1\n', { mode: 0o755 });
    const script = path.join(dir, 'which-bash.sh');
    fs.writeFileSync(script, 'echo "$BASH"\n');
    const savedPath = process.env.PATH;
    process.env.PATH = `${path.join(dir, 'bin')}:${savedPath ?? ''}`;
    try {
      expect((await updateScriptRunner(new ProcessGroups(), dir, script)('update')).output).toBe('/bin/bash\n');
    } finally {
      process.env.PATH = savedPath;
    }
    expect(UPDATE_SCRIPT_SHELL).toBe('/bin/bash');
    const plist = fs.readFileSync(path.join(process.cwd(), 'launchd/com.valor.update.plist'), 'utf8');
    expect(plist).toMatch(new RegExp(`<key>ProgramArguments</key>\\s*<array>\\s*<string>${UPDATE_SCRIPT_SHELL}</string>`));
  });
});
