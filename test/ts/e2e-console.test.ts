import { spawn } from 'node:child_process';
import fs from 'fs-extra';
import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { createProjectClone, type ProjectClone } from './fixtures/project-clone.js';

/** The real bridge process in --console mode, in a machine clone with an origin. */
interface RunningBridge {
  write(line: string): void;
  endInput(): void;
  stdout(): string;
  stderr(): string;
  exited: Promise<number | null>;
  kill(signal: NodeJS.Signals): void;
}

function startBridge(cwd: string, env: Record<string, string> = {}): RunningBridge {
  const child = spawn(process.execPath, ['--import', 'tsx', 'src/main.ts', '--console'], {
    cwd,
    env: { PATH: process.env.PATH ?? '', HOME: process.env.HOME ?? '', ...env },
    stdio: ['pipe', 'pipe', 'pipe'],
  });
  let stdout = '';
  let stderr = '';
  child.stdout.on('data', (chunk: Buffer) => (stdout += chunk.toString()));
  child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
  return {
    write: (line) => child.stdin.write(`${line}\n`),
    endInput: () => child.stdin.end(),
    stdout: () => stdout,
    stderr: () => stderr,
    exited: new Promise((resolve) => child.on('exit', (code) => resolve(code))),
    kill: (signal) => child.kill(signal),
  };
}

async function until(condition: () => boolean, what: () => string, ms = 20_000): Promise<void> {
  const deadline = Date.now() + ms;
  while (!condition()) {
    if (Date.now() > deadline) throw new Error(`timed out; saw:\n${what()}`);
    await new Promise((r) => setTimeout(r, 50));
  }
}

let clone: ProjectClone | undefined;
afterEach(() => clone?.cleanup());

describe('the real bridge in console mode', () => {
  it('/update after a push replies with the pulled commit and exits; started again it says "Restarted on"', async () => {
    clone = createProjectClone();
    const sha = clone.push('notes.txt', 'new', 'Add release notes');

    const first = startBridge(clone.machine, { VALOR_MACHINE_NAME: 'studio' });
    await until(() => first.stderr().includes('ready:'), first.stderr);
    first.write('/update');
    const code = await first.exited;

    expect(code).toBe(143);
    expect(first.stdout()).toContain('studio:\n[remote-update]');
    expect(first.stdout()).toContain(`[remote-update]   ${sha} Add release notes`);
    expect(first.stdout()).toContain(`[remote-update] HEAD: ${sha} — Add release notes`);
    expect(fs.existsSync(path.join(clone.machine, 'data', 'restart-requested'))).toBe(false);

    const second = startBridge(clone.machine, { VALOR_MACHINE_NAME: 'studio' });
    await until(() => second.stdout().includes('Restarted on'), () => second.stdout() + second.stderr());
    expect(second.stdout()).toBe(`studio: Restarted on ${sha} — Add release notes\n`);
    second.endInput();
    expect(await second.exited).toBe(0);
  });

  it('/update when up to date replies and keeps running; SIGTERM then exits non-zero', async () => {
    clone = createProjectClone();
    const bridge = startBridge(clone.machine, { VALOR_MACHINE_NAME: 'studio' });
    await until(() => bridge.stderr().includes('ready:'), bridge.stderr);
    bridge.write('/update');
    await until(() => bridge.stdout().includes('Already up to date. ('), bridge.stdout);
    await new Promise((r) => setTimeout(r, 600));
    bridge.kill('SIGTERM');
    expect(await bridge.exited).toBe(143);
  });

  it('messages go to VALOR_AGENT_CMD on stdin and its output is the reply', async () => {
    clone = createProjectClone();
    const bridge = startBridge(clone.machine, { VALOR_AGENT_CMD: 'tr a-z A-Z' });
    bridge.write('hello $(whoami)');
    bridge.endInput();
    expect(await bridge.exited).toBe(0);
    expect(bridge.stdout()).toBe('HELLO $(WHOAMI)\n');
  });

  it('a missing setting stops start-up with one line naming it', async () => {
    clone = createProjectClone();
    const child = spawn(process.execPath, ['--import', 'tsx', 'src/main.ts'], {
      cwd: clone.machine,
      env: { PATH: process.env.PATH ?? '', TELEGRAM_API_ID: '1', TELEGRAM_API_HASH: '0123456789abcdef0123456789abcdef' },
    });
    let stderr = '';
    child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
    const code = await new Promise((resolve) => child.on('exit', resolve));
    expect(code).toBe(2);
    expect(stderr.trim().split('\n')).toHaveLength(1);
    expect(stderr).toContain('TELEGRAM_SESSION is not set: run `npm run login`');
  });
});
