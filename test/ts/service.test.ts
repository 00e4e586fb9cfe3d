import { spawn, spawnSync } from 'node:child_process';
import fs from 'fs-extra';
import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { fakeLaunchctl, type FakeLaunchctl } from './fixtures/fake-launchctl.js';
import { createProjectClone, type ProjectClone } from './fixtures/project-clone.js';

let clone: ProjectClone | undefined;
afterEach(() => clone?.cleanup());

interface Setup {
  clone: ProjectClone;
  home: string;
  launchctl: FakeLaunchctl;
  service(...args: string[]): { code: number | null; output: string };
  plist(label: string): Record<string, unknown>;
}

const uid = process.getuid?.() ?? 0;

function setup(options: { withLaunchctl?: boolean } = {}): Setup {
  clone = createProjectClone();
  const home = path.join(clone.dir, 'home');
  fs.ensureDirSync(home);
  const launchctl = fakeLaunchctl(clone.dir);
  const searchPath = options.withLaunchctl === false ? process.env.PATH! : `${launchctl.binDir}:${process.env.PATH}`;
  const current = clone;
  return {
    clone: current,
    home,
    launchctl,
    service: (...args) => {
      const result = spawnSync('bash', [path.join(current.machine, 'scripts', 'valor-service.sh'), ...args], {
        cwd: '/',
        env: { PATH: searchPath, HOME: home, FAKE_LAUNCHD_DIR: launchctl.stateDir },
        encoding: 'utf8',
      });
      return { code: result.status, output: `${result.stdout}${result.stderr}` };
    },
    plist: (label) => readPlist(path.join(home, 'Library', 'LaunchAgents', `${label}.plist`)),
  };
}

/** Python's plistlib: a parser independent of the installer's own. */
function readPlist(file: string): Record<string, unknown> {
  const result = spawnSync('python3', ['-c', 'import json, plistlib, sys; print(json.dumps(plistlib.load(open(sys.argv[1], "rb"))))', file], {
    encoding: 'utf8',
  });
  if (result.status !== 0) throw new Error(`plistlib could not read ${file}: ${result.stderr}`);
  return JSON.parse(result.stdout) as Record<string, unknown>;
}

interface LaunchdJob {
  ProgramArguments: string[];
  WorkingDirectory: string;
  EnvironmentVariables: Record<string, string>;
  StandardOutPath: string;
  StandardErrorPath: string;
}

/** Runs a job as launchd would: its arguments, folder and environment only, output appended to its log. */
function runLikeLaunchd(job: LaunchdJob, extraArgs: string[] = [], input = ''): Promise<number | null> {
  const env = Object.entries(job.EnvironmentVariables).map(([k, v]) => `${k}=${v}`);
  const log = fs.openSync(job.StandardOutPath, 'a');
  const child = spawn('env', ['-i', ...env, ...job.ProgramArguments, ...extraArgs], {
    cwd: job.WorkingDirectory,
    stdio: ['pipe', log, log],
  });
  child.stdin!.end(input);
  return new Promise((resolve) => child.on('exit', (code) => { fs.closeSync(log); resolve(code); }));
}

describe('valor-service.sh install', () => {
  it('writes both agents with every key launchd needs, bootstraps and confirms them', () => {
    const s = setup();
    const { code, output } = s.service('install');

    expect(code).toBe(0);
    expect(output).toContain('[valor-service] Installed com.valor.bridge');
    expect(output).toContain('[valor-service] Installed com.valor.update');
    const root = s.clone.machine;
    const bridge = s.plist('com.valor.bridge');
    expect(bridge).toMatchObject({
      Label: 'com.valor.bridge',
      WorkingDirectory: root,
      KeepAlive: true,
      RunAtLoad: true,
      ExitTimeOut: 20,
      StandardOutPath: path.join(root, 'logs', 'bridge.log'),
      StandardErrorPath: path.join(root, 'logs', 'bridge.log'),
    });
    const args = bridge.ProgramArguments as string[];
    expect(path.isAbsolute(args[0]!) && fs.existsSync(args[0]!)).toBe(true);
    expect(args.slice(1)).toEqual(['--import', 'tsx', 'src/main.ts']);

    const update = s.plist('com.valor.update');
    expect(update).toMatchObject({
      Label: 'com.valor.update',
      ProgramArguments: ['/bin/bash', path.join(root, 'scripts', 'remote-update.sh')],
      WorkingDirectory: root,
      RunAtLoad: false,
      StartCalendarInterval: [
        { Hour: 6, Minute: 0 },
        { Hour: 18, Minute: 0 },
      ],
      StandardOutPath: path.join(root, 'logs', 'update.log'),
    });
    expect(update.KeepAlive).toBeUndefined();

    for (const plist of [bridge, update]) {
      const env = plist.EnvironmentVariables as Record<string, string>;
      expect(env.HOME).toBe(s.home);
      const dirs = env.PATH!.split(':');
      expect(dirs).toContain(path.dirname(process.execPath));
      expect(dirs).toContain(path.dirname(spawnSync('which', ['git'], { encoding: 'utf8' }).stdout.trim()));
      expect(dirs.slice(-4)).toEqual(['/usr/bin', '/bin', '/usr/sbin', '/sbin']);
    }
    expect(fs.existsSync(path.join(root, 'logs'))).toBe(true);

    const agentsDir = path.join(s.home, 'Library', 'LaunchAgents');
    expect(s.launchctl.calls()).toEqual([
      `print gui/${uid}/com.valor.bridge`,
      `bootstrap gui/${uid} ${agentsDir}/com.valor.bridge.plist`,
      `print gui/${uid}/com.valor.bridge`,
      `print gui/${uid}/com.valor.update`,
      `bootstrap gui/${uid} ${agentsDir}/com.valor.update.plist`,
      `print gui/${uid}/com.valor.update`,
    ]);
  });

  it('is idempotent: a second install boots out the loaded copies and leaves the same files and state', () => {
    const s = setup();
    s.service('install');
    const first = fs.readFileSync(path.join(s.home, 'Library', 'LaunchAgents', 'com.valor.bridge.plist'), 'utf8');

    const { code } = s.service('install');

    expect(code).toBe(0);
    expect(fs.readFileSync(path.join(s.home, 'Library', 'LaunchAgents', 'com.valor.bridge.plist'), 'utf8')).toBe(first);
    expect(s.launchctl.calls().filter((c) => c.startsWith('bootout'))).toEqual([
      `bootout gui/${uid}/com.valor.bridge`,
      `bootout gui/${uid}/com.valor.update`,
    ]);
    expect(s.launchctl.loaded('com.valor.bridge') && s.launchctl.loaded('com.valor.update')).toBe(true);
  });

  it('retries "Bootstrap failed: 5: Input/output error" with a short backoff', () => {
    const s = setup();
    s.launchctl.busy('com.valor.bridge', 2);

    const { code } = s.service('install');

    expect(code).toBe(0);
    expect(s.launchctl.calls().filter((c) => c.startsWith('bootstrap') && c.includes('com.valor.bridge'))).toHaveLength(3);
    expect(s.launchctl.loaded('com.valor.bridge')).toBe(true);
  });

  it('reports launchctl failures with its own message and says what was and was not installed', () => {
    const s = setup();
    s.launchctl.fail('com.valor.update', 'bootstrap', 'Bootstrap failed: 125: Domain does not support specified action');

    const { code, output } = s.service('install');

    expect(code).toBe(1);
    expect(output).toContain(
      '[valor-service] FAIL: com.valor.update NOT installed: launchctl bootstrap: Bootstrap failed: 125: Domain does not support specified action',
    );
    expect(output).toContain('[valor-service] Install incomplete. Installed: com.valor.bridge. Not installed: com.valor.update.');
  });

  it('a reinstall whose bootout fails keeps the loaded copy and says so', () => {
    const s = setup();
    s.service('install');
    s.launchctl.fail('com.valor.bridge', 'bootout', 'Boot-out failed: 1: Operation not permitted');

    const { code, output } = s.service('install');

    expect(code).toBe(1);
    expect(output).toContain(
      '[valor-service] FAIL: com.valor.bridge NOT installed: launchctl bootout: Boot-out failed: 1: Operation not permitted',
    );
    expect(output).toContain('[valor-service] Install incomplete. Installed: com.valor.update. Not installed: com.valor.bridge.');
    expect(s.launchctl.loaded('com.valor.bridge')).toBe(true);
  });

  it('never uses the deprecated load / unload', () => {
    const s = setup();
    s.service('install');
    s.service('restart');
    s.service('uninstall');
    expect(s.launchctl.calls().some((c) => /^(load|unload)\b/.test(c))).toBe(false);
  });
});

describe('valor-service.sh uninstall, restart, status', () => {
  it('uninstall boots out both agents and removes both files', () => {
    const s = setup();
    s.service('install');

    const { code, output } = s.service('uninstall');

    expect(code).toBe(0);
    expect(output).toContain('[valor-service] Removed com.valor.bridge');
    expect(fs.readdirSync(path.join(s.home, 'Library', 'LaunchAgents'))).toEqual([]);
    expect(s.launchctl.loaded('com.valor.bridge') || s.launchctl.loaded('com.valor.update')).toBe(false);
  });

  it('uninstall of an agent launchd will not boot out keeps its plist and fails, and still removes the other', () => {
    const s = setup();
    s.service('install');
    s.launchctl.fail('com.valor.bridge', 'bootout', 'Boot-out failed: 1: Operation not permitted');

    const { code, output } = s.service('uninstall');

    expect(code).toBe(1);
    expect(output).toContain(
      '[valor-service] FAIL: com.valor.bridge is still loaded: launchctl bootout: Boot-out failed: 1: Operation not permitted',
    );
    expect(output).toContain('[valor-service] Removed com.valor.update');
    expect(fs.readdirSync(path.join(s.home, 'Library', 'LaunchAgents'))).toEqual(['com.valor.bridge.plist']);
    expect(s.launchctl.loaded('com.valor.bridge')).toBe(true);
  });

  it('restart kickstarts the bridge with -k', () => {
    const s = setup();
    s.service('install');

    const { code, output } = s.service('restart');

    expect(code).toBe(0);
    expect(output).toContain('[valor-service] Restarted com.valor.bridge');
    expect(s.launchctl.calls()).toContain(`kickstart -k gui/${uid}/com.valor.bridge`);
  });

  it('restart of an agent that is not loaded reports launchctl\'s message', () => {
    const s = setup();
    const { code, output } = s.service('restart');
    expect(code).toBe(1);
    expect(output).toContain('FAIL: launchctl kickstart: Could not find service "com.valor.bridge"');
  });

  it('status shows each agent, the last update run and a pending restart', () => {
    const s = setup();
    s.service('install');
    fs.outputFileSync(path.join(s.clone.machine, 'logs', 'update.log'), '[remote-update] Already up to date. (abc1234)\n');
    fs.outputFileSync(path.join(s.clone.machine, 'data', 'restart-requested'), '2026-11-24T06:00:03Z 2 commit(s)\n');

    const { code, output } = s.service('status');

    expect(code).toBe(0);
    expect(output).toContain('[valor-service] com.valor.bridge: loaded, running (pid 4321), last exit status 0');
    expect(output).toMatch(/\[valor-service\] last update run: \d{4}-\d\d-\d\dT[\d:.]+Z — \[remote-update\] Already up to date\. \(abc1234\)/);
    expect(output).toContain('[valor-service] restart pending: yes (2026-11-24T06:00:03Z 2 commit(s))');
  });

  it('status before install says the agents are not loaded', () => {
    const s = setup();
    const { output } = s.service('status');
    expect(output).toContain('[valor-service] com.valor.bridge: not loaded');
    expect(output).toContain('[valor-service] last update run: none yet (no logs/update.log)');
    expect(output).toContain('[valor-service] restart pending: no');
  });

  it('without launchd: one clear line, exit 2, nothing written', () => {
    const s = setup({ withLaunchctl: false });

    const { code, output } = s.service('install');

    expect(code).toBe(2);
    expect(output.trim()).toBe('[valor-service] launchctl not found: the service runs under launchd, which needs macOS. Nothing was changed.');
    expect(fs.existsSync(path.join(s.home, 'Library'))).toBe(false);
    expect(fs.existsSync(path.join(s.clone.machine, 'logs'))).toBe(false);
  });

  it.each(['reload', 'toString', ''])('an unknown command (%j) prints the usage', (command) => {
    const s = setup();
    const { code, output } = s.service(command);
    expect(code).toBe(64);
    expect(output.trim()).toBe('[valor-service] usage: scripts/valor-service.sh install | uninstall | restart | status');
  });
});

describe('the agents run in launchd\'s own environment', () => {
  it('the update job, from its plist under env -i, pulls, queues a restart and records the schedule as its trigger', async () => {
    const s = setup();
    s.service('install');
    const sha = s.clone.push('notes.txt', 'new', 'Add release notes');

    const code = await runLikeLaunchd(s.plist('com.valor.update') as unknown as LaunchdJob);

    expect(code).toBe(0);
    const log = fs.readFileSync(path.join(s.clone.machine, 'logs', 'update.log'), 'utf8');
    expect(log).toContain('[remote-update] Pulled 1 commit(s):');
    expect(log).toContain(`[remote-update] HEAD: ${sha} — Add release notes`);
    expect(fs.existsSync(path.join(s.clone.machine, 'data', 'restart-requested'))).toBe(true);
    const record = fs.readFileSync(path.join(s.clone.machine, 'data', 'last-update'), 'utf8');
    expect(record).toContain('\ntrigger=schedule\noutcome=updated\nexit=0\n');
  });

  it('the bridge, from its plist under env -i, starts in console mode and answers /update', async () => {
    const s = setup();
    s.service('install');

    const code = await runLikeLaunchd(s.plist('com.valor.bridge') as unknown as LaunchdJob, ['--console'], '/update\n');

    expect(code).toBe(0);
    const log = fs.readFileSync(path.join(s.clone.machine, 'logs', 'bridge.log'), 'utf8');
    expect(log).toContain('ready: console mode; 1 chat(s) monitored');
    expect(log).toContain('[remote-update] Already up to date. (');
  });
});
