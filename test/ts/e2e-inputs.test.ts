import fs from 'fs-extra';
import { spawn } from 'node:child_process';
import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { USAGE } from '../../src/cli-args.js';
import { startBridge } from './fixtures/bridge-process.js';
import { createProjectClone, type ProjectClone } from './fixtures/project-clone.js';
import { wellFormedSession } from './fixtures/session.js';

/**
 * Bad input and failures, met the way a user meets them: the real bridge or
 * login process, its exit code and the exact lines it prints.
 */

let clone: ProjectClone | undefined;
afterEach(() => clone?.cleanup());

const API = { TELEGRAM_API_ID: '12345', TELEGRAM_API_HASH: '0123456789abcdef0123456789abcdef' };
const SESSION = await wellFormedSession();
const COMPLETE = { ...API, TELEGRAM_SESSION: SESSION, VALOR_PROJECTS: 'valor=-1001234567890' };

async function oneLineFailure(env: Record<string, string>, args: string[]): Promise<string> {
  clone = createProjectClone();
  const bridge = startBridge(clone.machine, env, args);
  expect(await bridge.exited).toBe(2);
  expect(bridge.stdout()).toBe('');
  const lines = bridge.stderr().trim().split('\n');
  expect(lines).toHaveLength(1);
  return lines[0]!.replace(/^\[bridge\] \S+ /, '');
}

describe('the bridge refuses bad input with one line and exit 2, never connecting', () => {
  it('a malformed TELEGRAM_SESSION', async () => {
    expect(await oneLineFailure({ ...COMPLETE, TELEGRAM_SESSION: 'abc' }, [])).toBe(
      'TELEGRAM_SESSION is not a session string (it does not decode): run `npm run login` and save the TELEGRAM_SESSION=… line it prints in .env',
    );
  });

  it('the same chat under two keys, naming both entries', async () => {
    expect(await oneLineFailure({ ...COMPLETE, VALOR_PROJECTS: 'valor=-100123,docs=-100123' }, [])).toBe(
      'VALOR_PROJECTS lists chat -100123 twice (valor=-100123 and docs=-100123): a chat belongs to one project, remove one entry',
    );
  });

  it('the logs are capped before the settings are read: a bad .env retried by launchd cannot grow them', async () => {
    clone = createProjectClone();
    const log = path.join(clone.machine, 'logs', 'bridge.log');
    fs.outputFileSync(log, 'x'.repeat(6 * 1024 * 1024));
    const bridge = startBridge(clone.machine, { ...COMPLETE, TELEGRAM_SESSION: 'abc' }, []);
    expect(await bridge.exited).toBe(2);
    expect(fs.statSync(`${log}.1`).size).toBe(6 * 1024 * 1024);
    expect(fs.statSync(log).size).toBe(0);
  });

  it('a mistyped flag, even with complete settings', async () => {
    expect(await oneLineFailure(COMPLETE, ['--consol'])).toBe("Unknown option '--consol'. Run with --help for usage.");
  });
});

describe('--help and --version', () => {
  it('--help prints the usage and exits 0 without connecting, complete settings or not', async () => {
    clone = createProjectClone();
    const bridge = startBridge(clone.machine, COMPLETE, ['--help']);
    expect(await bridge.exited).toBe(0);
    expect(bridge.stdout()).toBe(`${USAGE}\n`);
    expect(bridge.stderr()).toBe('');
    expect(USAGE).toContain('--console');
    expect(USAGE).toContain('.env');
    expect(USAGE).toContain('143');
  });

  it('--version prints the package name and version', async () => {
    clone = createProjectClone();
    const bridge = startBridge(clone.machine, {}, ['--version']);
    expect(await bridge.exited).toBe(0);
    const manifest = fs.readJsonSync(path.join(clone.machine, 'package.json')) as { name: string; version: string };
    expect(bridge.stdout()).toBe(`${manifest.name} ${manifest.version}\n`);
  });
});

describe('npm run login', () => {
  function login(env: Record<string, string>, input: string | null): Promise<{ code: number | null; stdout: string; stderr: string }> {
    clone = createProjectClone();
    const child = spawn(process.execPath, ['--import', 'tsx', 'src/login.ts'], {
      cwd: clone.machine,
      env: { PATH: process.env.PATH ?? '', HOME: process.env.HOME ?? '', ...env },
      stdio: ['pipe', 'pipe', 'pipe'],
    });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (chunk: Buffer) => (stdout += chunk.toString()));
    child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
    if (input !== null) child.stdin.write(input);
    child.stdin.end();
    return new Promise((resolve) => child.on('exit', (code) => resolve({ code, stdout, stderr })));
  }

  it('standard input closed: the prompt shows, then one line and exit 1, before any connection', async () => {
    const result = await login(API, null);
    expect(result.code).toBe(1);
    expect(result.stdout).toBe('Phone number, international format (e.g. +441234567890): ');
    expect(result.stderr).toBe('Standard input closed before the login finished: run npm run login in a terminal and answer its questions.\n');
  });

  it('TELEGRAM_API_ID that is not a number is named as such, exit 2', async () => {
    const result = await login({ ...API, TELEGRAM_API_ID: 'abc' }, null);
    expect(result.code).toBe(2);
    expect(result.stderr).toBe('TELEGRAM_API_ID must be a number, got "abc": copy it from https://my.telegram.org\n');
  });

  it('a phone number that is not one is refused before connecting, exit 2', async () => {
    const result = await login(API, 'my phone\n');
    expect(result.code).toBe(2);
    expect(result.stderr).toBe('"my phone" is not a phone number: write it with the country code, e.g. +441234567890\n');
  });
});

describe('failures reach the chat (console mode)', () => {
  it('an agent that is not found: the chat hears it failed, with its exit status and last error line', async () => {
    clone = createProjectClone();
    const bridge = startBridge(clone.machine, { VALOR_MACHINE_NAME: 'studio', VALOR_AGENT_CMD: 'no-such-agent-here' });
    bridge.write('hello');
    bridge.endInput();
    expect(await bridge.exited).toBe(0);
    expect(bridge.stdout()).toMatch(/^studio: the agent failed \(exit 127\): .*no-such-agent-here.*not found\n$/);
  });

  it('an agent that exits non-zero: its last error line, credentials redacted', async () => {
    clone = createProjectClone();
    const bridge = startBridge(clone.machine, {
      VALOR_MACHINE_NAME: 'studio',
      VALOR_AGENT_CMD: 'echo "starting" >&2; echo "cannot reach https://bot:s3cret@api.example.com" >&2; exit 3',
    });
    bridge.write('hello');
    bridge.endInput();
    expect(await bridge.exited).toBe(0);
    expect(bridge.stdout()).toBe('studio: the agent failed (exit 3): cannot reach https://[redacted]@api.example.com\n');
  });

  it('an agent with no answer: nothing sent, and the log says so', async () => {
    clone = createProjectClone();
    const bridge = startBridge(clone.machine, { VALOR_AGENT_CMD: 'true' });
    bridge.write('hello');
    bridge.endInput();
    expect(await bridge.exited).toBe(0);
    expect(bridge.stdout()).toBe('');
    expect(bridge.stderr()).toMatch(/agent for job \S+ gave no answer: nothing sent/);
  });

  it('a reply over 4096 characters arrives whole, in parts at line breaks', async () => {
    clone = createProjectClone();
    const bridge = startBridge(clone.machine, { VALOR_AGENT_CMD: 'for i in $(seq 1 2000); do echo "line $i"; done' });
    bridge.write('long');
    bridge.endInput();
    expect(await bridge.exited).toBe(0);
    const expected = Array.from({ length: 2000 }, (_, i) => `line ${i + 1}`).join('\n');
    expect(bridge.stdout()).toBe(`${expected}\n`);
  });
});

describe('shutdown says what it waits for', () => {
  it('Ctrl-C with a job running: it says so; a second Ctrl-C stops at once, the job back in the queue; exit 0', async () => {
    clone = createProjectClone();
    const bridge = startBridge(clone.machine, { VALOR_AGENT_CMD: 'sleep 30' });
    await bridge.waitFor('stderr', 'ready:');
    bridge.write('slow one');
    await new Promise((r) => setTimeout(r, 500));
    bridge.kill('SIGINT');
    await bridge.waitFor('stderr', 'waiting up to 15 s for 1 running job(s); Ctrl-C again to stop now');
    const secondAt = Date.now();
    bridge.kill('SIGINT');

    expect(await bridge.exited).toBe(0);
    expect(Date.now() - secondAt).toBeLessThan(5000);
    expect(bridge.stderr()).toContain('1 running job(s) put back in the queue');
    const jobs = fs.readdirSync(path.join(clone.machine, 'data', 'jobs'));
    expect(jobs).toHaveLength(1);
  });

  it('console mode exiting for an update says how it comes back', async () => {
    clone = createProjectClone();
    clone.push('notes.txt', 'new', 'Add release notes');
    const bridge = startBridge(clone.machine, {});
    await bridge.waitFor('stderr', 'ready:');
    bridge.write('/update');
    expect(await bridge.exited).toBe(143);
    expect(bridge.stderr()).toContain(
      'restarting on the updated code: under launchd the bridge comes back at once; in console mode, start it again (npm start -- --console)',
    );
  });
});
