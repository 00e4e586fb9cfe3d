import path from 'node:path';
import fs from 'fs-extra';
import type { ProjectPaths } from '../../config/paths.js';
import { readBeacon } from '../../restart/bridge-beacon.js';
import { bridgeCommand } from '../bridge-command.js';
import { launchPath, programOf } from '../launch-path.js';
import { versionedNodeWarning } from '../node-folder.js';
import { TemplateError } from '../service-manager.js';
import { describeSchedule, parseSchedule, ScheduleError, type Schedule, type ScheduleOptions } from '../schedule.js';
import { POLL_MS } from '../../lib/poll.js';
import { START_WAIT_MS } from '../install.js';
import { lingeringWarning, readLingering } from './lingering.js';
import { renderUnit } from './render-unit.js';
import { noUserManager, type CommandResult, type RunCommand, type Systemctl } from './systemctl.js';
import { scheduleLines, scheduleOfTimer } from './timer-schedule.js';
import { parseUnit, unitEnvironment, type UnitEntry } from './unit-file.js';
import { installedUnitFile, type SystemdUnit, type SystemdUnits } from './unit-templates.js';
import { describeUnitState, readUnitState, type UnitState } from './unit-state.js';

/**
 * install / uninstall / restart of the systemd user units, and what status
 * needs to tell whether the installed units are this checkout's current
 * ones. systemctl, loginctl, the clock's sleep and the output are injected.
 */
export interface SystemdDeps {
  paths: ProjectPaths;
  /** The three units, read once from their templates. */
  units: SystemdUnits;
  /** ~/.config/systemd/user (./unit-templates.ts). */
  unitDir: string;
  user: string;
  uid: number;
  /** Set by sudo: the user who asked. */
  sudoUid: string | undefined;
  searchPath: string;
  /** VALOR_AGENT_CMD, whose program the bridge must find under systemd. */
  agentCommand: string | undefined;
  systemctl: Systemctl;
  /** For loginctl. */
  run: RunCommand;
  sleep(ms: number): Promise<void>;
  print(line: string): void;
}

/** The PATH systemd's user manager gives units that set none (systemd's built-in default). */
export const SYSTEMD_DEFAULT_PATH = ['/usr/local/sbin', '/usr/local/bin', '/usr/sbin', '/usr/bin', '/sbin', '/bin'];

/** systemctl's own message, or its exit status when it printed nothing. */
function failure(args: readonly string[], result: CommandResult): string {
  return `systemctl --user ${args.join(' ')}: ${result.output || `exit ${result.code}`}`;
}

function systemctlOrFail(deps: SystemdDeps, ...args: string[]): string | undefined {
  const result = deps.systemctl(...args);
  return result.code === 0 ? undefined : failure(args, result);
}

/** Refusals that hold for every command that changes the units. */
export function refusal(deps: SystemdDeps): string | undefined {
  if (deps.sudoUid !== undefined) {
    return `run this without sudo, as the user the bridge runs as (uid ${deps.sudoUid}): systemd user units belong to that user's manager, and under sudo they would go to root's and leave root-owned files in your folder. Nothing was changed.`;
  }
  if (deps.uid === 0) {
    return 'run this as the user the bridge runs as, not as root: systemd user units belong to that user\'s manager. Nothing was changed.';
  }
  return undefined;
}

function noManager(deps: SystemdDeps): string | undefined {
  const said = noUserManager(deps.systemctl);
  if (said === undefined) return undefined;
  return `no systemd user manager answers for ${deps.user} (systemctl --user: ${said}): the service needs one (a container, or WSL without systemd, has none). Nothing was changed.`;
}

/** Says why not (one line, exit 2 for the caller) when the units must not or cannot be changed here. */
function refused(deps: SystemdDeps): boolean {
  const why = refusal(deps) ?? noManager(deps);
  if (why) deps.print(`FAIL: ${why}`);
  return why !== undefined;
}

/** The installed unit, parsed; undefined when there is none. */
export function installedUnit(deps: SystemdDeps, unit: SystemdUnit): UnitEntry[] | undefined {
  try {
    return parseUnit(fs.readFileSync(installedUnitFile(deps.unitDir, unit), 'utf8'));
  } catch {
    return undefined;
  }
}

/** The schedule the installed timer holds, if any. */
export function installedSchedule(deps: SystemdDeps): Schedule | undefined {
  const timer = installedUnit(deps, deps.units.timer);
  return timer && scheduleOfTimer(timer);
}

/** The PATH an installed service runs with, if any. */
export function installedPath(deps: SystemdDeps, unit: SystemdUnit): string | undefined {
  const entries = installedUnit(deps, unit);
  return entries && unitEnvironment(entries).PATH;
}

function render(deps: SystemdDeps, unit: SystemdUnit, path: string, schedule: Schedule): string {
  return renderUnit(unit.template, unit.name, {
    PROJECT_DIR: deps.paths.root,
    PATH: path,
    LOG: unit.log,
    BRIDGE_COMMAND: bridgeCommand(deps.paths),
    SCHEDULE: scheduleLines(schedule),
  });
}

/**
 * An installed unit that differs from what install would write now, with the
 * same PATH and schedule: installed by an older version, or edited by hand.
 */
export function outdatedUnits(deps: SystemdDeps, fallback: Schedule): string[] {
  const path = installedPath(deps, deps.units.bridge);
  const schedule = installedSchedule(deps) ?? fallback;
  const outdated: string[] = [];
  for (const unit of deps.units.all) {
    const file = installedUnitFile(deps.unitDir, unit);
    if (!path || !fs.existsSync(file)) continue;
    let expected: string;
    try {
      expected = render(deps, unit, path, schedule);
    } catch {
      continue;
    }
    if (fs.readFileSync(file, 'utf8') !== expected) {
      outdated.push(`${file} is not what this checkout installs now (written by an older version?): run scripts/valor-service.sh install again`);
    }
  }
  return outdated;
}

/** How long install and restart wait for the bridge to record its start in data/bridge.json: node and tsx take seconds on a small machine. */
export const STARTED_WAIT_MS = 20_000;

/**
 * The bridge started: it runs, and has written data/bridge.json for the pid
 * systemd runs (so its settings were good). A bridge that exits at start has
 * a pid for a second: a pid alone is not enough. Without a pid after
 * START_WAIT_MS, it waits for systemd to settle (past the exit and its
 * ExecStopPost, into the throttle's wait) to say what it says then.
 */
async function confirmStarted(deps: SystemdDeps): Promise<{ started: boolean; state: UnitState | undefined }> {
  for (let waited = 0; ; waited += POLL_MS) {
    const state = readUnitState(deps.systemctl, deps.units.bridge.name);
    if (state?.mainPid && readBeacon(deps.paths.bridgeBeacon)?.pid === state.mainPid) return { started: true, state };
    const settled = !state || !(state.activeState === 'deactivating' || state.subState === 'auto-restart' || (state.activeState === 'activating' && state.restarts === 0));
    if ((!state?.mainPid && settled && waited >= START_WAIT_MS) || waited >= STARTED_WAIT_MS) return { started: false, state };
    await deps.sleep(POLL_MS);
  }
}

/** Why the bridge is not started, for "…, but <why>". */
function notStarted(deps: SystemdDeps, state: UnitState | undefined): string {
  const running = state?.mainPid ? `it has not recorded its start in ${STARTED_WAIT_MS / 1000} s` : 'it is not running';
  return `${running} (systemd: ${describeUnitState(state)}). Read ${path.relative(deps.paths.root, deps.paths.bridgeLog)}.`;
}

/**
 * Written (0644), daemon-reload, all three enabled; the bridge and the timer
 * restarted so that what was written is what runs (the bridge gracefully:
 * SIGTERM, its jobs finish), and one update run started without waiting for
 * it, as launchd's RunAtLoad at bootstrap (and so that --every counts from
 * it). A reinstall without options keeps the schedule.
 */
export async function installUnits(deps: SystemdDeps, options: ScheduleOptions, fallback: Schedule): Promise<number> {
  if (refused(deps)) return 2;
  let schedule: Schedule;
  try {
    schedule = parseSchedule(options, installedSchedule(deps) ?? fallback);
  } catch (error) {
    if (!(error instanceof ScheduleError)) throw error;
    deps.print(`FAIL: ${error.message}. Nothing was changed.`);
    return 2;
  }
  const agentProgram = deps.agentCommand ? programOf(deps.agentCommand) : undefined;
  const found = launchPath(deps.searchPath, agentProgram ? [agentProgram] : [], SYSTEMD_DEFAULT_PATH);
  for (const command of found.missing) deps.print(`note: ${command} is not on PATH now, so the units will not find it either`);
  const versioned = found.found.node ? versionedNodeWarning(found.found.node) : undefined;
  if (versioned) deps.print(versioned);
  let rendered: Array<[SystemdUnit, string]>;
  try {
    rendered = deps.units.all.map((unit) => [unit, render(deps, unit, found.path, schedule)]);
  } catch (error) {
    if (!(error instanceof TemplateError)) throw error;
    deps.print(`FAIL: ${error.message}. Nothing was installed.`);
    return 1;
  }
  await fs.ensureDir(deps.paths.logsDir);
  for (const [unit, text] of rendered) {
    const file = installedUnitFile(deps.unitDir, unit);
    await fs.outputFile(file, text);
    await fs.chmod(file, 0o644);
  }
  const { bridge, update, timer } = deps.units;
  // A bridge an older unit left failed (its start-rate limit) starts again with this one.
  deps.systemctl('reset-failed', bridge.name);
  const failed =
    systemctlOrFail(deps, 'daemon-reload') ??
    systemctlOrFail(deps, 'enable', bridge.name, update.name, timer.name) ??
    systemctlOrFail(deps, 'restart', bridge.name, timer.name) ??
    systemctlOrFail(deps, 'start', '--no-block', update.name);
  if (failed) {
    deps.print(`FAIL: ${failed}`);
    deps.print(`Install incomplete: the units are written to ${deps.unitDir} but not all enabled and started; run this again once the cause is fixed.`);
    return 1;
  }
  for (const [unit] of rendered) deps.print(`Installed ${unit.name} (${installedUnitFile(deps.unitDir, unit)})`);
  deps.print(`PATH for the units: ${found.path}`);
  deps.print(`Update schedule: ${describeSchedule(schedule)}`);
  const warning = lingeringWarning(readLingering(deps.run, deps.user), deps.user);
  if (warning) deps.print(warning);
  const { started, state } = await confirmStarted(deps);
  if (!started) {
    deps.print(`FAIL: ${bridge.name} is installed and enabled, but ${notStarted(deps, state)}`);
    return 1;
  }
  return 0;
}

/** Stopped (the bridge gracefully, up to its TimeoutStopSec), disabled, removed; a run of the update service in progress is stopped too. */
export async function uninstallUnits(deps: SystemdDeps): Promise<number> {
  if (refused(deps)) return 2;
  const { bridge, update, timer } = deps.units;
  const names = [timer.name, bridge.name, update.name];
  const known = names.filter((name) => readUnitState(deps.systemctl, name));
  const installed = deps.units.all.filter((unit) => fs.existsSync(installedUnitFile(deps.unitDir, unit)));
  const failed =
    (known.length > 0 ? systemctlOrFail(deps, 'stop', ...known) : undefined) ??
    (installed.length > 0 ? systemctlOrFail(deps, 'disable', ...installed.map((unit) => unit.name)) : undefined);
  if (failed) {
    deps.print(`FAIL: ${failed}`);
    return 1;
  }
  for (const unit of installed) await fs.remove(installedUnitFile(deps.unitDir, unit));
  const reloaded = systemctlOrFail(deps, 'daemon-reload');
  if (reloaded) {
    deps.print(`FAIL: ${reloaded}`);
    return 1;
  }
  // A unit left failed would still be listed until this.
  deps.systemctl('reset-failed', ...names);
  for (const unit of installed) deps.print(`Removed ${unit.name}`);
  if (installed.length === 0) deps.print(`Nothing to remove: no Valor unit in ${deps.unitDir}`);
  return 0;
}

/**
 * `systemctl restart`: SIGTERM to the bridge alone, which finishes its
 * running work (up to 15 s) and exits; then a new start, at once even if
 * the last start failed (the throttle's wait ends with the stop). Returns
 * when the new bridge has started.
 */
export async function restartBridge(deps: SystemdDeps): Promise<number> {
  if (refused(deps)) return 2;
  const bridge = deps.units.bridge;
  const before = readUnitState(deps.systemctl, bridge.name);
  if (!before || !fs.existsSync(installedUnitFile(deps.unitDir, bridge))) {
    deps.print(`FAIL: ${bridge.name} is not installed: run scripts/valor-service.sh install`);
    return 1;
  }
  const failed = systemctlOrFail(deps, 'restart', bridge.name);
  if (failed) {
    deps.print(`FAIL: ${failed}`);
    return 1;
  }
  const was = before.mainPid ? `pid ${before.mainPid} finished its running work and stopped` : `it was not running (${describeUnitState(before)})`;
  const { started, state } = await confirmStarted(deps);
  if (!started) {
    deps.print(`FAIL: restarted ${bridge.name} (${was}), but ${notStarted(deps, state)}`);
    return 1;
  }
  deps.print(`Restarted ${bridge.name}: ${was}; now ${describeUnitState(state)}.`);
  return 0;
}
