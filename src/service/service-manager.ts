import type { ProjectPaths } from '../config/paths.js';
import type { Schedule } from './schedule.js';

/**
 * What valor-service.sh and the update job's bridge check need from the
 * machine's service manager (launchd on a Mac: ./launchd/; systemd's user
 * manager on Linux: ./systemd/). install, uninstall, restart, logs, status
 * and the bridge check are written once, against this; a manager is a folder
 * and an entry in ./find-manager.ts. Every method answers for this checkout and this user.
 */

/** Whose jobs a manager handles: this checkout's, for this user. */
export interface ManagerContext {
  paths: ProjectPaths;
  home: string;
  /** $XDG_CONFIG_HOME (systemd reads user units from under it). */
  xdgConfigHome: string | undefined;
  /** The user, by name. */
  user: string;
  uid: number;
  /** Set by sudo: the user who asked. */
  sudoUid: string | undefined;
  sleep(ms: number): Promise<void>;
}

/** One of the two jobs: the bridge (kept alive) and the update job (on the schedule). */
export interface ServiceJob {
  /** How the manager and every line name it: com.valor.bridge. */
  label: string;
  /** The file its output is appended to (../config/paths.ts's). */
  log: string;
}

/** A job as install writes it now, ready for installJob. */
export interface RenderedJob {
  job: ServiceJob;
  /** What is installed for it, and where: launchd's one plist, ~/Library/LaunchAgents/com.valor.bridge.plist. */
  files: Array<{ path: string; content: string }>;
}

/** What the manager says of the bridge's job now. */
export interface BridgeState {
  /** The manager has the bridge's job (installed, loaded): else a bridge may run outside it, started by hand. */
  managed: boolean;
  /** The pid it runs the bridge as; undefined while the bridge is not running. */
  pid: number | undefined;
  /** How the last run ended, in the manager's words ("1", "78: EX_CONFIG", a signal); undefined: none yet. */
  lastExit: string | undefined;
  /** For one line: "running, pid 4321", "last exit 1", "not loaded". */
  summary: string;
}

/** A template that cannot be rendered into a job the manager would take. */
export class TemplateError extends Error {}

export interface ServiceManager {
  /** How lines name it: "launchd". */
  readonly name: string;
  /** How lines name its jobs: "agents" (launchd), "units" (systemd). */
  readonly jobNoun: string;
  readonly jobs: { bridge: ServiceJob; update: ServiceJob };
  /** The PATH the manager starts jobs with: the jobs' PATH ends with it. */
  readonly defaultPath: readonly string[];

  /** Why this user must not change the jobs (run under sudo); undefined when they may. */
  wrongUser(): string | undefined;
  /** Why the jobs cannot be installed now (launchd: no GUI session); undefined when they can. */
  cannotInstall(): string | undefined;
  /** WARN lines install prints first (launchd: a checkout in a folder macOS protects). */
  installWarnings(): string[];

  /** The schedule the installed update job holds; undefined when none is installed or it holds none. */
  installedSchedule(): Schedule | undefined;
  /** The schedule of the update job's template; throws TemplateError when it has none. */
  templateSchedule(): Schedule;
  /** Both jobs as install writes them, with this PATH and schedule; throws TemplateError. */
  render(jobPath: string, schedule: Schedule): RenderedJob[];
  /** Writes the job and has the manager run it; resolves to why not, or undefined. */
  installJob(rendered: RenderedJob): Promise<string | undefined>;
  /** Stops the job and removes it; resolves to why not, or undefined. */
  uninstallJob(job: ServiceJob): Promise<string | undefined>;

  bridgeState(): BridgeState;
  /** Waits, bounded, for the bridge just installed to run; resolves to why it does not, or undefined. */
  bridgeStarted(): Promise<string | undefined>;
  /**
   * Asks the bridge to stop (SIGTERM: it finishes its running work) for the
   * manager to start it again, or starts it when it is not running. The line
   * to print, and whether it was done.
   */
  restartBridge(): Promise<{ ok: boolean; line: string }>;

  /** status: one line per job as the manager sees it, and the problems seen. */
  describeJobs(): { lines: string[]; problems: string[] };
  /** The installed files that differ from what install writes now, as problem lines. */
  outdatedFiles(): string[];
  /** The PATH the installed bridge job runs with; undefined when it is not installed. */
  installedPath(): string | undefined;
}
