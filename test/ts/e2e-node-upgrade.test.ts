import fs from 'fs-extra';
import { execFileSync } from 'node:child_process';
import os from 'node:os';
import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { startBridge, type BridgeProcess } from './fixtures/bridge-process.js';
import { pathWithout } from './fixtures/path-without.js';
import { createProjectClone, type ProjectClone } from './fixtures/project-clone.js';

/**
 * The real bridge in console mode, pushed real commits, while node changes
 * under it as Homebrew changes it: `brew upgrade node` installs the new
 * version in a folder of its own, deletes the old one (the file the running
 * bridge was started from), and moves the bin/node link.
 */

let clone: ProjectClone | undefined;
let bridge: BridgeProcess | undefined;
const dirs: string[] = [];
afterEach(() => {
  bridge?.kill('SIGKILL');
  bridge = undefined;
  clone?.cleanup();
  clone = undefined;
  dirs.splice(0).forEach((dir) => fs.removeSync(dir));
});

function tempDir(prefix: string): string {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), prefix));
  dirs.push(dir);
  return dir;
}

/** A Homebrew prefix: Cellar/node/<version>/bin/node (this node, hard-linked, so that it runs as that file), bin/node → it. */
function homebrew(): { prefix: string; install(version: string): void; uninstall(version: string): void } {
  const prefix = tempDir('valor-brew-');
  const cellar = (version: string) => path.join(prefix, 'Cellar', 'node', version);
  const link = path.join(prefix, 'bin', 'node');
  return {
    prefix,
    install(version) {
      const file = path.join(cellar(version), 'bin', 'node');
      fs.mkdirpSync(path.dirname(file));
      try {
        fs.linkSync(process.execPath, file);
      } catch {
        fs.copyFileSync(process.execPath, file);
        fs.chmodSync(file, 0o755);
      }
      fs.mkdirpSync(path.dirname(link));
      fs.removeSync(link);
      fs.symlinkSync(path.relative(path.dirname(link), file), link);
    },
    uninstall: (version) => fs.removeSync(cellar(version)),
  };
}

/** The bridge's standby self-test (started once it has been idle a while), once it runs. */
async function standbyOf(bridgePid: number): Promise<number> {
  return new Promise((resolve, reject) => {
    const deadline = Date.now() + 30_000;
    const look = (): void => {
      const table = execFileSync('ps', ['-A', '-o', 'pid=,ppid=,args='], { encoding: 'utf8' });
      const found = table.split('\n').map((line) => line.trim().split(/\s+/)).find(([, ppid, ...args]) => Number(ppid) === bridgePid && args.includes('./src/restart/self-test-standby.mjs'));
      if (found) resolve(Number(found[0]));
      else if (Date.now() > deadline) reject(new Error('no standby self-test within 30 s'));
      else setTimeout(look, 100);
    };
    look();
  });
}

describe('node changing under a running bridge', () => {
  it('brew upgrade node under a bridge that has its next self-test ready, then a good commit: the self-test runs the node on PATH now, passes, and the bridge restarts into the commit', async () => {
    clone = createProjectClone();
    const brew = homebrew();
    brew.install('22.3.0');
    const env = { PATH: `${path.join(brew.prefix, 'bin')}:${process.env.PATH ?? ''}`, VALOR_MACHINE_NAME: 'studio' };
    const command: [string, ...string[]] = [path.join(brew.prefix, 'bin', 'node'), '--import', 'tsx', 'src/main.ts'];
    bridge = startBridge(clone.machine, env, ['--console'], { command });
    await bridge.waitFor('stderr', 'ready:');
    if (fs.existsSync(`/proc/${bridge.pid}/exe`)) expect(fs.readlinkSync(`/proc/${bridge.pid}/exe`)).toContain('/Cellar/node/22.3.0/bin/node');
    // Started on the version about to be removed: it must not answer for the new one.
    await standbyOf(bridge.pid);

    brew.install('22.4.0');
    brew.uninstall('22.3.0');
    // A commit that loads on the node now installed, and fails on the one removed: the self-test must run the former.
    const log = path.join(clone.upstream, 'src/bridge/log.ts');
    const sha = clone.push('src/bridge/log.ts', `${fs.readFileSync(log, 'utf8')}if (process.execPath.includes('/22.3.0/')) throw new Error('loaded by the removed node');\n`, 'Refuse the old node');
    bridge.write('/update');

    expect(await bridge.exited).toBe(143);
    expect(bridge.stdout()).toContain(`[remote-update] HEAD: ${sha} — Refuse the old node\nrestart queued\n`);
    expect(bridge.stderr()).toContain('self-test passed: restarting for the update');
    expect(bridge.stderr()).not.toMatch(/ENOENT|failed to start/);

    bridge = startBridge(clone.machine, env, ['--console'], { command });
    await bridge.waitFor('stdout', `restarted on ${sha}`);
    if (fs.existsSync(`/proc/${bridge.pid}/exe`)) expect(fs.readlinkSync(`/proc/${bridge.pid}/exe`)).toContain('/Cellar/node/22.4.0/bin/node');
  });

  it('no node on the service\'s PATH at all: the self-test could not run, said once with the fix; the bridge stays up on its code', async () => {
    clone = createProjectClone();
    const running = clone.head(clone.machine);
    const searchPath = pathWithout(['node'], process.env.PATH ?? '', tempDir('valor-no-node-'));
    bridge = startBridge(clone.machine, { PATH: searchPath, VALOR_MACHINE_NAME: 'studio' }, ['--console'], { command: [process.execPath, '--import', 'tsx', 'src/main.ts'] });
    await bridge.waitFor('stderr', 'ready:');
    const sha = clone.push('notes.txt', 'new', 'Add release notes');
    bridge.write('/update');
    await bridge.waitFor('stdout', 'not restarting');

    const refusal = `not restarting: the self-test of ${sha} could not run: node not found on PATH (${searchPath}): install Node.js, or run scripts/valor-service.sh install again so that the service's PATH names it; still running ${running}`;
    expect(bridge.stdout().trimEnd().split('\n').at(-1)).toBe(refusal);
    expect(bridge.stderr()).toContain(`${refusal}\n`);
    expect(bridge.stderr()).not.toMatch(/ENOENT|failed to start/);

    const before = bridge.length('stdout');
    bridge.write('/update status');
    await bridge.waitFor('stdout', 'needs attention', { from: before });
    expect(bridge.stdout().slice(before)).toContain(`running ${running}`);
  });
});
