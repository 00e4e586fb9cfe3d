import { spawn, spawnSync } from 'node:child_process';
import fs from 'fs-extra';
import os from 'node:os';
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

function setup(options: { withLaunchctl?: boolean; pathBefore?: string[]; umask?: string; env?: Record<string, string> } = {}): Setup {
  clone = createProjectClone();
  const home = path.join(clone.dir, 'home');
  fs.ensureDirSync(home);
  const launchctl = fakeLaunchctl(clone.dir);
  const systemPath = [...(options.pathBefore ?? []), process.env.PATH!].join(':');
  const searchPath = options.withLaunchctl === false ? systemPath : `${launchctl.binDir}:${systemPath}`;
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
      ProgramArguments: ['/usr/bin/env', 'node', '--import', 'tsx', 'src/main.ts'],
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

  it('a reinstall waits until the booted-out bridge is gone before bootstrapping it again', () => {
    const s = setup();
    s.service('install');
    s.launchctl.stoppingFor(1500);

    const { code, output } = s.service('install');

    expect(code).toBe(0);
    expect(output).not.toContain('NOT installed');
    const calls = s.launchctl.calls();
    const bootout = calls.indexOf(`bootout gui/${uid}/${BRIDGE}`);
    const bootstrap = calls.findIndex((c, i) => i > bootout && c.startsWith('bootstrap') && c.includes(BRIDGE));
    expect(calls.slice(bootout, bootstrap).filter((c) => c === `print gui/${uid}/${BRIDGE}`).length).toBeGreaterThan(2);
    expect(s.launchctl.loaded(BRIDGE)).toBe(true);
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

  it('a checkout under ~/Documents gets a WARN at install', () => {
    const s = setup();
    const documents = path.join(s.home, 'Documents');
    fs.ensureDirSync(documents);
    fs.moveSync(s.clone.machine, path.join(documents, 'valor'));
    const result = spawnSync('bash', [path.join(documents, 'valor', 'scripts', 'valor-service.sh'), 'install'], {
      cwd: '/',
      env: { PATH: `${s.launchctl.binDir}:${process.env.PATH}`, HOME: s.home, FAKE_LAUNCHD_DIR: s.launchctl.stateDir },
      encoding: 'utf8',
    });
    fs.moveSync(path.join(documents, 'valor'), s.clone.machine);
    expect(result.stdout).toContain('[valor-service] WARN: this checkout is in ~/Documents, which macOS protects');
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

  it('status without launchd shows what needs none; install says launchd is needed, exit 2, nothing written', () => {
    const s = setup({ withLaunchctl: false });
    fs.outputFileSync(path.join(s.clone.machine, 'data', 'restart-requested'), '2026-11-24T06:00:03Z 1 commit(s)\n');

    const status = s.service('status');
    expect(status.code).toBe(0);
    expect(status.output).toContain('[valor-service] launchd: not available here (not macOS); the agents cannot be shown');
    expect(status.output).toContain('[valor-service] restart pending: yes (2026-11-24T06:00:03Z 1 commit(s))');

    const { code, output } = s.service('install');
    expect(code).toBe(2);
    expect(output.trim()).toBe('[valor-service] launchctl not found: the service runs under launchd, which needs macOS. Nothing was changed.');
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

  it.each(['help', '-h', '--help'])('%s prints one line per command, exit 0', (flag) => {
    const s = setup();
    const { code, output } = s.service(flag);
    expect(code).toBe(0);
    expect(output).toContain('Usage: scripts/valor-service.sh <command>');
    for (const command of ['install', 'uninstall', 'restart', 'status', 'logs', 'help']) expect(output).toMatch(new RegExp(`^  ${command} `, 'm'));
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
