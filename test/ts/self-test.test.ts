import fs from 'fs-extra';
import { spawn, spawnSync } from 'node:child_process';
import os from 'node:os';
import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { ProcessGroups, type GroupRun, type GroupRunOptions } from '../../src/process/process-group.js';
import { dependencyProblem } from '../../src/restart/installed-dependencies.js';
import { failureReason, selfTestRunner } from '../../src/restart/run-self-test.js';
import { eventually } from './fixtures/deferred.js';
import { createProjectClone, type ProjectClone } from './fixtures/project-clone.js';

/** `npm start -- --self-test` as a person runs it, in a clone of this project, and as the bridge runs it. */

let clone: ProjectClone | undefined;
const dirs: string[] = [];
afterEach(() => {
  clone?.cleanup();
  clone = undefined;
  dirs.splice(0).forEach((dir) => fs.removeSync(dir));
});

function selfTest(root: string, args = ['--console'], env: Record<string, string> = {}) {
  const run = spawnSync(process.execPath, ['--import', 'tsx', 'src/main.ts', '--self-test', ...args], {
    cwd: root,
    env: { PATH: process.env.PATH ?? '', HOME: process.env.HOME ?? '', ...env },
    encoding: 'utf8',
  });
  return { status: run.status, stdout: run.stdout, stderr: run.stderr };
}

function edit(file: string, change: (text: string) => string): void {
  const full = path.join(clone!.machine, file);
  fs.writeFileSync(full, change(fs.readFileSync(full, 'utf8')));
}

describe('npm start -- --self-test', () => {
  it('passes on a checkout that can start: one line with its commit, exit 0, and no entry point run (no login prompt, no service)', () => {
    clone = createProjectClone();
    expect(selfTest(clone.machine)).toEqual({ status: 0, stdout: `self-test passed: ${clone.head(clone.machine)}\n`, stderr: '' });
  });

  it('a syntax error in any module: exit 1 and one line naming the file, line and column', () => {
    clone = createProjectClone();
    edit('src/catchup/select-missed.ts', (text) => `${text}const = 1;\n`);
    const line = fs.readFileSync(path.join(clone.machine, 'src/catchup/select-missed.ts'), 'utf8').split('\n').length - 1;
    expect(selfTest(clone.machine)).toEqual({ status: 1, stdout: '', stderr: `self-test failed: src/catchup/select-missed.ts:${line}:6: ERROR: Expected identifier but found "="\n` });
  });

  it('an entry point that is never loaded by the bridge (src/login.ts) is checked too', () => {
    clone = createProjectClone();
    edit('src/login.ts', (text) => `import { nothing } from './config/paths.js';\nvoid nothing;\n${text}`);
    expect(selfTest(clone.machine)).toEqual({
      status: 1,
      stdout: '',
      stderr: "self-test failed: src/login.ts: The requested module './config/paths.js' does not provide an export named 'nothing'\n",
    });
  });

  it('a module that imports a file that is not there', () => {
    clone = createProjectClone();
    fs.writeFileSync(path.join(clone.machine, 'src/update/new-feature.ts'), "import './forgotten.js';\nexport {};\n");
    const result = selfTest(clone.machine);
    expect(result.status).toBe(1);
    expect(result.stderr).toMatch(/^self-test failed: Cannot find module '\/.*\/src\/update\/forgotten\.js' imported from \/.*\/src\/update\/new-feature\.ts\n$|^self-test failed: Cannot find module 'src\/update\/forgotten\.js' imported from src\/update\/new-feature\.ts\n$/);
  });

  it('a module that throws when loaded (the bridge runs its modules\' top level)', () => {
    clone = createProjectClone();
    edit('src/update/status-line.ts', (text) => `${text}\nif (Date.now() > 0) throw new Error('status table not found');\n`);
    expect(selfTest(clone.machine)).toEqual({ status: 1, stdout: '', stderr: 'self-test failed: status table not found\n' });
  });

  it('reads .env and checks the settings as a start does: Telegram ones unless --console', () => {
    clone = createProjectClone();
    expect(selfTest(clone.machine, [])).toMatchObject({ status: 1, stdout: '' });
    expect(selfTest(clone.machine, []).stderr).toMatch(/^self-test failed: .*TELEGRAM_API_ID.*\n$/);
    fs.writeFileSync(path.join(clone.machine, '.env'), 'VALOR_CATCHUP_MESSAGES=zero\n');
    const result = selfTest(clone.machine);
    expect(result.status).toBe(1);
    expect(result.stderr).toMatch(/^self-test failed: .*VALOR_CATCHUP_MESSAGES.*"zero".*\n$/);
  });
});

describe('installed dependencies', () => {
  function project(lock: Record<string, object>, installed: Record<string, string>): string {
    const root = fs.mkdtempSync(path.join(os.tmpdir(), 'valor-deps-'));
    dirs.push(root);
    fs.writeJsonSync(path.join(root, 'package-lock.json'), { lockfileVersion: 3, packages: { '': { name: 'valor' }, ...lock } });
    for (const [name, version] of Object.entries(installed)) fs.outputJsonSync(path.join(root, 'node_modules', name, 'package.json'), { name, version });
    return root;
  }

  it('match the lockfile: nothing to say', () => {
    const root = project(
      { 'node_modules/telegram': { version: '2.26.22' }, 'node_modules/@scope/pkg': { version: '1.0.0' }, 'node_modules/telegram/node_modules/x': { version: '9.9.9' } },
      { telegram: '2.26.22', '@scope/pkg': '1.0.0' },
    );
    expect(dependencyProblem(root)).toBeUndefined();
  });

  it('a package missing or at another version: named, with the fix', () => {
    expect(dependencyProblem(project({ 'node_modules/telegram': { version: '2.26.22' } }, {}))).toBe('telegram 2.26.22 is not installed: run npm ci');
    expect(dependencyProblem(project({ 'node_modules/@scope/pkg': { version: '2.0.0' } }, { '@scope/pkg': '1.0.0' }))).toBe(
      '@scope/pkg is 1.0.0 in node_modules but 2.0.0 in package-lock.json: run npm ci',
    );
  });

  it('development-only packages and another platform\'s optional ones may be absent', () => {
    const root = project({ 'node_modules/vitest': { version: '4.1.12', dev: true }, 'node_modules/@esbuild/darwin-arm64': { version: '0.25.0', optional: true } }, {});
    expect(dependencyProblem(root)).toBeUndefined();
  });

  it('no lockfile to compare with', () => {
    const root = fs.mkdtempSync(path.join(os.tmpdir(), 'valor-deps-'));
    dirs.push(root);
    expect(dependencyProblem(root)).toMatch(/^package-lock\.json cannot be read: /);
  });
});

const COLD = 'node --import tsx src/main.ts --self-test --console';
const STANDBY = 'node --import ./src/restart/self-test-standby.mjs src/main.ts --self-test --console';

/** Process groups that remember what they started: which node, which entry point. */
class RecordingGroups extends ProcessGroups {
  readonly started: string[] = [];
  override run(command: string, args: string[], options: GroupRunOptions): GroupRun {
    this.started.push([command, ...args].join(' '));
    return super.run(command, args, options);
  }
}

/** A folder holding a `node` (a hard link to this one, as an installed copy), to put first on PATH. */
function nodeFolder(name = 'bin'): string {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'valor-node-'));
  dirs.push(dir);
  fs.mkdirSync(path.join(dir, name));
  installNode(path.join(dir, name, 'node'));
  return path.join(dir, name);
}

function installNode(file: string): void {
  try {
    fs.linkSync(process.execPath, file);
  } catch {
    fs.copyFileSync(process.execPath, file);
    fs.chmodSync(file, 0o755);
  }
}

describe('the bridge running the self-test', () => {
  it('passes on this checkout', async () => {
    clone = createProjectClone();
    const run = selfTestRunner(new ProcessGroups(), clone.machine, { console: true, env: { PATH: process.env.PATH ?? '' } });
    expect(await run()).toEqual({ passed: true });
  });

  it('a checkout whose main.ts itself does not load: the reason is the line that names the error', async () => {
    clone = createProjectClone();
    edit('src/bridge/log.ts', (text) => `${text}export const = 1;\n`);
    const run = selfTestRunner(new ProcessGroups(), clone.machine, { console: true, env: { PATH: process.env.PATH ?? '' } });
    expect(await run()).toEqual({ passed: false, reason: expect.stringMatching(/^src\/bridge\/log\.ts:\d+:13: ERROR: Expected identifier but found "="$/) });
  });

  it('one that never answers is ended with everything it started, and fails', async () => {
    const root = fs.mkdtempSync(path.join(os.tmpdir(), 'valor-hang-'));
    dirs.push(root);
    fs.symlinkSync(path.join(process.cwd(), 'node_modules'), path.join(root, 'node_modules'));
    fs.outputFileSync(path.join(root, 'package.json'), '{"type":"module"}');
    fs.outputFileSync(
      path.join(root, 'src/main.ts'),
      "import { spawn } from 'node:child_process';\nimport fs from 'node:fs';\nfs.writeFileSync('sleeper.pid', String(spawn('sleep', ['30']).pid));\nsetInterval(() => {}, 1000);\n",
    );
    const run = selfTestRunner(new ProcessGroups(), root, { console: true, env: { PATH: process.env.PATH ?? '' }, timeoutMs: 3000 });
    expect(await run()).toEqual({ passed: false, reason: 'no answer within 3 s' });
    const sleeper = Number(fs.readFileSync(path.join(root, 'sleeper.pid'), 'utf8'));
    await eventually(() => !alive(sleeper));
  });

  it.each([
    ['its own line', 'noise\nself-test failed: TELEGRAM_API_ID is not set\n', 'TELEGRAM_API_ID is not set'],
    ['esbuild\'s second line', 'node:internal/x:1\nError: Transform failed with 1 error:\nsrc/a.ts:1:2: ERROR: Unexpected "}"\n    at x\n', 'src/a.ts:1:2: ERROR: Unexpected "}"'],
    ['the first line naming an error', 'file:///x.ts:3\n  ^\nSyntaxError: Unexpected token\n', 'SyntaxError: Unexpected token'],
    ['else the first line', 'Killed\n', 'Killed'],
  ])('reason from a failed run: %s', (_, output, reason) => {
    expect(failureReason(output, 1, false, 30_000)).toBe(reason);
  });

  it('reason from a silent failed run: its exit', () => {
    expect(failureReason('', 137, false, 30_000)).toBe('exit 137');
  });

  it('runs the node that PATH names, not the one the bridge runs: none on PATH is a self-test that could not run, with the fix', async () => {
    clone = createProjectClone();
    const groups = new RecordingGroups();
    const run = selfTestRunner(groups, clone.machine, { console: true, env: { PATH: '/nowhere' } });
    expect(await run()).toEqual({
      passed: false,
      couldNotRun: true,
      reason: "node not found on PATH (/nowhere): install Node.js, or run scripts/valor-service.sh install again so that the service's PATH names it",
    });
    expect(groups.started).toEqual([COLD]);
  });
});

describe('the self-test started ahead (standby)', () => {
  it('answers the next run itself, checking the checkout as it is by then', async () => {
    clone = createProjectClone();
    const groups = new RecordingGroups();
    const run = selfTestRunner(groups, clone.machine, { console: true, env: { PATH: process.env.PATH ?? '' } });
    run.prepare!();
    edit('src/catchup/select-missed.ts', (text) => `${text}const = 1;\n`);
    expect(await run()).toEqual({ passed: false, reason: expect.stringMatching(/^src\/catchup\/select-missed\.ts:\d+:6: ERROR: Expected identifier but found "="$/) });
    expect(groups.started).toEqual([STANDBY]);

    run.prepare!();
    edit('src/catchup/select-missed.ts', (text) => text.replace('const = 1;\n', ''));
    expect(await run()).toEqual({ passed: true });
    expect(groups.started).toEqual([STANDBY, STANDBY]);
  });

  it.each([
    ['the lockfile', 'package-lock.json'],
    ['tsconfig.json', 'tsconfig.json'],
  ])('not used when %s changed since it started: it loaded what a start would no longer load', async (_, file) => {
    clone = createProjectClone();
    const groups = new RecordingGroups();
    const run = selfTestRunner(groups, clone.machine, { console: true, env: { PATH: process.env.PATH ?? '' } });
    run.prepare!();
    edit(file, (text) => `${text}\n`);
    expect(await run()).toEqual({ passed: true });
    expect(groups.started).toEqual([STANDBY, COLD]);
  });

  it('not used when node was upgraded under it (the file PATH names is another), nor when PATH\'s node is a shim for another', async () => {
    clone = createProjectClone();
    const bin = nodeFolder();
    const groups = new RecordingGroups();
    const run = selfTestRunner(groups, clone.machine, { console: true, env: { PATH: `${bin}:${process.env.PATH ?? ''}` } });
    run.prepare!();
    fs.removeSync(path.join(bin, 'node'));
    fs.copyFileSync(process.execPath, path.join(bin, 'node'));
    expect(await run()).toEqual({ passed: true });
    expect(groups.started).toEqual([STANDBY, COLD]);

    const shims = nodeFolder('shims');
    fs.removeSync(path.join(shims, 'node'));
    fs.writeFileSync(path.join(shims, 'node'), `#!/bin/sh\nexec ${JSON.stringify(process.execPath)} "$@"\n`, { mode: 0o755 });
    const shimmed = new RecordingGroups();
    const viaShim = selfTestRunner(shimmed, clone.machine, { console: true, env: { PATH: `${shims}:${process.env.PATH ?? ''}` } });
    viaShim.prepare!();
    expect(await viaShim()).toEqual({ passed: true });
    expect(shimmed.started).toEqual([STANDBY, COLD]);
  });

  it('gone (ended, or could not load) is no answer: the self-test starts from nothing', async () => {
    clone = createProjectClone();
    const groups = new RecordingGroups();
    const run = selfTestRunner(groups, clone.machine, { console: true, env: { PATH: process.env.PATH ?? '' } });
    run.prepare!();
    groups.endAll();
    await new Promise((resolve) => setTimeout(resolve, 200));
    expect(await run()).toEqual({ passed: true });
    expect(groups.started).toEqual([STANDBY, COLD]);
  });

  it('ends when the bridge is gone (its input closes), without running anything, even when it is stuck starting in a checkout deleted under it', async () => {
    clone = createProjectClone();
    const args = ['--import', './src/restart/self-test-standby.mjs', 'src/main.ts', '--self-test', '--console'];
    expect(spawnSync(process.execPath, args, { cwd: clone.machine, input: '', encoding: 'utf8', timeout: 20_000 })).toMatchObject({ signal: 'SIGKILL', stderr: '' });

    const standbys = [0, 100, 300, 600].map((delayMs) => {
      const copy = fs.mkdtempSync(path.join(os.tmpdir(), 'valor-gone-'));
      dirs.push(copy);
      fs.copySync(clone!.machine, copy);
      const child = spawn(process.execPath, args, { cwd: copy, stdio: ['pipe', 'ignore', 'ignore'] });
      const exited = new Promise((resolve) => child.on('exit', resolve));
      setTimeout(() => {
        fs.removeSync(copy);
        child.stdin.end();
      }, delayMs);
      return exited;
    });
    await Promise.all(standbys);
  }, 30_000);

  it('asked, then the bridge gone while its checkout is deleted: it ends too, stuck or not', async () => {
    clone = createProjectClone();
    const pids = [0, 150, 400].map((delayMs) => {
      const copy = fs.mkdtempSync(path.join(os.tmpdir(), 'valor-gone-'));
      dirs.push(copy);
      fs.copySync(clone!.machine, copy);
      // A stand-in for the bridge: starts the standby, waits until it has loaded, asks, and is gone.
      const bridge = spawnSync(
        process.execPath,
        [
          '-e',
          `const c = require('node:child_process').spawn(process.execPath, ${JSON.stringify(['--import', './src/restart/self-test-standby.mjs', 'src/main.ts', '--self-test', '--console'])}, { cwd: ${JSON.stringify(copy)}, detached: true, stdio: ['pipe', 'pipe', 'ignore'] });
           c.stdout.once('data', () => { c.stdin.write('go\\n'); setTimeout(() => { require('node:fs').rmSync(${JSON.stringify(copy)}, { recursive: true, force: true }); console.log(c.pid); process.exit(0); }, ${delayMs}); });`,
        ],
        { encoding: 'utf8', timeout: 20_000 },
      );
      return Number(bridge.stdout.trim());
    });
    expect(pids.every((pid) => pid > 0)).toBe(true);
    await eventually(() => pids.every((pid) => !alive(pid)), 10_000);
  }, 60_000);
});

function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
  } catch {
    return false;
  }
  return !spawnSync('ps', ['-o', 'stat=', '-p', String(pid)], { encoding: 'utf8' }).stdout.trim().startsWith('Z');
}
