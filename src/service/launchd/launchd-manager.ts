import path from 'node:path';
import fs from 'fs-extra';
import { parse } from 'plist';
import { pollUntil } from '../../lib/poll.js';
import { bridgeCommand } from '../bridge-command.js';
import { TemplateError, type ManagerContext, type RenderedJob, type ServiceJob, type ServiceManager } from '../service-manager.js';
import type { Schedule } from '../schedule.js';
import type { Launchctl, LaunchctlResult } from './launchctl.js';
import { installedPlist, isDict, launchdJobs, type LaunchdJob, type PlistDict } from './launchd-jobs.js';
import { guardedFolder, guardedFolderWarning } from './guarded-folders.js';
import { bridgeStateOf, readServiceState, type ServiceState } from './launchd-state.js';
import { scheduleOf, withSchedule } from './plist-schedule.js';
import { renderJob } from './render-plist.js';

/**
 * The service manager of a Mac: two launchd agents in the user's GUI
 * domain, gui/<uid>, installed as plists in ~/Library/LaunchAgents and
 * driven with launchctl bootstrap / bootout / kill / kickstart (never the
 * deprecated load / unload). launchctl, HOME, the uid and the sleep between
 * polls are injected.
 */
export interface LaunchdDeps extends ManagerContext {
  launchctl: Launchctl;
}

/** launchd starts agents with this PATH and nothing else. */
export const LAUNCHD_DEFAULT_PATH = ['/usr/bin', '/bin', '/usr/sbin', '/sbin'];
/** launchd may still hold a label just booted out: bootstrap then fails with error 5. */
export const BOOTSTRAP_RETRY_DELAYS_MS = [250, 500, 1000, 2000];
/** launchd's ExitTimeOut for a plist that sets none (launchd's LAUNCHD_DEFAULT_EXIT_TIMEOUT). */
export const DEFAULT_EXIT_TIMEOUT_S = 20;
/** After a job's ExitTimeOut launchd kills it: this much more for it to leave launchd's list. */
export const BOOTOUT_MARGIN_MS = 5_000;
/** How long install waits for the bridge to have a pid. */
export const START_WAIT_MS = 5_000;
/** Older macOS answers a bootout of a job that does not exit at once with this, and stops it all the same. */
const BOOTOUT_IN_PROGRESS = /\b36: Operation now in progress/;

/** launchctl's own message, or its exit status when it printed nothing. */
function launchctlFailure(subcommand: string, result: LaunchctlResult): string {
  return `launchctl ${subcommand}: ${result.output || `exit ${result.code}`}`;
}

/** Object keys sorted, so that two parsed plists compare by content. */
function canonical(value: unknown): string {
  return JSON.stringify(value, (_, item: unknown) =>
    item !== null && typeof item === 'object' && !Array.isArray(item) ? Object.fromEntries(Object.entries(item).sort(([a], [b]) => a.localeCompare(b))) : item,
  );
}

export function launchdManager(deps: LaunchdDeps): ServiceManager {
  const jobs = launchdJobs(deps.paths);
  const domain = `gui/${deps.uid}`;
  const target = (job: ServiceJob): string => `${domain}/${job.label}`;
  const serviceState = (job: ServiceJob): ServiceState | undefined => readServiceState(deps.launchctl, target(job));

  /** The installed plist, parsed; undefined when there is none or it is not one. */
  const installedJob = (job: ServiceJob): PlistDict | undefined => {
    try {
      const parsed = parse(fs.readFileSync(installedPlist(deps.home, job), 'utf8'));
      return isDict(parsed) ? parsed : undefined;
    } catch {
      return undefined;
    }
  };

  /** The plist install writes; `schedule` is the update job's. */
  const render = (job: LaunchdJob, jobPath: string, schedule: Schedule | undefined): string => {
    const template = job === jobs.update && schedule ? withSchedule(job.template, schedule) : job.template;
    return renderJob(template, job.label, { PROJECT_DIR: deps.paths.root, PATH: jobPath, HOME: deps.home, LOG: job.log, BRIDGE_COMMAND: bridgeCommand(deps.paths) });
  };

  /** How long a bootout may take: launchd sends SIGTERM, waits the plist's ExitTimeOut, then SIGKILL. */
  const bootoutWaitMs = (job: ServiceJob): number => {
    const exitTimeOut = jobs.all.find((each) => each.label === job.label)?.template.ExitTimeOut;
    return (typeof exitTimeOut === 'number' ? exitTimeOut : DEFAULT_EXIT_TIMEOUT_S) * 1000 + BOOTOUT_MARGIN_MS;
  };

  /**
   * Booted out and gone from launchd's list (bounded); returns why not.
   * bootout returns before the job has exited, or, on older macOS, fails
   * with "36: Operation now in progress" while it exits: waited for alike.
   */
  const bootoutAndWait = async (job: ServiceJob): Promise<string | undefined> => {
    if (!serviceState(job)) return undefined;
    const result = deps.launchctl('bootout', target(job));
    const inProgress = result.code !== 0 && BOOTOUT_IN_PROGRESS.test(result.output);
    if (result.code !== 0 && !inProgress && serviceState(job)) return launchctlFailure('bootout', result);
    const limitMs = bootoutWaitMs(job);
    if (await pollUntil(deps.sleep, limitMs, () => serviceState(job) === undefined)) return undefined;
    const said = result.code === 0 ? '' : ` (launchctl bootout: ${result.output})`;
    return `still listed by launchd ${limitMs / 1000} s after bootout${said}: run this again in a minute; if it is still listed then, log out and back in`;
  };

  const bootstrap = async (plistFile: string): Promise<string | undefined> => {
    for (let attempt = 0; ; attempt++) {
      const result = deps.launchctl('bootstrap', domain, plistFile);
      if (result.code === 0) return undefined;
      const transient = /\b5: Input\/output error/.test(result.output);
      const delay = BOOTSTRAP_RETRY_DELAYS_MS[attempt];
      if (!transient || delay === undefined) return launchctlFailure('bootstrap', result);
      await deps.sleep(delay);
    }
  };

  const disabledLabels = (): Set<string> => {
    const output = deps.launchctl('print-disabled', domain).output;
    const disabled = new Set<string>();
    for (const match of output.matchAll(/"([^"]+)" => (disabled|true)/g)) disabled.add(match[1]!);
    return disabled;
  };

  return {
    name: 'launchd',
    jobNoun: 'agents',
    jobs: { bridge: jobs.bridge, update: jobs.update },
    defaultPath: LAUNCHD_DEFAULT_PATH,

    wrongUser() {
      if (deps.sudoUid === undefined) return undefined;
      return `run this without sudo, as the user who logs in (uid ${deps.sudoUid}): launchd agents belong to that user, and under sudo they would go to ${domain} and leave root-owned files in your folder. Nothing was changed.`;
    },

    cannotInstall() {
      if (deps.launchctl('print', domain).code === 0) return undefined;
      return `there is no GUI session for this user (${domain}): launchd agents run only while the user is logged in at the screen. Log in once at the Mac (or turn on automatic login), then run this again. Nothing was changed.`;
    },

    installWarnings() {
      const guarded = guardedFolder(deps.home, deps.paths.root);
      return guarded ? [guardedFolderWarning(guarded)] : [];
    },

    installedSchedule() {
      const installed = installedJob(jobs.update);
      return installed && scheduleOf(installed);
    },

    templateSchedule() {
      const schedule = scheduleOf(jobs.update.template);
      if (!schedule) throw new TemplateError(`${jobs.update.label}: the template has no schedule`);
      return schedule;
    },

    render(jobPath, schedule) {
      return jobs.all.map((job) => ({ job, files: [{ path: installedPlist(deps.home, job), content: render(job, jobPath, schedule) }] }));
    },

    /**
     * Written 0644 whatever the umask (launchd refuses a group-writable plist),
     * enabled (a label disabled by launchctl disable or the Login Items switch
     * cannot be bootstrapped), bootstrapped, confirmed.
     */
    async installJob({ job, files }: RenderedJob) {
      const { path: file, content } = files[0]!; // launchd: one plist per job
      await fs.outputFile(file, content);
      await fs.chmod(file, 0o644);
      const failure = await bootoutAndWait(job);
      if (failure) return failure;
      const enabled = deps.launchctl('enable', target(job));
      if (enabled.code !== 0) return launchctlFailure('enable', enabled);
      const bootstrapFailure = await bootstrap(file);
      if (bootstrapFailure) return bootstrapFailure;
      if (!serviceState(job)) return 'not registered after bootstrap';
      return undefined;
    },

    async uninstallJob(job) {
      const stillLoaded = await bootoutAndWait(job);
      if (stillLoaded) return stillLoaded;
      await fs.remove(installedPlist(deps.home, job));
      return undefined;
    },

    bridgeState() {
      return bridgeStateOf(serviceState(jobs.bridge));
    },

    /** A bridge launchd cannot start (exit 78: program not found) is installed all the same: look for a pid. */
    async bridgeStarted() {
      let state = bridgeStateOf(serviceState(jobs.bridge));
      const running = await pollUntil(deps.sleep, START_WAIT_MS, () => (state = bridgeStateOf(serviceState(jobs.bridge))).pid !== undefined);
      if (running) return undefined;
      return `${jobs.bridge.label} is loaded but not running after ${START_WAIT_MS / 1000} s: launchd's last exit status ${state.lastExit ?? 'none'}. Read ${path.relative(deps.paths.root, jobs.bridge.log)}.`;
    },

    /**
     * SIGTERM, not kickstart -k (SIGKILL): the bridge finishes its running work
     * (up to 15 s) and puts the rest back in its queue; KeepAlive starts it
     * again. A bridge not running is started.
     */
    async restartBridge() {
      const bridge = jobs.bridge;
      const state = serviceState(bridge);
      if (!state) return { ok: false, line: `${bridge.label} is not loaded: run scripts/valor-service.sh install` };
      const args = state.pid ? ['kill', 'SIGTERM', target(bridge)] : ['kickstart', target(bridge)];
      const result = deps.launchctl(...args);
      if (result.code !== 0) return { ok: false, line: launchctlFailure(args[0]!, result) };
      return {
        ok: true,
        line: state.pid
          ? `Asked ${bridge.label} (pid ${state.pid}) to stop: it finishes running work (up to 15 s), then launchd starts it again.`
          : `Started ${bridge.label}, which was not running.`,
      };
    },

    describeJobs() {
      const disabled = disabledLabels();
      const lines: string[] = [];
      const problems: string[] = [];
      for (const job of jobs.all) {
        const state = serviceState(job);
        const enabled = disabled.has(job.label) ? 'disabled' : 'enabled';
        if (disabled.has(job.label)) problems.push(`${job.label} is disabled`);
        if (!state) {
          lines.push(`${job.label}: not loaded (${enabled})`);
          problems.push(`${job.label} is not loaded`);
          continue;
        }
        const ours = installedPlist(deps.home, job);
        const from = state.path === ours ? state.path : `${state.path ?? 'unknown plist'}, NOT this checkout's (${ours})`;
        if (state.path !== ours) problems.push(`${job.label} is loaded from another plist`);
        const running = state.pid ? `running (pid ${state.pid})` : state.state;
        const last = state.lastSignal ? `last signal ${state.lastSignal}` : `last exit status ${state.lastExit ?? 'none yet'}`;
        lines.push(`${job.label}: loaded from ${from}, ${enabled}, ${running}, ${state.runs ?? '?'} run(s), ${last}`);
        if (job === jobs.bridge && !state.pid) problems.push(`${job.label} is not running`);
      }
      return { lines, problems };
    },

    /**
     * An installed plist that differs from what install would write now, with
     * the same PATH and schedule: installed by an older version of this project
     * (say, before the update agent ran at load), or edited by hand.
     */
    outdatedFiles() {
      const problems: string[] = [];
      for (const job of jobs.all) {
        const installed = installedJob(job);
        const env = installed?.EnvironmentVariables;
        if (!installed || !isDict(env) || typeof env.PATH !== 'string') continue;
        const schedule = scheduleOf(installed) ?? scheduleOf(job.template);
        let expected: string;
        try {
          expected = canonical(parse(render(job, env.PATH, schedule)));
        } catch {
          continue;
        }
        if (canonical(installed) !== expected) {
          problems.push(`${installedPlist(deps.home, job)} is not what this checkout installs now (written by an older version?): run scripts/valor-service.sh install again`);
        }
      }
      return problems;
    },

    installedPath() {
      const env = installedJob(jobs.bridge)?.EnvironmentVariables;
      return isDict(env) && typeof env.PATH === 'string' ? env.PATH : undefined;
    },
  };
}
