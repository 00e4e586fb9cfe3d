import path from 'node:path';
import fs from 'fs-extra';
import { formatDuration } from '../../lib/duration.js';
import { POLL_MS } from '../../lib/poll.js';
import { readBeacon } from '../../restart/bridge-beacon.js';
import { launchdJobs } from '../launchd/launchd-jobs.js';
import { scheduleOf } from '../launchd/plist-schedule.js';
import { TemplateError, type ManagerContext, type RenderedJob, type ServiceJob, type ServiceManager } from '../service-manager.js';
import { installedPath, installedSchedule, outdatedUnits, renderedUnit, type UnitFiles } from './installed-units.js';
import { lingeringStatus, lingeringWarning, readLingering } from './lingering.js';
import { noUserManager, type CommandResult, type RunCommand, type Systemctl } from './systemctl.js';
import { installedUnitFile, systemdUnits, userUnitDir, type SystemdUnit } from './unit-templates.js';
import { describeUnitState, readNextRun, readUnitState, unitStatusLine, type UnitState } from './unit-state.js';

/**
 * The service manager of a Linux machine: three systemd user units in the
 * user's manager (the bridge's service; the update's service and its
 * timer), installed in ~/.config/systemd/user and driven with
 * `systemctl --user`. systemctl, loginctl, the clock and the sleep between
 * polls are injected.
 */
export interface SystemdDeps extends ManagerContext {
  systemctl: Systemctl;
  /** For loginctl. */
  run: RunCommand;
  now(): number;
}

/** The PATH systemd's user manager gives units that set none (systemd's built-in default). */
export const SYSTEMD_DEFAULT_PATH = ['/usr/local/sbin', '/usr/local/bin', '/usr/sbin', '/usr/bin', '/sbin', '/bin'];
/** How long install waits for a bridge that is not running to settle before it says so. */
export const START_WAIT_MS = 5_000;
/** How long install and restart wait for the bridge to record its start in data/bridge.json: node and tsx take seconds on a small machine. */
export const STARTED_WAIT_MS = 20_000;

/** systemctl's own message, or its exit status when it printed nothing. */
function failure(args: readonly string[], result: CommandResult): string {
  return `systemctl --user ${args.join(' ')}: ${result.output || `exit ${result.code}`}`;
}

/** Why no user manager answers, as install and the rest say it; undefined when one does. */
export function noManagerLine(systemctl: Systemctl, user: string): string | undefined {
  const said = noUserManager(systemctl);
  if (said === undefined) return undefined;
  return `no systemd user manager answers for ${user} (systemctl --user: ${said}): the service needs one (a container, or WSL without systemd, has none). Nothing was changed.`;
}

export function systemdManager(deps: SystemdDeps): ServiceManager {
  const units = systemdUnits(deps.paths);
  const files: UnitFiles = { paths: deps.paths, units, unitDir: userUnitDir(deps.home, deps.xdgConfigHome) };
  const unitFile = (unit: SystemdUnit): string => installedUnitFile(files.unitDir, unit);
  const bridge: ServiceJob = { label: units.bridge.name, log: deps.paths.bridgeLog };
  const update: ServiceJob = { label: units.update.name, log: deps.paths.updateLog };
  /** The update job is a service and the timer that starts it. */
  const unitsOf = (job: ServiceJob): SystemdUnit[] => (job.label === bridge.label ? [units.bridge] : [units.update, units.timer]);
  const state = (unit: SystemdUnit): UnitState | undefined => readUnitState(deps.systemctl, unit.name);

  const systemctl = (...args: string[]): string | undefined => {
    const result = deps.systemctl(...args);
    return result.code === 0 ? undefined : failure(args, result);
  };

  /**
   * The bridge started: it runs, and has written data/bridge.json for the pid
   * systemd runs (so its settings were good). A bridge that exits at start has
   * a pid for a second: a pid alone is not enough. Without a pid after
   * START_WAIT_MS, it waits for systemd to settle (past the exit and its
   * ExecStopPost, into the throttle's wait) to say what it says then.
   */
  const confirmStarted = async (): Promise<{ started: boolean; state: UnitState | undefined }> => {
    for (let waited = 0; ; waited += POLL_MS) {
      const now = state(units.bridge);
      if (now?.mainPid && readBeacon(deps.paths.bridgeBeacon)?.pid === now.mainPid) return { started: true, state: now };
      const settled = !now || !(now.activeState === 'deactivating' || now.subState === 'auto-restart' || (now.activeState === 'activating' && now.restarts === 0));
      if ((!now?.mainPid && settled && waited >= START_WAIT_MS) || waited >= STARTED_WAIT_MS) return { started: false, state: now };
      await deps.sleep(POLL_MS);
    }
  };

  /** Why the bridge is not started, for "…, but <why>". */
  const notStarted = (now: UnitState | undefined): string => {
    const running = now?.mainPid ? `it has not recorded its start in ${STARTED_WAIT_MS / 1000} s` : 'it is not running';
    return `${running} (systemd: ${describeUnitState(now)}). Read ${path.relative(deps.paths.root, deps.paths.bridgeLog)}.`;
  };

  const templateSchedule = () => {
    // The default schedule has one owner, the launchd template; a timer's template holds none.
    const schedule = scheduleOf(launchdJobs(deps.paths).update.template);
    if (!schedule) throw new TemplateError(`${update.label}: the launchd template has no schedule to start from`);
    return schedule;
  };

  return {
    name: 'systemd',
    jobNoun: 'units',
    jobs: { bridge, update },
    defaultPath: SYSTEMD_DEFAULT_PATH,

    wrongUser() {
      if (deps.sudoUid !== undefined) {
        return `run this without sudo, as the user the bridge runs as (uid ${deps.sudoUid}): systemd user units belong to that user's manager, and under sudo they would go to root's and leave root-owned files in your folder. Nothing was changed.`;
      }
      if (deps.uid === 0) return "run this as the user the bridge runs as, not as root: systemd user units belong to that user's manager. Nothing was changed.";
      return undefined;
    },

    cannotInstall() {
      return noManagerLine(deps.systemctl, deps.user);
    },

    installWarnings() {
      const warning = lingeringWarning(readLingering(deps.run, deps.user), deps.user);
      return warning ? [warning] : [];
    },

    installedSchedule() {
      return installedSchedule(files);
    },

    templateSchedule,

    render(jobPath, schedule) {
      return [bridge, update].map((job) => ({
        job,
        files: unitsOf(job).map((unit) => ({ path: unitFile(unit), content: renderedUnit(files, unit, jobPath, schedule) })),
      }));
    },

    /**
     * Written (0644), daemon-reload, enabled; the bridge restarted so that what
     * was written is what runs (gracefully: SIGTERM, its jobs finish; a bridge
     * an older unit left failed starts again); for the update, the timer
     * restarted and one run started without waiting for it, as launchd's
     * RunAtLoad at bootstrap (and so that --every counts from it).
     */
    async installJob({ job, files: written }: RenderedJob) {
      for (const { path: file, content } of written) {
        await fs.outputFile(file, content);
        await fs.chmod(file, 0o644);
      }
      const names = unitsOf(job).map((unit) => unit.name);
      if (job === bridge) deps.systemctl('reset-failed', units.bridge.name);
      const started = job === bridge ? [['restart', units.bridge.name]] : [['restart', units.timer.name], ['start', '--no-block', units.update.name]];
      for (const args of [['daemon-reload'], ['enable', ...names], ...started]) {
        const failed = systemctl(...args);
        if (failed) return failed;
      }
      return undefined;
    },

    /** Stopped (the bridge gracefully, up to its TimeoutStopSec; an update run in progress too), disabled, removed. */
    async uninstallJob(job) {
      const ours = unitsOf(job);
      const known = ours.filter((unit) => state(unit)).map((unit) => unit.name);
      const installed = ours.filter((unit) => fs.existsSync(unitFile(unit)));
      const failed =
        (known.length > 0 ? systemctl('stop', ...known) : undefined) ??
        (installed.length > 0 ? systemctl('disable', ...installed.map((unit) => unit.name)) : undefined);
      if (failed) return failed;
      for (const unit of installed) await fs.remove(unitFile(unit));
      const reloaded = systemctl('daemon-reload');
      if (reloaded) return reloaded;
      // A unit left failed would still be listed until this.
      deps.systemctl('reset-failed', ...ours.map((unit) => unit.name));
      return undefined;
    },

    bridgeState() {
      const now = state(units.bridge);
      return { managed: now !== undefined, pid: now?.mainPid, lastExit: now?.lastExit, summary: describeUnitState(now) };
    },

    async bridgeStarted() {
      const { started, state: now } = await confirmStarted();
      return started ? undefined : `${bridge.label} is installed and enabled, but ${notStarted(now)}`;
    },

    /**
     * `systemctl restart`: SIGTERM to the bridge alone, which finishes its
     * running work (up to 15 s) and exits; then a new start, at once even if
     * the last start failed (the throttle's wait ends with the stop). Returns
     * when the new bridge has started.
     */
    async restartBridge() {
      const before = state(units.bridge);
      if (!before || !fs.existsSync(unitFile(units.bridge))) return { ok: false, line: `${bridge.label} is not installed: run scripts/valor-service.sh install` };
      const failed = systemctl('restart', bridge.label);
      if (failed) return { ok: false, line: failed };
      const was = before.mainPid ? `pid ${before.mainPid} finished its running work and stopped` : `it was not running (${describeUnitState(before)})`;
      const { started, state: now } = await confirmStarted();
      if (!started) return { ok: false, line: `restarted ${bridge.label} (${was}), but ${notStarted(now)}` };
      return { ok: true, line: `Restarted ${bridge.label}: ${was}; now ${describeUnitState(now)}.` };
    },

    describeJobs() {
      const lines: string[] = [];
      const problems: string[] = [];
      for (const unit of units.all) {
        const now = state(unit);
        lines.push(unitStatusLine(unit.name, now));
        if (!now) {
          problems.push(`${unit.name} is not installed`);
          continue;
        }
        if (now.fragmentPath !== unitFile(unit)) problems.push(`${unit.name} is loaded from ${now.fragmentPath}, not ${unitFile(unit)}`);
        if (now.unitFileState !== 'enabled') problems.push(`${unit.name} is ${now.unitFileState || 'not enabled'}`);
        if (now.needsReload) problems.push(`${unit.name} changed on disk since systemd read it: run scripts/valor-service.sh install again`);
        if (unit === units.bridge && !now.mainPid) problems.push(`${unit.name} is not running`);
        if (unit === units.timer && now.activeState !== 'active') problems.push(`${unit.name} is not active: no scheduled run is due`);
      }
      const next = readNextRun(deps.systemctl, units.timer.name);
      if (next !== undefined) lines.push(`next scheduled run: ${new Date(next).toISOString().replace(/\.\d{3}Z$/, 'Z')} (in ${formatDuration(next - deps.now())})`);
      const lingering = readLingering(deps.run, deps.user);
      lines.push(lingeringStatus(lingering, deps.user));
      if (lingering.kind === 'off') problems.push(`lingering is off for ${deps.user}: the units stop when ${deps.user} logs out`);
      return { lines, problems };
    },

    outdatedFiles() {
      let fallback;
      try {
        fallback = templateSchedule();
      } catch {
        return [];
      }
      return outdatedUnits(files, fallback);
    },

    installedPath() {
      return installedPath(files, units.bridge);
    },
  };
}
