import { spawn, spawnSync } from 'node:child_process';
import fs from 'fs-extra';
import os from 'node:os';
import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { brokenGit, XCRUN_ERROR } from './fixtures/broken-git.js';
import { botApi } from './fixtures/bot-api.js';
import { pathWithout } from './fixtures/path-without.js';
import { fakeLaunchctl, type FakeLaunchctl } from './fixtures/fake-launchctl.js';
import { fakeScutil } from './fixtures/fake-scutil.js';
import { createProjectClone, git, type ProjectClone } from './fixtures/project-clone.js';
import { readPlist } from './fixtures/read-plist.js';
import { writeBeacon, type BridgeBeacon } from '../../src/restart/bridge-beacon.js';

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

function setup(options: { withLaunchctl?: boolean; pathBefore?: string[]; umask?: string; env?: Record<string, string> } = {}): Setup {
  clone = createProjectClone();
  const home = path.join(clone.dir, 'home');
  fs.ensureDirSync(home);
  const launchctl = fakeLaunchctl(clone.dir);
  const systemPath = [...(options.pathBefore ?? []), process.env.PATH!].join(':');
  // Without launchctl: a machine with no service manager at all (no systemctl either).
  const searchPath = options.withLaunchctl === false ? pathWithout(['launchctl', 'systemctl'], systemPath, path.join(clone.dir, 'system-bin')) : `${launchctl.binDir}:${systemPath}`;
  const current = clone;
  return {
    clone: current,
    home,
    launchctl,
    service: (...args) => {
      const script = path.join(current.machine, 'scripts', 'valor-service.sh');
      const result = spawnSync('bash', ['-c', `umask ${options.umask ?? '022'}; exec bash "$0" "$@"`, script, ...args], {
        cwd: '/',
        env: { PATH: searchPath, HOME: home, FAKE_LAUNCHD_DIR: launchctl.stateDir, ...options.env },
        encoding: 'utf8',
      });
      return { code: result.status, output: `${result.stdout}${result.stderr}` };
    },
    plist: (label) => readPlist(path.join(home, 'Library', 'LaunchAgents', `${label}.plist`)),
  };
}

interface LaunchdJob {
  ProgramArguments: string[];
  WorkingDirectory: string;
  EnvironmentVariables: Record<string, string>;
  StandardOutPath: string;
  StandardErrorPath: string;
}

/**
 * Runs a job as launchd would: its arguments, folder and environment only, output appended to its log.
 * `launchctl` puts the fake launchctl first on the job's PATH, where a Mac has /bin/launchctl.
 */
function runLikeLaunchd(job: LaunchdJob, extraArgs: string[] = [], input = '', launchctl?: FakeLaunchctl): Promise<number | null> {
  const vars = { ...job.EnvironmentVariables };
  if (launchctl) Object.assign(vars, { PATH: `${launchctl.binDir}:${vars.PATH}`, FAKE_LAUNCHD_DIR: launchctl.stateDir });
  const env = Object.entries(vars).map(([k, v]) => `${k}=${v}`);
  const log = fs.openSync(job.StandardOutPath, 'a');
  const child = spawn('env', ['-i', ...env, ...job.ProgramArguments, ...extraArgs], {
    cwd: job.WorkingDirectory,
    stdio: ['pipe', log, log],
  });
  child.stdin!.end(input);
  return new Promise((resolve) => child.on('exit', (code) => { fs.closeSync(log); resolve(code); }));
}


const BRIDGE = 'com.valor.bridge';
const UPDATE = 'com.valor.update';

/** A Node install as Homebrew lays it out: bin/node links to a versioned Cellar folder. */
function fakeHomebrew(dir: string, version: string): { bin: string; upgrade(to: string): void } {
  const prefix = path.join(dir, 'homebrew');
  const bin = path.join(prefix, 'bin');
  const install = (v: string) => {
    const cellarNode = path.join(prefix, 'Cellar', 'node', v, 'bin', 'node');
    fs.outputFileSync(cellarNode, `#!/bin/sh\nexec "${process.execPath}" "$@"\n`, { mode: 0o755 });
    fs.ensureDirSync(bin);
    fs.removeSync(path.join(bin, 'node'));
    fs.symlinkSync(cellarNode, path.join(bin, 'node'));
  };
  install(version);
  return {
    bin,
    upgrade: (to) => {
      fs.removeSync(path.join(prefix, 'Cellar', 'node', version));
      install(to);
    },
  };
}

describe('valor-service.sh install', () => {
  it('writes both agents with every key launchd needs, enables, bootstraps, and confirms the bridge runs', () => {
    const s = setup();
    const { code, output } = s.service('install');

    expect(code).toBe(0);
    expect(output).toContain(`[valor-service] Installed ${BRIDGE}`);
    expect(output).toContain(`[valor-service] Installed ${UPDATE}`);
    const root = s.clone.machine;
    const bridge = s.plist(BRIDGE);
    expect(bridge).toMatchObject({
      Label: BRIDGE,
      ProgramArguments: ['/usr/bin/env', 'node', '--import', './src/require-dependencies.mjs', '--import', 'tsx', 'src/main.ts'],
      WorkingDirectory: root,
      KeepAlive: true,
      RunAtLoad: true,
      ExitTimeOut: 20,
      ThrottleInterval: 60,
      StandardOutPath: path.join(root, 'logs', 'bridge.log'),
      StandardErrorPath: path.join(root, 'logs', 'bridge.log'),
    });
    const update = s.plist(UPDATE);
    expect(update).toMatchObject({
      Label: UPDATE,
      ProgramArguments: ['/bin/bash', path.join(root, 'scripts', 'scheduled-update.sh'), '--jitter', '300'],
      WorkingDirectory: root,
      RunAtLoad: true,
      StartCalendarInterval: [
        { Hour: 6, Minute: 0 },
        { Hour: 18, Minute: 0 },
      ],
      StandardOutPath: path.join(root, 'logs', 'update.log'),
    });
    expect(update.KeepAlive).toBeUndefined();
    expect(update.StartInterval).toBeUndefined();
    expect(output).toContain('[valor-service] Update schedule: at 06:00, 18:00 (local time), and at load (login, boot); each after a random delay of up to 5 min');
    for (const plist of [bridge, update]) {
      const env = plist.EnvironmentVariables as Record<string, string>;
      expect(env.HOME).toBe(s.home);
      expect(env.LANG).toBe('en_US.UTF-8');
      const dirs = env.PATH!.split(':');
      expect(dirs).toContain(path.dirname(spawnSync('which', ['node'], { encoding: 'utf8' }).stdout.trim()));
      expect(dirs).toContain(path.dirname(spawnSync('which', ['git'], { encoding: 'utf8' }).stdout.trim()));
      expect(dirs).toEqual(expect.arrayContaining(['/usr/bin', '/bin', '/usr/sbin', '/sbin']));
    }
    const agentsDir = path.join(s.home, 'Library', 'LaunchAgents');
    expect(s.launchctl.calls().filter((c) => /^(enable|bootstrap|bootout)/.test(c))).toEqual([
      `enable gui/${uid}/${BRIDGE}`,
      `bootstrap gui/${uid} ${agentsDir}/${BRIDGE}.plist`,
      `enable gui/${uid}/${UPDATE}`,
      `bootstrap gui/${uid} ${agentsDir}/${UPDATE}.plist`,
    ]);
    expect(s.launchctl.service(BRIDGE)?.pid).toBeDefined();
  });

  it('a Node upgrade that deletes the versioned folder leaves the bridge startable: node is found on PATH at each start', async () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'valor-brew-'));
    const brew = fakeHomebrew(dir, '22.3.0');
    const s = setup({ pathBefore: [brew.bin] });
    expect(s.service('install').code).toBe(0);
    const env = (s.plist(BRIDGE).EnvironmentVariables as Record<string, string>).PATH!;
    expect(env.split(':')[0]).toBe(brew.bin);
    expect(env).not.toContain('Cellar');

    brew.upgrade('22.4.0');

    const code = await runLikeLaunchd(s.plist(BRIDGE) as unknown as LaunchdJob, ['--console'], '');
    expect(code).toBe(0);
    expect(fs.readFileSync(path.join(s.clone.machine, 'logs', 'bridge.log'), 'utf8')).toContain('ready: console mode');
    fs.removeSync(dir);
  });

  it("keeps the shell's PATH order, and adds the folder of VALOR_AGENT_CMD's program", () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'valor-path-'));
    const nvmBin = path.join(dir, '.nvm', 'versions', 'node', 'v20.12.0', 'bin');
    const agentBin = path.join(dir, 'agent-bin');
    fs.outputFileSync(path.join(nvmBin, 'node'), `#!/bin/sh\nexec "${process.execPath}" "$@"\n`, { mode: 0o755 });
    fs.outputFileSync(path.join(nvmBin, 'npm'), '#!/bin/sh\n', { mode: 0o755 });
    fs.outputFileSync(path.join(agentBin, 'valor-agent'), '#!/bin/sh\n', { mode: 0o755 });
    const brew = fakeHomebrew(dir, '22.3.0');
    const s = setup({ pathBefore: [nvmBin, brew.bin, agentBin], env: { VALOR_AGENT_CMD: 'LANG=C valor-agent --quiet' } });

    expect(s.service('install').code).toBe(0);

    const dirs = (s.plist(BRIDGE).EnvironmentVariables as Record<string, string>).PATH!.split(':');
    // The agents find the shell's first node (nvm's), for the bridge and the update job's npm ci alike.
    expect(dirs.find((dir) => fs.existsSync(path.join(dir, 'node')))).toBe(nvmBin);
    expect(dirs).toContain(agentBin);
    fs.removeSync(dir);
  });

  it('a label disabled (launchctl disable, the Login Items switch) is enabled again before bootstrap', () => {
    const s = setup();
    s.launchctl.disable(BRIDGE);

    const { code } = s.service('install');

    expect(code).toBe(0);
    expect(s.launchctl.loaded(BRIDGE)).toBe(true);
    const calls = s.launchctl.calls();
    expect(calls.indexOf(`enable gui/${uid}/${BRIDGE}`)).toBeLessThan(calls.findIndex((c) => c.startsWith('bootstrap') && c.includes(BRIDGE)));
  });

  /** A reinstall whose bootout does not end at once: it succeeds, having polled launchd until the bridge was gone before bootstrapping it again. */
  function expectReinstallWaited(s: Setup): void {
    const { code, output } = s.service('install');

    expect(code).toBe(0);
    expect(output).not.toContain('FAIL');
    const calls = s.launchctl.calls();
    const bootout = calls.lastIndexOf(`bootout gui/${uid}/${BRIDGE}`);
    const bootstrap = calls.findIndex((c, i) => i > bootout && c.startsWith('bootstrap') && c.includes(BRIDGE));
    // Polled: at least once while it was still listed, and once more to see it gone (each fake launchctl is a node process: under load, few fit in the window).
    expect(calls.slice(bootout, bootstrap).filter((c) => c === `print gui/${uid}/${BRIDGE}`).length).toBeGreaterThanOrEqual(2);
    expect(s.launchctl.loaded(BRIDGE) && s.launchctl.loaded(UPDATE)).toBe(true);
  }

  it('a reinstall waits until the booted-out bridge is gone before bootstrapping it again', () => {
    const s = setup();
    s.service('install');
    s.launchctl.stoppingFor(1500);
    expectReinstallWaited(s);
  });

  it('older macOS: a bootout answered "36: Operation now in progress" is waited for; install, restart and uninstall go on', () => {
    const s = setup();
    s.service('install');
    s.launchctl.bootoutInProgress(1500);
    expectReinstallWaited(s);

    expect(s.service('restart').code).toBe(0);

    const removed = s.service('uninstall');
    expect(removed.code).toBe(0);
    expect(removed.output).toBe(`[valor-service] Removed ${BRIDGE}\n[valor-service] Removed ${UPDATE}\n`);
    expect(fs.readdirSync(path.join(s.home, 'Library', 'LaunchAgents'))).toEqual([]);
    expect(s.launchctl.loaded(BRIDGE) || s.launchctl.loaded(UPDATE)).toBe(false);
  });

  it('under sudo: refused with one line, nothing written', () => {
    const s = setup({ env: { SUDO_UID: '501' } });

    const { code, output } = s.service('install');

    expect(code).toBe(2);
    expect(output.trim()).toBe(
      `[valor-service] FAIL: run this without sudo, as the user who logs in (uid 501): launchd agents belong to that user, and under sudo they would go to gui/${uid} and leave root-owned files in your folder. Nothing was changed.`,
    );
    expect(fs.existsSync(path.join(s.home, 'Library'))).toBe(false);
    expect(s.launchctl.calls()).toEqual([]);
  });

  it('writes the plists 0644 under umask 002: launchd refuses group-writable ones', () => {
    const s = setup({ umask: '002' });
    expect(s.service('install').code).toBe(0);
    for (const label of [BRIDGE, UPDATE]) {
      expect(fs.statSync(path.join(s.home, 'Library', 'LaunchAgents', `${label}.plist`)).mode & 0o777).toBe(0o644);
    }
  });

  it('a bridge launchd cannot start (its program not found: exit 78, no pid) is reported, not "confirmed"', () => {
    const s = setup();
    s.launchctl.unrunnable(BRIDGE);

    const { code, output } = s.service('install');

    expect(code).toBe(1);
    expect(output).toContain(`[valor-service] FAIL: ${BRIDGE} is loaded but not running after 5 s: launchd's last exit status 78: EX_CONFIG. Read logs/bridge.log.`);
  });

  it('without a GUI session (SSH, nobody logged in): one line saying what to do, nothing written', () => {
    const s = setup();
    s.launchctl.noGui();

    const { code, output } = s.service('install');

    expect(code).toBe(1);
    expect(output.trim()).toBe(
      `[valor-service] FAIL: there is no GUI session for this user (gui/${uid}): launchd agents run only while the user is logged in at the screen. Log in once at the Mac (or turn on automatic login), then run this again. Nothing was changed.`,
    );
    expect(fs.existsSync(path.join(s.home, 'Library'))).toBe(false);
  });

  it.each([
    ['Documents', '~/Documents'],
    ['documents', '~/Documents'],
    ['Library/Mobile Documents/com~apple~CloudDocs', 'iCloud Drive (~/Library/Mobile Documents)'],
  ])('a checkout under ~/%s gets a WARN at install', (folder, where) => {
    const s = setup();
    const guarded = path.join(s.home, folder);
    fs.ensureDirSync(guarded);
    fs.moveSync(s.clone.machine, path.join(guarded, 'valor'));
    const result = spawnSync('bash', [path.join(guarded, 'valor', 'scripts', 'valor-service.sh'), 'install'], {
      cwd: '/',
      env: { PATH: `${s.launchctl.binDir}:${process.env.PATH}`, HOME: s.home, FAKE_LAUNCHD_DIR: s.launchctl.stateDir },
      encoding: 'utf8',
    });
    fs.moveSync(path.join(guarded, 'valor'), s.clone.machine);
    expect(result.stdout).toContain(
      `[valor-service] WARN: this checkout is in ${where}, which macOS protects: the agents cannot read it until you allow it (System Settings › Privacy & Security). A checkout elsewhere, e.g. ~/src, needs no approval.\n`,
    );
  });

  it('is idempotent: a second install leaves the same files and both agents loaded', () => {
    const s = setup();
    s.service('install');
    const first = fs.readFileSync(path.join(s.home, 'Library', 'LaunchAgents', `${BRIDGE}.plist`), 'utf8');

    expect(s.service('install').code).toBe(0);

    expect(fs.readFileSync(path.join(s.home, 'Library', 'LaunchAgents', `${BRIDGE}.plist`), 'utf8')).toBe(first);
    expect(s.launchctl.calls().filter((c) => c.startsWith('bootout'))).toEqual([`bootout gui/${uid}/${BRIDGE}`, `bootout gui/${uid}/${UPDATE}`]);
    expect(s.launchctl.loaded(BRIDGE) && s.launchctl.loaded(UPDATE)).toBe(true);
  });

  it('retries launchd\'s transient "Bootstrap failed: 5: Input/output error" with a short backoff', () => {
    const s = setup();
    s.launchctl.transientBootstrapFailures(BRIDGE, 2);

    expect(s.service('install').code).toBe(0);

    expect(s.launchctl.calls().filter((c) => c.startsWith('bootstrap') && c.includes(BRIDGE))).toHaveLength(3);
    expect(s.launchctl.loaded(BRIDGE)).toBe(true);
  });

  it('a bootstrap launchd refuses: its own message, and which agents were and were not installed', () => {
    const s = setup();
    s.launchctl.refuse(UPDATE, 'bootstrap', 1, 'Bootstrap failed: 1: Operation not permitted');

    const { code, output } = s.service('install');

    expect(code).toBe(1);
    expect(output).toContain(`[valor-service] FAIL: ${UPDATE} NOT installed: launchctl bootstrap: Bootstrap failed: 1: Operation not permitted`);
    expect(output).toContain(`[valor-service] Install incomplete. Installed: ${BRIDGE}. Not installed: ${UPDATE}.`);
  });

  it('a reinstall whose bootout launchd refuses keeps the loaded copy and says so', () => {
    const s = setup();
    s.service('install');
    s.launchctl.refuse(BRIDGE, 'bootout', 1, 'Boot-out failed: 1: Operation not permitted');

    const { code, output } = s.service('install');

    expect(code).toBe(1);
    expect(output).toContain(`[valor-service] FAIL: ${BRIDGE} NOT installed: launchctl bootout: Boot-out failed: 1: Operation not permitted`);
    expect(output).toContain(`[valor-service] Install incomplete. Installed: ${UPDATE}. Not installed: ${BRIDGE}.`);
    expect(s.launchctl.loaded(BRIDGE)).toBe(true);
  });

  it('never uses the deprecated load / unload', () => {
    const s = setup();
    s.service('install');
    s.service('restart');
    s.service('uninstall');
    expect(s.launchctl.calls().some((c) => /^(load|unload)\b/.test(c))).toBe(false);
  });
});

describe('valor-service.sh uninstall, restart, status, logs, help', () => {
  it('uninstall boots out both agents and removes both files', () => {
    const s = setup();
    s.service('install');

    const { code, output } = s.service('uninstall');

    expect(code).toBe(0);
    expect(output).toContain(`[valor-service] Removed ${BRIDGE}`);
    expect(fs.readdirSync(path.join(s.home, 'Library', 'LaunchAgents'))).toEqual([]);
    expect(s.launchctl.loaded(BRIDGE) || s.launchctl.loaded(UPDATE)).toBe(false);
  });

  it('uninstall of an agent launchd will not boot out keeps its plist and fails, and still removes the other', () => {
    const s = setup();
    s.service('install');
    s.launchctl.refuse(BRIDGE, 'bootout', 1, 'Boot-out failed: 1: Operation not permitted');

    const { code, output } = s.service('uninstall');

    expect(code).toBe(1);
    expect(output).toContain(`[valor-service] FAIL: ${BRIDGE} is still loaded: launchctl bootout: Boot-out failed: 1: Operation not permitted`);
    expect(output).toContain(`[valor-service] Removed ${UPDATE}`);
    expect(fs.readdirSync(path.join(s.home, 'Library', 'LaunchAgents'))).toEqual([`${BRIDGE}.plist`]);
    expect(s.launchctl.loaded(BRIDGE)).toBe(true);
  });

  it('restart sends SIGTERM (never kickstart -k, a SIGKILL): the bridge finishes its work and KeepAlive brings it back', () => {
    const s = setup();
    s.service('install');
    const before = s.launchctl.service(BRIDGE)!.pid;

    const { code, output } = s.service('restart');

    expect(code).toBe(0);
    expect(output).toContain(`[valor-service] Asked ${BRIDGE} (pid ${before}) to stop: it finishes running work (up to 15 s), then launchd starts it again.`);
    expect(s.launchctl.calls()).toContain(`kill SIGTERM gui/${uid}/${BRIDGE}`);
    expect(s.launchctl.calls().some((c) => c.startsWith('kickstart -k'))).toBe(false);
    expect(s.launchctl.service(BRIDGE)!.pid).not.toBe(before);
  });

  it('restart of a bridge loaded but not running starts it with a plain kickstart', () => {
    const s = setup();
    s.service('install');
    s.launchctl.calls();
    const state = path.join(s.launchctl.stateDir, 'state.json');
    const json = fs.readJsonSync(state) as { services: Record<string, { pid?: number; state: string }> };
    delete json.services[BRIDGE]!.pid;
    json.services[BRIDGE]!.state = 'not running';
    fs.writeJsonSync(state, json);

    const { code, output } = s.service('restart');

    expect(code).toBe(0);
    expect(output).toContain(`[valor-service] Started ${BRIDGE}, which was not running.`);
    expect(s.launchctl.calls()).toContain(`kickstart gui/${uid}/${BRIDGE}`);
  });

  it('restart of a bridge not installed says to install it', () => {
    const s = setup();
    const { code, output } = s.service('restart');
    expect(code).toBe(1);
    expect(output.trim()).toBe(`[valor-service] FAIL: ${BRIDGE} is not loaded: run scripts/valor-service.sh install`);
  });

  it('status: each agent loaded from this checkout, enabled, running, runs and last exit; the last update from data/last-update; exit 0', () => {
    const s = setup();
    s.service('install');
    fs.outputFileSync(
      path.join(s.clone.machine, 'data', 'last-update'),
      'time=2026-11-24T06:00:03Z\ntrigger=schedule\noutcome=updated\nexit=0\nhead=abc\ncommits=2\nsummary=Update complete. 2 commit(s) pulled, restart queued.\n',
    );
    fs.outputFileSync(path.join(s.clone.machine, 'data', 'restart-requested'), '2026-11-24T06:00:03Z 2 commit(s)\n');

    const { code, output } = s.service('status');

    expect(code).toBe(0);
    const agentsDir = path.join(s.home, 'Library', 'LaunchAgents');
    expect(output).toContain(`[valor-service] ${BRIDGE}: loaded from ${agentsDir}/${BRIDGE}.plist, enabled, running (pid 4321), 1 run(s), last exit status (never exited)`);
    expect(output).toContain(`[valor-service] ${UPDATE}: loaded from ${agentsDir}/${UPDATE}.plist, enabled, waiting, 0 run(s), last exit status (never exited)`);
    expect(output).toContain('[valor-service] last update: 2026-11-24T06:00:03Z, started by schedule: updated (exit 0) — Update complete. 2 commit(s) pulled, restart queued.');
    expect(output).toContain('[valor-service] restart pending: yes (2026-11-24T06:00:03Z 2 commit(s))');
    expect(output).toContain(`[valor-service] logs: ${path.join(s.clone.machine, 'logs', 'bridge.log')}, ${path.join(s.clone.machine, 'logs', 'update.log')}`);
  });

  it('status: a failed last update, a disabled agent and another checkout\'s plist each need attention: exit 1', () => {
    const s = setup();
    s.service('install');
    s.launchctl.disable(UPDATE);
    const state = path.join(s.launchctl.stateDir, 'state.json');
    const json = fs.readJsonSync(state) as { services: Record<string, { plist: string }> };
    json.services[BRIDGE]!.plist = '/Users/someone/other-checkout/com.valor.bridge.plist';
    fs.writeJsonSync(state, json);
    fs.outputFileSync(
      path.join(s.clone.machine, 'data', 'last-update'),
      'time=2026-11-24T18:00:01Z\ntrigger=schedule\noutcome=failed\nexit=1\nhead=abc\ncommits=0\nsummary=FAIL: git pull --ff-only failed (branches diverged?)\n',
    );

    const { code, output } = s.service('status');

    expect(code).toBe(1);
    expect(output).toContain(`${BRIDGE}: loaded from /Users/someone/other-checkout/com.valor.bridge.plist, NOT this checkout's`);
    expect(output).toContain(`${UPDATE}: loaded from`);
    expect(output).toContain(', disabled, ');
    expect(output).toContain('[valor-service] last update: 2026-11-24T18:00:01Z, started by schedule: failed (exit 1) — FAIL: git pull --ff-only failed (branches diverged?)');
    expect(output).toContain(
      `[valor-service] needs attention: ${BRIDGE} is loaded from another plist; ${UPDATE} is disabled; the last update failed`,
    );
  });

  it('status before install: not loaded, exit 1', () => {
    const s = setup();
    const { code, output } = s.service('status');
    expect(code).toBe(1);
    expect(output).toContain(`[valor-service] ${BRIDGE}: not loaded (enabled)`);
    expect(output).toContain('[valor-service] last update: none recorded yet (data/last-update)');
    expect(output).toContain('[valor-service] restart pending: no');
  });

  it('status of a held machine: ⏸ and the hold set by valor-service.sh hold, no problem (exit 0); "hold: no" once resumed', () => {
    const s = setup({ env: { USER: 'tom' } });
    s.service('install');
    const held = s.service('hold', 'for', '4h', 'the', 'demo');
    expect(held.code).toBe(0);

    let { code, output } = s.service('status');
    expect(code).toBe(0);
    expect(output).toMatch(
      /^\[valor-service\] hold: ⏸ held by tom until \d\d:\d\d UTC \(the demo\): scheduled runs and \/update skip the update until then; scripts\/valor-service\.sh resume releases it$/m,
    );
    expect(output).not.toContain('needs attention');

    expect(s.service('resume').code).toBe(0);
    ({ code, output } = s.service('status'));
    expect(code).toBe(0);
    expect(output).toContain('[valor-service] hold: no\n');
  });

  it('status with no service manager (neither launchctl nor systemctl) shows what needs none; install says one is needed, exit 2, nothing written', () => {
    const s = setup({ withLaunchctl: false });
    fs.outputFileSync(path.join(s.clone.machine, 'data', 'restart-requested'), '2026-11-24T06:00:03Z 1 commit(s)\n');

    const status = s.service('status');
    expect(status.code).toBe(0);
    expect(status.output).toContain(
      '[valor-service] no service manager here: the bridge runs under launchd (macOS, launchctl) or a systemd user manager (Linux, systemctl), and neither is on PATH. The jobs cannot be shown.\n',
    );
    expect(status.output).toContain('[valor-service] restart pending: yes (2026-11-24T06:00:03Z 1 commit(s))');

    const { code, output } = s.service('install');
    expect(code).toBe(2);
    expect(output.trim()).toBe(
      '[valor-service] FAIL: no service manager here: the bridge runs under launchd (macOS, launchctl) or a systemd user manager (Linux, systemctl), and neither is on PATH. Nothing was changed.',
    );
    expect(fs.existsSync(path.join(s.home, 'Library'))).toBe(false);
    expect(fs.existsSync(path.join(s.clone.machine, 'logs'))).toBe(false);
  });

  it('logs prints the last lines of both logs', () => {
    const s = setup({ withLaunchctl: false });
    const lines = Array.from({ length: 30 }, (_, i) => `line ${i + 1}`).join('\n');
    fs.outputFileSync(path.join(s.clone.machine, 'logs', 'bridge.log'), `${lines}\n`);

    const { code, output } = s.service('logs');

    expect(code).toBe(0);
    expect(output).toContain('[valor-service] logs/bridge.log (last 20 lines):\nline 11\n');
    expect(output).not.toContain('line 10\n');
    expect(output).toContain('[valor-service] logs/update.log: none yet');
  });

  it.each(['status', 'install'])('%s before npm ci: one line saying to run npm ci first, exit 2, nothing written', (command) => {
    const s = setup();
    fs.removeSync(path.join(s.clone.machine, 'node_modules'));

    const { code, output } = s.service(command);

    expect(code).toBe(2);
    expect(output).toBe(`[valor-service] the dependencies are not installed: run npm ci first (in ${s.clone.machine}), then run this again.\n`);
    expect(fs.existsSync(path.join(s.home, 'Library'))).toBe(false);
    expect(s.launchctl.calls()).toEqual([]);
  });

  it.each(['help', '-h', '--help'])('%s prints one line per command, exit 0', (flag) => {
    const s = setup();
    const { code, output } = s.service(flag);
    expect(code).toBe(0);
    expect(output).toContain('Usage: scripts/valor-service.sh <command>');
    for (const command of ['install', 'uninstall', 'restart', 'status', 'logs', 'hold', 'resume', 'help']) expect(output).toMatch(new RegExp(`^  ${command} `, 'm'));
  });

  it.each(['reload', 'toString'])('an unknown command (%j): named, with the usage, exit 2', (command) => {
    const s = setup();
    const { code, output } = s.service(command);
    expect(code).toBe(2);
    expect(output).toContain(`[valor-service] unknown command '${command}'`);
    expect(output).toContain('Usage: scripts/valor-service.sh <command>');
  });
});

describe('the agents run in launchd\'s own environment', () => {
  it('the update job, from its plist under env -i, pulls, queues a restart and records the schedule as its trigger', async () => {
    const s = setup();
    expect(s.service('install', '--jitter', '0').code).toBe(0);
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

  it('the update job, from its plist under env -i, then checks the bridge: one that did not come back is recorded and posted (settings from .env)', async () => {
    const s = setup();
    expect(s.service('install', '--jitter', '0').code).toBe(0);
    const api = await botApi();
    fs.writeFileSync(path.join(s.clone.machine, '.env'), `VALOR_ALERT_BOT_TOKEN=42:tok\nVALOR_ALERT_CHAT=-100777\nVALOR_ALERT_API_URL=${api.url}\nVALOR_MACHINE_NAME=studio\n`);
    const stoppedAt = new Date(Date.now() - 10 * 60_000);
    writeBeacon(path.join(s.clone.machine, 'data', 'bridge.json'), {
      pid: 1,
      commit: '0000000000000000000000000000000000000000',
      subject: 'old',
      machine: 'studio',
      startedAt: stoppedAt.toISOString(),
      readyAt: stoppedAt.toISOString(),
      stoppedAt: stoppedAt.toISOString(),
      exitCode: 0,
    });
    s.launchctl.exited(BRIDGE, 1);

    const code = await runLikeLaunchd(s.plist(UPDATE) as unknown as LaunchdJob, [], '', s.launchctl);
    await api.close();

    expect(code).toBe(0);
    const line = `bridge not running since ${stoppedAt.toISOString().replace(/\.\d+Z$/, 'Z')} (launchd: last exit 1)`;
    const log = fs.readFileSync(path.join(s.clone.machine, 'logs', 'update.log'), 'utf8');
    expect(log).toContain('[remote-update] Already up to date.');
    expect(log).toContain(`[bridge-health] ${line}\n[bridge-health] alert sent: ${line}\n`);
    expect(log).not.toContain('waiting');
    expect(api.posts.map((post) => `${post.path} ${post.text}`)).toEqual([`/bot42:tok/sendMessage studio: ${line}`]);
    const record = fs.readFileSync(path.join(s.clone.machine, 'data', 'last-update'), 'utf8');
    expect(record).toContain('\ntrigger=schedule\n');
    expect(record).toContain(`\nbridge=${line}\n`);
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

describe('the name this machine answers with', () => {
  it("install prints it and status shows it: the computer's name (scutil), unless VALOR_MACHINE_NAME says another", () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'valor-name-'));
    const scutil = fakeScutil(dir, { name: 'Studio' });
    const s = setup({ pathBefore: [scutil.binDir] });

    expect(s.service('install').output).toContain(
      '[valor-service] Machine name: Studio (replies and notices start with it; VALOR_MACHINE_NAME in .env sets another)\n',
    );
    expect(s.service('status').output).toContain('[valor-service] machine name: Studio\n');
    expect(scutil.calls()).toEqual(['--get ComputerName', '--get ComputerName']);

    fs.writeFileSync(path.join(s.clone.machine, '.env'), 'VALOR_MACHINE_NAME=mini-2\n');
    expect(s.service('status').output).toContain('[valor-service] machine name: mini-2\n');
    fs.removeSync(dir);
  });

  it('a scutil that fails: the host name without .local', () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'valor-name-'));
    const s = setup({ pathBefore: [fakeScutil(dir, 'fails').binDir] });
    expect(s.service('status').output).toContain(`[valor-service] machine name: ${os.hostname().replace(/\.local$/i, '')}\n`);
    fs.removeSync(dir);
  });
});

describe("the agents' environment", () => {
  it('carries a UTF-8 LANG, which launchd does not give: the agent command runs with it', async () => {
    const s = setup();
    fs.writeFileSync(path.join(s.clone.machine, '.env'), 'VALOR_AGENT_CMD=cat >/dev/null; echo "LANG=$LANG"\n');
    s.service('install');

    const code = await runLikeLaunchd(s.plist(BRIDGE) as unknown as LaunchdJob, ['--console'], 'hello\n');

    expect(code).toBe(0);
    expect(fs.readFileSync(path.join(s.clone.machine, 'logs', 'bridge.log'), 'utf8')).toContain('\nLANG=en_US.UTF-8\n');
  });
});

describe('the update schedule', () => {
  const plistPath = (s: Setup) => path.join(s.home, 'Library', 'LaunchAgents', `${UPDATE}.plist`);

  it('--every 30m: StartInterval 1800 and no calendar, at load too, the jitter as the script\'s argument; status shows it', () => {
    const s = setup();
    const { code, output } = s.service('install', '--every', '30m', '--jitter', '2m');

    expect(code).toBe(0);
    const update = s.plist(UPDATE);
    expect(update.StartInterval).toBe(1800);
    expect(update.StartCalendarInterval).toBeUndefined();
    expect(update.RunAtLoad).toBe(true);
    expect(update.ProgramArguments).toEqual(['/bin/bash', path.join(s.clone.machine, 'scripts', 'scheduled-update.sh'), '--jitter', '120']);
    const line = '[valor-service] Update schedule: every 30 min, and at load (login, boot); each after a random delay of up to 2 min';
    expect(output).toContain(line);
    expect(s.service('status').output).toContain(line.replace('Update schedule', 'update schedule'));
  });

  it('--at 18:30,6:05: one calendar entry per time, sorted; --at=… and --jitter=0 work too', () => {
    const s = setup();
    expect(s.service('install', '--at=18:30,6:05', '--jitter=0').code).toBe(0);
    const update = s.plist(UPDATE);
    expect(update.StartCalendarInterval).toEqual([
      { Hour: 6, Minute: 5 },
      { Hour: 18, Minute: 30 },
    ]);
    expect(update.StartInterval).toBeUndefined();
    expect((update.ProgramArguments as string[]).slice(2)).toEqual(['--jitter', '0']);
    expect(s.service('status').output).toContain('[valor-service] update schedule: at 06:05, 18:30 (local time), and at load (login, boot); with no random delay');
  });

  it('a reinstall without options keeps the installed schedule; --at replaces an --every', () => {
    const s = setup();
    s.service('install', '--every', '2h', '--jitter', '10m');
    s.service('install');
    expect(s.plist(UPDATE)).toMatchObject({ StartInterval: 7200, ProgramArguments: expect.arrayContaining(['--jitter', '600']) });

    s.service('install', '--at', '07:00');
    const update = s.plist(UPDATE);
    expect(update.StartInterval).toBeUndefined();
    expect(update.StartCalendarInterval).toEqual([{ Hour: 7, Minute: 0 }]);
    expect(update.ProgramArguments).toEqual(expect.arrayContaining(['--jitter', '600']));
  });

  it.each([
    [['--every', '0'], "--every must be between 5m and 24h (got '0')"],
    [['--every', '30x'], "--every takes a duration such as 5m, 5h (got '30x')"],
    [['--every', '30'], "--every takes a duration such as 5m, 5h (got '30')"],
    [['--at', '25:00'], "--at takes times of day as HH:MM, separated by commas, e.g. 06:00,18:00 (got '25:00')"],
    [['--at', '06:00,'], "--at takes times of day as HH:MM, separated by commas, e.g. 06:00,18:00 (got '')"],
    [['--every', '30m', '--at', '06:00'], 'give either --every or --at, not both'],
    [['--jitter', '5h'], "--jitter takes a duration such as 5s, 5m (got '5h')"],
    [['--every', '10m', '--jitter', '10m'], "--jitter must be at most 60m and shorter than the time between two runs (got '10m')"],
    [['--every'], 'install: --every needs a value'],
    [['--evry', '30m'], "install: unknown option '--evry' (install takes --every 30m, or --at 06:00,18:00, and --jitter 5m)"],
  ])('install %j: one line, exit 2, nothing written or asked of launchd', (args, message) => {
    const s = setup();
    const { code, output } = s.service('install', ...args);
    expect(code).toBe(2);
    expect(output).toBe(`[valor-service] FAIL: ${message}. Nothing was changed.\n`);
    expect(fs.existsSync(path.join(s.home, 'Library'))).toBe(false);
    expect(s.launchctl.calls()).toEqual([]);
  });

  it('a bad value on a reinstall leaves the installed plist as it was', () => {
    const s = setup();
    s.service('install', '--every', '30m');
    const before = fs.readFileSync(plistPath(s), 'utf8');
    expect(s.service('install', '--at', '24:00').code).toBe(2);
    expect(fs.readFileSync(plistPath(s), 'utf8')).toBe(before);
  });

  it('the default jitter is cut to half the interval for a short --every', () => {
    const s = setup();
    expect(s.service('install', '--every', '5m').code).toBe(0);
    expect(s.plist(UPDATE).ProgramArguments).toEqual(expect.arrayContaining(['--jitter', '150']));
  });
});

describe('status: what runs, and what needs attention', () => {
  const HOUR_AGO = new Date(Date.now() - 3600_000).toISOString();

  function beacon(s: Setup, change: Partial<BridgeBeacon> = {}): BridgeBeacon {
    const value: BridgeBeacon = {
      pid: s.launchctl.service(BRIDGE)!.pid!,
      commit: git(s.clone.machine, 'rev-parse', 'HEAD'),
      subject: 'Initial project',
      machine: 'studio',
      startedAt: HOUR_AGO,
      readyAt: HOUR_AGO,
      stoppedAt: null,
      exitCode: null,
      ...change,
    };
    writeBeacon(path.join(s.clone.machine, 'data', 'bridge.json'), value);
    return value;
  }

  function record(s: Setup, outcome: string, extra = '', time = new Date().toISOString().replace(/\.\d+Z$/, 'Z')): void {
    fs.outputFileSync(
      path.join(s.clone.machine, 'data', 'last-update'),
      `time=${time}\ntrigger=schedule\noutcome=${outcome}\nexit=0\nhead=abc\ncommits=1\nsummary=Update complete. 1 commit(s) pulled, restart queued.\n${extra}`,
    );
  }

  /** Pulls one new commit into the checkout, as the update script does, without a restart flag. */
  function pullOne(s: Setup): string {
    s.clone.push('notes.txt', 'new', 'Add release notes');
    git(s.clone.machine, 'pull', '-q', '--ff-only');
    return git(s.clone.machine, 'rev-parse', 'HEAD');
  }

  function flag(s: Setup, minutesAgo: number): void {
    const file = path.join(s.clone.machine, 'data', 'restart-requested');
    fs.outputFileSync(file, '2026-11-24T06:00:03Z 1 commit(s)\n');
    const at = new Date(Date.now() - minutesAgo * 60_000);
    fs.utimesSync(file, at, at);
  }

  it('the bridge on the checkout\'s commit: running <sha> since <time>, the checkout, the upstream as last fetched; exit 0', () => {
    const s = setup();
    s.service('install');
    const running = beacon(s);
    s.clone.push('notes.txt', 'new', 'Add release notes');
    git(s.clone.machine, 'fetch', '-q');
    const upstream = git(s.clone.machine, 'rev-parse', '--short=7', 'origin/main');

    const { code, output } = s.service('status');

    expect(code).toBe(0);
    const sha = running.commit.slice(0, 7);
    expect(output).toContain(`[valor-service] bridge: running ${sha} since ${HOUR_AGO.replace(/\.\d+Z$/, 'Z')} (pid ${running.pid}) — Initial project\n`);
    expect(output).toContain(`[valor-service] checkout: ${sha} — Initial project\n`);
    expect(output).toMatch(
      new RegExp(`\\[valor-service\\] upstream: ${upstream} — Add release notes \\(origin/main, last fetched \\d{4}-\\d\\d-\\d\\dT\\d\\d:\\d\\d:\\d\\dZ; 1 commit\\(s\\) not in the checkout yet\\)\n`),
    );
    expect(output).not.toContain('needs attention');
  });

  it('the bridge on an older commit with no restart pending needs attention', () => {
    const s = setup();
    s.service('install');
    const old = beacon(s);
    const head = pullOne(s);

    const { code, output } = s.service('status');

    expect(code).toBe(1);
    expect(output).toContain(
      `[valor-service] needs attention: bridge still on ${old.commit.slice(0, 7)} while the checkout is at ${head.slice(0, 7)}, and no restart is pending (launchd: running, pid ${old.pid})\n`,
    );
  });

  it('a restart pending for a minute is fine; one pending for ten minutes needs attention', () => {
    const s = setup();
    s.service('install');
    const old = beacon(s);
    const head = pullOne(s);
    flag(s, 1);
    expect(s.service('status').code).toBe(0);

    flag(s, 10);
    const { code, output } = s.service('status');
    expect(code).toBe(1);
    expect(output).toMatch(
      new RegExp(`needs attention: bridge still on ${old.commit.slice(0, 7)}: the restart asked at \\S+Z for ${head.slice(0, 7)} has not happened \\(launchd: running, pid ${old.pid}\\)\n`),
    );
  });

  it('an update since the bridge started that queued no restart (.restartignore) needs none', () => {
    const s = setup();
    s.service('install');
    beacon(s);
    pullOne(s);
    record(s, 'updated');
    const { code, output } = s.service('status');
    expect(output).not.toContain('needs attention');
    expect(code).toBe(0);
  });

  it('a bridge whose beacon says stopped, with a restart asked long ago: not running since its stop', () => {
    const s = setup();
    s.service('install');
    const stoppedAt = new Date(Date.now() - 20 * 60_000).toISOString();
    const old = beacon(s, { stoppedAt, exitCode: 0 });
    pullOne(s);
    flag(s, 20);

    const { code, output } = s.service('status');

    expect(code).toBe(1);
    expect(output).toContain(`[valor-service] bridge: not running: ${old.commit.slice(0, 7)} stopped at ${stoppedAt.replace(/\.\d+Z$/, 'Z')} (exit 0)\n`);
    expect(output).toContain(`needs attention: bridge not running since ${stoppedAt.replace(/\.\d+Z$/, 'Z')} (launchd: running, pid ${old.pid})`);
  });

  it('updated-with-conflict: which stash entry holds the edits, and how to get them back', () => {
    const s = setup();
    s.service('install');
    beacon(s);
    record(s, 'updated-with-conflict', 'stash=stash@{1}\n');

    const { code, output } = s.service('status');

    expect(code).toBe(1);
    const line = 'the last update could not put your local edits back: they are in stash@{1}; get them back with git stash pop stash@{1}';
    expect(output).toContain(`[valor-service] local edits: ${line}\n`);
    expect(output).toContain(`[valor-service] needs attention: ${line}\n`);
  });

  it('a restart the bridge refused (the `restart` key) needs attention', () => {
    const s = setup();
    s.service('install');
    beacon(s);
    pullOne(s);
    record(s, 'updated', 'restart=not restarting: 1a2b3c4 fails its self-test: SyntaxError; still running 0f0f0f0\n');

    const { code, output } = s.service('status');

    expect(code).toBe(1);
    expect(output).toContain('[valor-service] restart: not restarting: 1a2b3c4 fails its self-test: SyntaxError; still running 0f0f0f0\n');
    expect(output).toContain('[valor-service] needs attention: not restarting: 1a2b3c4 fails its self-test: SyntaxError; still running 0f0f0f0\n');
  });

  it('what the health check recorded (`bridge`, `bridge_log`) is shown; it needs attention until the bridge is back', () => {
    const s = setup();
    s.service('install');
    const recorded = 'bridge=bridge not running since 2026-11-24T06:01:00Z (launchd: last exit 1)\nbridge_log=Error: boom | at main.ts:3\n';
    record(s, 'updated', recorded);
    beacon(s, { readyAt: null, startedAt: new Date().toISOString() });

    let { code, output } = s.service('status');
    expect(code).toBe(1);
    expect(output).toContain('[valor-service] bridge check of the last update run: bridge not running since 2026-11-24T06:01:00Z (launchd: last exit 1)\n');
    expect(output).toContain('[valor-service] bridge log as it then ended:\n[valor-service]   Error: boom\n[valor-service]   at main.ts:3\n');
    expect(output).toContain('[valor-service] needs attention: bridge not running since 2026-11-24T06:01:00Z (launchd: last exit 1)\n');

    beacon(s);
    ({ code, output } = s.service('status'));
    expect(code).toBe(0);
    expect(output).toContain('bridge check of the last update run: bridge not running since 2026-11-24T06:01:00Z (launchd: last exit 1) (it has recovered since)\n');
  });

  it("a bridge whose git cannot run (a macOS upgrade): its commit unknown in git's words, and the fix; this shell's git failing too says it once", () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'valor-git-'));
    const broken = brokenGit(dir);
    broken.fix();
    const s = setup({ pathBefore: [broken.binDir] });
    s.service('install');
    const running = beacon(s, { commit: '', subject: '', gitFault: XCRUN_ERROR });
    const fix = 'git cannot run: install the Command Line Tools again (a macOS upgrade removes them): xcode-select --install';

    let { code, output } = s.service('status');
    expect(code).toBe(1);
    expect(output).toContain(`[valor-service] bridge: running commit unknown (git: ${XCRUN_ERROR}) since ${HOUR_AGO.replace(/\.\d+Z$/, 'Z')} (pid ${running.pid})\n`);
    expect(output).toContain(`[valor-service] checkout: ${git(s.clone.machine, 'rev-parse', '--short=7', 'HEAD')} — Initial project\n`);
    expect(output).toContain(`[valor-service] needs attention: ${fix}\n`);

    broken.breakAgain();
    ({ code, output } = s.service('status'));
    expect(code).toBe(1);
    expect(output).toContain(`[valor-service] checkout: unknown (git: ${XCRUN_ERROR})\n`);
    expect(output).toContain(`[valor-service] needs attention: ${fix}\n`);

    broken.fix();
    beacon(s); // the bridge asked git again, and it answered
    expect(s.service('status').code).toBe(0);
    fs.removeSync(dir);
  });

  it("the agents' node folder removed (nvm uninstall) needs attention", () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'valor-nvm-'));
    const nvmBin = path.join(dir, '.nvm', 'versions', 'node', 'v20.12.0', 'bin');
    fs.outputFileSync(path.join(nvmBin, 'node'), `#!/bin/sh\nexec "${process.execPath}" "$@"\n`, { mode: 0o755 });
    const s = setup({ pathBefore: [nvmBin] });
    const result = s.service('install');
    expect(result.output).toContain(
      `[valor-service] WARN: the agents' node is in nvm's folder for v20.12.0 (${nvmBin}): after nvm uninstall v20.12.0 the bridge cannot start. Then run scripts/valor-service.sh install again from a shell whose node you keep (with nvm, choose the version you keep: nvm alias default <version>), or put a node that outlives upgrades (Homebrew's) first on PATH.\n`,
    );
    beacon(s);
    expect(s.service('status').code).toBe(0);

    fs.removeSync(path.join(dir, '.nvm', 'versions', 'node', 'v20.12.0'));

    const { code, output } = s.service('status');
    expect(code).toBe(1);
    expect(output).toContain(`needs attention: the agents' node folder ${nvmBin} no longer exists (nvm's v20.12.0 was removed): run scripts/valor-service.sh install again\n`);
    fs.removeSync(dir);
  });

  it('a plist written by an older version (the update job running remote-update.sh, not at load) needs a reinstall', () => {
    const s = setup();
    s.service('install');
    beacon(s);
    expect(s.service('status').code).toBe(0);
    const file = path.join(s.home, 'Library', 'LaunchAgents', `${UPDATE}.plist`);
    const old = fs
      .readFileSync(file, 'utf8')
      .replace(/scheduled-update\.sh<\/string>\s*<string>--jitter<\/string>\s*<string>300<\/string>/, 'remote-update.sh</string>')
      .replace(/<key>RunAtLoad<\/key>\s*<true\/>/, '<key>RunAtLoad</key><false/>');
    expect(old).toContain('remote-update.sh</string>');
    fs.writeFileSync(file, old);

    const { code, output } = s.service('status');

    expect(code).toBe(1);
    expect(output).toContain(`needs attention: ${file} is not what this checkout installs now (written by an older version?): run scripts/valor-service.sh install again\n`);
    expect(s.service('install').code).toBe(0);
    beacon(s); // the bridge that launchd started again
    expect(s.service('status').code).toBe(0);
  });

  it('a plist from before the agents had a UTF-8 LANG needs a reinstall, which adds it', () => {
    const s = setup();
    s.service('install');
    beacon(s);
    const file = path.join(s.home, 'Library', 'LaunchAgents', `${BRIDGE}.plist`);
    const old = fs.readFileSync(file, 'utf8').replace(/\s*<key>LANG<\/key>\s*<string>en_US\.UTF-8<\/string>/, '');
    expect(old).not.toContain('LANG');
    fs.writeFileSync(file, old);

    const { code, output } = s.service('status');

    expect(code).toBe(1);
    expect(output).toContain(`needs attention: ${file} is not what this checkout installs now (written by an older version?): run scripts/valor-service.sh install again\n`);
    expect(s.service('install').code).toBe(0);
    expect((s.plist(BRIDGE).EnvironmentVariables as Record<string, string>).LANG).toBe('en_US.UTF-8');
  });

  it('install warns of no version folder for a Homebrew node', () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'valor-brew-'));
    const brew = fakeHomebrew(dir, '22.3.0');
    const s = setup({ pathBefore: [brew.bin] });
    expect(s.service('install').output).not.toContain('WARN');
    fs.removeSync(dir);
  });
});
