import fs from 'fs-extra';
import { execFileSync, spawn } from 'node:child_process';
import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { USAGE } from '../../src/cli-args.js';
import { startBridge } from './fixtures/bridge-process.js';
import { fakeScutil } from './fixtures/fake-scutil.js';
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

/** The bridge's log lines without the "[bridge] <time> " prefix. */
function logLines(stderr: string): string[] {
  return stderr.trim().split('\n').map((line) => line.replace(/^\[bridge\] \S+ /, ''));
}

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

const PRODUCTION_ENV = [
  '# as a machine has it',
  `TELEGRAM_API_ID=${API.TELEGRAM_API_ID}`,
  `TELEGRAM_API_HASH=${API.TELEGRAM_API_HASH}`,
  `TELEGRAM_SESSION=${SESSION}`,
  'VALOR_PROJECTS=valor=-1001234567890,docs=-1009876543210',
  'VALOR_NOTIFY_CHAT=valor',
  'VALOR_AGENT_CMD=tr a-z A-Z',
  'VALOR_MACHINE_NAME=studio',
  'VALOR_UPDATE_USERS=4242',
  '',
].join('\n');

describe('console mode takes the same .env as production', () => {
  it('a production .env: it says so, a line goes to the first project, "docs: " to docs, replies come back the same way, /update runs', async () => {
    clone = createProjectClone();
    fs.writeFileSync(path.join(clone.machine, '.env'), PRODUCTION_ENV);
    const bridge = startBridge(clone.machine);
    bridge.write('hello');
    bridge.write('docs: hi there');
    await bridge.waitFor('stdout', 'docs: HI THERE\n');
    bridge.write('docs: /update');
    await bridge.waitFor('stdout', 'Already up to date.');
    bridge.endInput();
    expect(await bridge.exited).toBe(0);
    // Projects are answered side by side: valor's and docs's replies may come in either order.
    const stdout = bridge.stdout();
    expect(stdout.split('\n').filter((line) => /^(HELLO|docs: HI THERE)$/.test(line)).sort()).toEqual(['HELLO', 'docs: HI THERE']);
    expect(stdout).toMatch(/^docs: studio:\n\[remote-update\] .*Already up to date\. \(\w+\)$/m);
    expect(stdout.split('\n').filter((line) => line.startsWith('docs: '))).toEqual(['docs: HI THERE', 'docs: studio:']);
    expect(logLines(bridge.stderr()).slice(0, 4)).toEqual([
      'console mode: your settings are checked as for Telegram; type a message, or /update',
      'console mode: a line goes to valor (-1001234567890); start it with "docs: " for docs (-1009876543210)',
      'console mode: /update is allowed here whatever VALOR_UPDATE_USERS says: the console is the machine itself',
      'ready: console mode; 2 chat(s) monitored on studio',
    ]);
  });

  it("with no .env at all it still starts, says what Telegram would need, and answers as the computer's name (scutil, as on a Mac)", async () => {
    clone = createProjectClone();
    const scutil = fakeScutil(clone.dir, { name: 'José’s Mac mini' });
    const bridge = startBridge(clone.machine, { PATH: `${scutil.binDir}:${process.env.PATH}` });
    bridge.endInput();
    expect(await bridge.exited).toBe(0);
    expect(logLines(bridge.stderr()).slice(0, 3)).toEqual([
      'console mode: your settings are checked as for Telegram; type a message, or /update',
      'console mode: not set, and needed to run with Telegram: TELEGRAM_API_ID, TELEGRAM_API_HASH, TELEGRAM_SESSION, VALOR_PROJECTS (see .env.example)',
      'ready: console mode; 1 chat(s) monitored on José’s Mac mini',
    ]);
    expect(scutil.calls()).toEqual(['--get ComputerName']);
  });

  it('a malformed VALOR_PROJECTS stops console mode as it stops the service, with the same line', async () => {
    const line = 'VALOR_PROJECTS has a malformed entry "valor:-100123": write key=chatId pairs, e.g. valor=-1001234567890,docs=-1009876543210';
    expect(await oneLineFailure({ ...COMPLETE, VALOR_PROJECTS: 'valor:-100123' }, ['--console'])).toBe(line);
    clone?.cleanup();
    expect(await oneLineFailure({ ...COMPLETE, VALOR_PROJECTS: 'valor:-100123' }, [])).toBe(line);
  });
});

describe('settings: every problem at once, and warnings for what is not a setting', () => {
  it('every bad setting in one run, one line each, exit 2, nothing on stdout', async () => {
    clone = createProjectClone();
    fs.writeFileSync(path.join(clone.machine, '.env'), 'TELEGRAM_API_ID=\nTELEGRAM_API_HASH=\nTELEGRAM_SESSION=\nVALOR_PROJECTS=valor=-1001234567890\nVALOR_UPDATE_USERS=bob\n');
    const bridge = startBridge(clone.machine, {}, []);
    expect(await bridge.exited).toBe(2);
    expect(bridge.stdout()).toBe('');
    expect(logLines(bridge.stderr())).toEqual([
      'TELEGRAM_API_ID is not set: get it from https://my.telegram.org and put it in .env',
      'TELEGRAM_API_HASH is not set: get it from https://my.telegram.org and put it in .env',
      'TELEGRAM_SESSION is not set: run `npm run login` and save the TELEGRAM_SESSION=… line it prints in .env',
      'VALOR_UPDATE_USERS has "bob", which is not a Telegram user id: write numeric ids separated by commas',
    ]);
  });

  it('a mistyped name in .env or the environment, and a line that is not NAME=value: WARN lines, then it runs', async () => {
    clone = createProjectClone();
    fs.writeFileSync(path.join(clone.machine, '.env'), '# settings\nVALOR_PROJETS=valor=-1001234567890\nVALOR_AGENT_CMD=tr a-z A-Z\nVALOR_MACHINE_NAME studio\n');
    const bridge = startBridge(clone.machine, { TELEGRAM_API_HSAH: 'x' });
    bridge.write('hi');
    bridge.endInput();
    expect(await bridge.exited).toBe(0);
    expect(bridge.stdout()).toBe('HI\n');
    expect(logLines(bridge.stderr()).slice(0, 5)).toEqual([
      'WARN: .env line 4 is not NAME=value and is ignored: write NAME=value, or start the line with # for a comment',
      'WARN: TELEGRAM_API_HSAH: not a setting; did you mean TELEGRAM_API_HASH?',
      'WARN: VALOR_PROJETS: not a setting; did you mean VALOR_PROJECTS?',
      'console mode: your settings are checked as for Telegram; type a message, or /update',
      'console mode: not set, and needed to run with Telegram: TELEGRAM_API_ID, TELEGRAM_API_HASH, TELEGRAM_SESSION, VALOR_PROJECTS (see .env.example)',
    ]);
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

describe('npm start', () => {
  function npmStart(args: string[], env: Record<string, string> = {}) {
    const child = spawn('npm', ['start', '--', ...args], {
      cwd: clone!.machine,
      env: { PATH: process.env.PATH ?? '', HOME: process.env.HOME ?? '', ...env },
      stdio: ['pipe', 'pipe', 'pipe'],
    });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (chunk: Buffer) => (stdout += chunk.toString()));
    child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
    const exited = new Promise<number | null>((resolve) => child.on('exit', (code) => resolve(code)));
    return { child, exited, stdout: () => stdout, stderr: () => stderr };
  }

  it.each([[['--console']], [[]], [['--version']]])('before npm ci (%j): one line, run npm ci first, exit 1, no stack', async (args) => {
    clone = createProjectClone();
    fs.removeSync(path.join(clone.machine, 'node_modules'));
    const run = npmStart(args);
    run.child.stdin.end();
    expect(await run.exited).toBe(1);
    expect(run.stderr()).toBe('The dependencies are not installed (no node_modules/tsx): run npm ci first\n');
  });

  it('installed: the bridge is the process that npm starts, with the arguments, and SIGTERM reaches it unchanged', async () => {
    clone = createProjectClone();
    const version = npmStart(['--version']);
    expect(await version.exited).toBe(0);
    expect(version.stdout()).toMatch(/\nvalor-remote-update \d+\.\d+\.\d+\n$/);
    const run = npmStart(['--console'], { VALOR_AGENT_CMD: 'tr a-z A-Z' });
    run.child.stdin.write('hello\n');
    for (let i = 0; i < 200 && !run.stdout().includes('HELLO'); i++) await new Promise((r) => setTimeout(r, 50));
    expect(run.stdout()).toContain('HELLO\n');
    // npm → sh → node: the bridge is node itself, no wrapper process between.
    const shell = execFileSync('pgrep', ['-P', String(run.child.pid)], { encoding: 'utf8' }).trim();
    const bridgePid = Number(execFileSync('pgrep', ['-P', shell], { encoding: 'utf8' }).trim());
    expect(execFileSync('ps', ['-o', 'args=', '-p', String(bridgePid)], { encoding: 'utf8' }).trim()).toMatch(
      /^\S*node --import \.\/src\/require-dependencies\.mjs --import tsx src\/main\.ts --console$/,
    );
    process.kill(bridgePid, 'SIGTERM');
    expect(await run.exited).toBe(143);
    expect(run.stderr()).toContain('shutting down (SIGTERM)');
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
      'restarting on the updated code: under launchd or systemd the bridge comes back at once; in console mode, start it again (npm start -- --console)',
    );
  });
});
