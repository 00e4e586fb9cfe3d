import fs from 'fs-extra';
import path from 'node:path';
import type { ProjectPaths } from '../config/paths.js';
import { parse } from 'plist';
import { installedPlist, isDict, launchAgentsDir, type LaunchdJob, type LaunchdJobs, type PlistDict } from './launchd-jobs.js';
import { versionedNodeWarning } from './node-folder.js';
import { describeSchedule, parseSchedule, scheduleOf, ScheduleError, withSchedule, type Schedule, type ScheduleOptions } from './schedule.js';
import { launchPath, programOf } from './launch-path.js';
import type { Launchctl, LaunchctlResult } from './launchctl.js';
import { readServiceState, type ServiceState } from './launchd-state.js';
import { PlistError, renderJob } from './render-plist.js';
import { reportWhatRuns } from './status-report.js';

/**
 * install / uninstall / restart / status / logs of the launchd agents.
 * launchctl (undefined where there is none), HOME, the uid and the sleep
 * between polls are injected.
 */
export interface ServiceDeps {
  paths: ProjectPaths;
  /** The two jobs, read once from their templates. */
  jobs: LaunchdJobs;
  home: string;
  uid: number;
  /** Set by sudo: the user who asked. */
  sudoUid: string | undefined;
  searchPath: string;
  /** VALOR_AGENT_CMD, whose program the bridge must find under launchd. */
  agentCommand: string | undefined;
  launchctl: Launchctl | undefined;
  sleep(ms: number): Promise<void>;
  print(line: string): void;
}

type Launchd = ServiceDeps & { launchctl: Launchctl };

/** launchd may still hold a label just booted out: bootstrap then fails with error 5. */
export const BOOTSTRAP_RETRY_DELAYS_MS = [250, 500, 1000, 2000];
export const POLL_MS = 250;
/** bootout returns at once; the bridge may take its ExitTimeOut (20 s) to go. */
export const BOOTOUT_WAIT_MS = 25_000;
/** How long install waits for the bridge to have a pid. */
export const START_WAIT_MS = 5_000;
/** Folders macOS keeps from launchd agents until the user approves. */
export const PROTECTED_FOLDERS = ['Desktop', 'Documents', 'Downloads'];

function domain(deps: ServiceDeps): string {
  return `gui/${deps.uid}`;
}

function target(deps: ServiceDeps, job: LaunchdJob): string {
  return `${domain(deps)}/${job.label}`;
}

/** launchctl's own message, or its exit status when it printed nothing. */
function launchctlFailure(subcommand: string, result: LaunchctlResult): string {
  return `launchctl ${subcommand}: ${result.output || `exit ${result.code}`}`;
}

function serviceState(deps: Launchd, job: LaunchdJob): ServiceState | undefined {
  return readServiceState(deps.launchctl, target(deps, job));
}

async function waitFor(deps: ServiceDeps, limitMs: number, done: () => boolean): Promise<boolean> {
  for (let waited = 0; ; waited += POLL_MS) {
    if (done()) return true;
    if (waited >= limitMs) return false;
    await deps.sleep(POLL_MS);
  }
}

/** Refusals that hold for every command that changes launchd. */
function refusal(deps: ServiceDeps): string | undefined {
  if (deps.sudoUid !== undefined) {
    return `run this without sudo, as the user who logs in (uid ${deps.sudoUid}): launchd agents belong to that user, and under sudo they would go to gui/${deps.uid} and leave root-owned files in your folder. Nothing was changed.`;
  }
  return undefined;
}

function noGuiSession(deps: Launchd): string | undefined {
  if (deps.launchctl('print', domain(deps)).code === 0) return undefined;
  return `there is no GUI session for this user (${domain(deps)}): launchd agents run only while the user is logged in at the screen. Log in once at the Mac (or turn on automatic login), then run this again. Nothing was changed.`;
}

function warnProtectedFolder(deps: ServiceDeps): void {
  const relative = path.relative(deps.home, deps.paths.root);
  const top = relative.split(path.sep)[0];
  if (!relative.startsWith('..') && top !== undefined && PROTECTED_FOLDERS.includes(top)) {
    deps.print(
      `WARN: this checkout is in ~/${top}, which macOS protects: the agents cannot read it until you allow it (System Settings › Privacy & Security). A checkout elsewhere, e.g. ~/src, needs no approval.`,
    );
  }
}

/** Booted out and gone from launchd's list (bounded); returns why not. */
async function bootoutAndWait(deps: Launchd, job: LaunchdJob): Promise<string | undefined> {
  if (!serviceState(deps, job)) return undefined;
  const result = deps.launchctl('bootout', target(deps, job));
  if (result.code !== 0 && serviceState(deps, job)) return launchctlFailure('bootout', result);
  const gone = await waitFor(deps, BOOTOUT_WAIT_MS, () => serviceState(deps, job) === undefined);
  return gone ? undefined : `still listed by launchd ${BOOTOUT_WAIT_MS / 1000} s after bootout`;
}

/** The plist install writes; `schedule` is the update job's. */
function render(deps: ServiceDeps, job: LaunchdJob, launchPathValue: string, schedule: Schedule | undefined): string {
  const template = job === deps.jobs.update && schedule ? withSchedule(job.template, schedule) : job.template;
  return renderJob(template, job.label, { PROJECT_DIR: deps.paths.root, PATH: launchPathValue, HOME: deps.home });
}

/** The installed plist, parsed; undefined when there is none or it is not one. */
export function installedJob(deps: ServiceDeps, job: LaunchdJob): PlistDict | undefined {
  try {
    const parsed = parse(fs.readFileSync(installedPlist(deps.home, job), 'utf8'));
    return isDict(parsed) ? parsed : undefined;
  } catch {
    return undefined;
  }
}

/** A reinstall keeps the installed schedule unless told otherwise; a first install takes the template's. */
function chosenSchedule(deps: ServiceDeps, options: ScheduleOptions): Schedule {
  const installed = installedJob(deps, deps.jobs.update);
  const fallback = (installed && scheduleOf(installed)) ?? scheduleOf(deps.jobs.update.template);
  if (!fallback) throw new PlistError(`${deps.jobs.update.label}: the template has no schedule`);
  return parseSchedule(options, fallback);
}

async function bootstrap(deps: Launchd, plistFile: string): Promise<string | undefined> {
  for (let attempt = 0; ; attempt++) {
    const result = deps.launchctl('bootstrap', domain(deps), plistFile);
    if (result.code === 0) return undefined;
    const transient = /\b5: Input\/output error/.test(result.output);
    const delay = BOOTSTRAP_RETRY_DELAYS_MS[attempt];
    if (!transient || delay === undefined) return launchctlFailure('bootstrap', result);
    await deps.sleep(delay);
  }
}

/**
 * Written 0644 whatever the umask (launchd refuses a group-writable plist),
 * enabled (a label disabled by launchctl disable or the Login Items switch
 * cannot be bootstrapped), bootstrapped, confirmed.
 */
async function installJob(deps: Launchd, job: LaunchdJob, xml: string): Promise<string | undefined> {
  const plistFile = installedPlist(deps.home, job);
  await fs.outputFile(plistFile, xml);
  await fs.chmod(plistFile, 0o644);
  const failure = await bootoutAndWait(deps, job);
  if (failure) return failure;
  const enabled = deps.launchctl('enable', target(deps, job));
  if (enabled.code !== 0) return launchctlFailure('enable', enabled);
  const bootstrapFailure = await bootstrap(deps, plistFile);
  if (bootstrapFailure) return bootstrapFailure;
  if (!serviceState(deps, job)) return 'not registered after bootstrap';
  return undefined;
}

/** A bridge launchd cannot start (exit 78: program not found) is loaded all the same: look for a pid. */
async function confirmBridgeRunning(deps: Launchd): Promise<string | undefined> {
  let state: ServiceState | undefined;
  const running = await waitFor(deps, START_WAIT_MS, () => (state = serviceState(deps, deps.jobs.bridge))?.pid !== undefined);
  if (running) return undefined;
  const last = state?.lastSignal ?? state?.lastExit ?? 'none';
  return `${deps.jobs.bridge.label} is loaded but not running after ${START_WAIT_MS / 1000} s: launchd's last exit status ${last}. Read ${deps.jobs.bridge.log}.`;
}

export async function install(deps: Launchd, options: ScheduleOptions = {}): Promise<number> {
  let schedule: Schedule;
  try {
    schedule = chosenSchedule(deps, options);
  } catch (error) {
    if (!(error instanceof ScheduleError)) throw error;
    deps.print(`FAIL: ${error.message}. Nothing was changed.`);
    return 2;
  }
  const refused = refusal(deps) ?? noGuiSession(deps);
  if (refused) {
    deps.print(`FAIL: ${refused}`);
    return refusal(deps) ? 2 : 1;
  }
  warnProtectedFolder(deps);
  const agentProgram = deps.agentCommand ? programOf(deps.agentCommand) : undefined;
  const found = launchPath(deps.searchPath, agentProgram ? [agentProgram] : []);
  for (const command of found.missing) {
    deps.print(`note: ${command} is not on PATH now, so the agents will not find it either`);
  }
  const versioned = found.found.node ? versionedNodeWarning(found.found.node) : undefined;
  if (versioned) deps.print(versioned);
  let rendered: Array<[LaunchdJob, string]>;
  try {
    rendered = deps.jobs.all.map((job) => [job, render(deps, job, found.path, schedule)]);
  } catch (error) {
    if (!(error instanceof PlistError)) throw error;
    deps.print(`FAIL: ${error.message}. Nothing was installed.`);
    return 1;
  }
  await fs.ensureDir(deps.paths.logsDir);
  await fs.ensureDir(launchAgentsDir(deps.home));

  const failures: string[] = [];
  for (const [job, xml] of rendered) {
    const failure = await installJob(deps, job, xml);
    if (failure) {
      failures.push(job.label);
      deps.print(`FAIL: ${job.label} NOT installed: ${failure}`);
    } else {
      deps.print(`Installed ${job.label} (${installedPlist(deps.home, job)})`);
    }
  }
  deps.print(`PATH for the agents: ${found.path}`);
  deps.print(`Update schedule: ${describeSchedule(schedule)}`);
  if (failures.length > 0) {
    const installed = deps.jobs.all.filter((job) => !failures.includes(job.label)).map((job) => job.label);
    deps.print(`Install incomplete. Installed: ${installed.join(', ') || 'none'}. Not installed: ${failures.join(', ')}.`);
    return 1;
  }
  const notRunning = await confirmBridgeRunning(deps);
  if (notRunning) {
    deps.print(`FAIL: ${notRunning}`);
    return 1;
  }
  return 0;
}

export async function uninstall(deps: Launchd): Promise<number> {
  const refused = refusal(deps);
  if (refused) {
    deps.print(`FAIL: ${refused}`);
    return 2;
  }
  let status = 0;
  for (const job of deps.jobs.all) {
    const stillLoaded = await bootoutAndWait(deps, job);
    if (stillLoaded) {
      deps.print(`FAIL: ${job.label} is still loaded: ${stillLoaded}`);
      status = 1;
      continue;
    }
    await fs.remove(installedPlist(deps.home, job));
    deps.print(`Removed ${job.label}`);
  }
  return status;
}

/**
 * SIGTERM, not kickstart -k (SIGKILL): the bridge finishes its running work
 * (up to 15 s) and puts the rest back in its queue; KeepAlive starts it
 * again. A bridge not running is started.
 */
export async function restart(deps: Launchd): Promise<number> {
  const bridge = deps.jobs.bridge;
  const state = serviceState(deps, bridge);
  if (!state) {
    deps.print(`FAIL: ${bridge.label} is not loaded: run scripts/valor-service.sh install`);
    return 1;
  }
  const args = state.pid ? ['kill', 'SIGTERM', target(deps, bridge)] : ['kickstart', target(deps, bridge)];
  const result = deps.launchctl(...args);
  if (result.code !== 0) {
    deps.print(`FAIL: ${launchctlFailure(args[0]!, result)}`);
    return 1;
  }
  deps.print(
    state.pid
      ? `Asked ${bridge.label} (pid ${state.pid}) to stop: it finishes running work (up to 15 s), then launchd starts it again.`
      : `Started ${bridge.label}, which was not running.`,
  );
  return 0;
}

function disabledLabels(deps: Launchd): Set<string> {
  const output = deps.launchctl('print-disabled', domain(deps)).output;
  const disabled = new Set<string>();
  for (const match of output.matchAll(/"([^"]+)" => (disabled|true)/g)) disabled.add(match[1]!);
  return disabled;
}

function jobStatus(deps: Launchd, job: LaunchdJob, disabled: Set<string>, problems: string[]): void {
  const state = serviceState(deps, job);
  const enabled = disabled.has(job.label) ? 'disabled' : 'enabled';
  if (disabled.has(job.label)) problems.push(`${job.label} is disabled`);
  if (!state) {
    deps.print(`${job.label}: not loaded (${enabled})`);
    problems.push(`${job.label} is not loaded`);
    return;
  }
  const ours = installedPlist(deps.home, job);
  const from = state.path === ours ? state.path : `${state.path ?? 'unknown plist'}, NOT this checkout's (${ours})`;
  if (state.path !== ours) problems.push(`${job.label} is loaded from another plist`);
  const running = state.pid ? `running (pid ${state.pid})` : state.state;
  const last = state.lastSignal ? `last signal ${state.lastSignal}` : `last exit status ${state.lastExit ?? 'none yet'}`;
  deps.print(`${job.label}: loaded from ${from}, ${enabled}, ${running}, ${state.runs ?? '?'} run(s), ${last}`);
  if (job.label === deps.jobs.bridge.label && !state.pid) problems.push(`${job.label} is not running`);
}

/** Object keys sorted, so that two parsed plists compare by content. */
function canonical(value: unknown): string {
  return JSON.stringify(value, (_, item: unknown) =>
    item !== null && typeof item === 'object' && !Array.isArray(item) ? Object.fromEntries(Object.entries(item).sort(([a], [b]) => a.localeCompare(b))) : item,
  );
}

/**
 * An installed plist that differs from what install would write now, with
 * the same PATH and schedule: installed by an older version of this project
 * (say, before the update agent ran at load), or edited by hand.
 */
function outdatedPlists(deps: ServiceDeps, problems: string[]): void {
  for (const job of deps.jobs.all) {
    const installed = installedJob(deps, job);
    const env = installed?.EnvironmentVariables;
    if (!installed || !isDict(env) || typeof env.PATH !== 'string') continue;
    const schedule = scheduleOf(installed) ?? scheduleOf(job.template);
    let expected: string;
    try {
      expected = canonical(parse(render(deps, job, env.PATH, schedule)));
    } catch {
      continue;
    }
    if (canonical(installed) !== expected) {
      problems.push(`${installedPlist(deps.home, job)} is not what this checkout installs now (written by an older version?): run scripts/valor-service.sh install again`);
    }
  }
}

export async function status(deps: ServiceDeps): Promise<number> {
  const problems: string[] = [];
  outdatedPlists(deps, problems);
  let bridgeLaunchd: ServiceState | undefined | 'none' = 'none';
  if (deps.launchctl) {
    const launchd = deps as Launchd;
    const disabled = disabledLabels(launchd);
    for (const job of deps.jobs.all) jobStatus(launchd, job, disabled, problems);
    bridgeLaunchd = serviceState(launchd, deps.jobs.bridge);
  } else {
    deps.print('launchd: not available here (not macOS); the agents cannot be shown');
  }
  reportWhatRuns(
    {
      root: deps.paths.root,
      paths: deps.paths,
      installed: { bridge: installedJob(deps, deps.jobs.bridge), update: installedJob(deps, deps.jobs.update) },
      bridgeLaunchd,
      now: Date.now(),
      flag: fs.existsSync(deps.paths.restartFlag) ? fs.readFileSync(deps.paths.restartFlag, 'utf8').trim() : undefined,
      print: deps.print,
    },
    problems,
  );
  deps.print(`logs: ${deps.jobs.all.map((job) => path.join(deps.paths.root, job.log)).join(', ')}`);
  if (problems.length === 0) return 0;
  deps.print(`needs attention: ${problems.join('; ')}`);
  return 1;
}

export const LOG_LINES = 20;

export async function logs(deps: ServiceDeps): Promise<number> {
  for (const job of deps.jobs.all) {
    const file = path.join(deps.paths.root, job.log);
    if (!fs.existsSync(file)) {
      deps.print(`${job.log}: none yet`);
      continue;
    }
    const lines = fs.readFileSync(file, 'utf8').trimEnd().split('\n').slice(-LOG_LINES);
    deps.print(`${job.log} (last ${lines.length} lines):`);
    for (const line of lines) console.log(line);
  }
  return 0;
}
