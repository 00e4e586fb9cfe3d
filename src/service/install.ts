import fs from 'fs-extra';
import type { ProjectPaths } from '../config/paths.js';
import { launchPath, programOf } from './launch-path.js';
import { versionedNodeWarning } from './node-folder.js';
import { describeSchedule, parseSchedule, ScheduleError, type Schedule, type ScheduleOptions } from './schedule.js';
import { TemplateError, type RenderedJob, type ServiceManager } from './service-manager.js';

/** `valor-service.sh install`: both jobs, for this checkout and this user, on the schedule chosen. */
export interface InstallDeps {
  manager: ServiceManager;
  paths: ProjectPaths;
  /** The installing shell's PATH: where the jobs' tools are looked for. */
  searchPath: string;
  /** VALOR_AGENT_CMD, whose program the bridge must find under the manager. */
  agentCommand: string | undefined;
  /** The name this machine answers with (VALOR_MACHINE_NAME, else its computer name). */
  machineName: string;
  print(line: string): void;
}

/** What the name is for, and how to choose another. */
export const MACHINE_NAME_NOTE = 'replies and notices start with it; VALOR_MACHINE_NAME in .env sets another';

/** A reinstall keeps the installed schedule unless told otherwise; a first install takes the template's. */
function chosenSchedule(manager: ServiceManager, options: ScheduleOptions): Schedule {
  return parseSchedule(options, manager.installedSchedule() ?? manager.templateSchedule());
}

export async function install(deps: InstallDeps, options: ScheduleOptions = {}): Promise<number> {
  const { manager } = deps;
  let schedule: Schedule;
  try {
    schedule = chosenSchedule(manager, options);
  } catch (error) {
    if (!(error instanceof ScheduleError)) throw error;
    deps.print(`FAIL: ${error.message}. Nothing was changed.`);
    return 2;
  }
  const wrongUser = manager.wrongUser();
  const refused = wrongUser ?? manager.cannotInstall();
  if (refused) {
    deps.print(`FAIL: ${refused}`);
    return wrongUser ? 2 : 1;
  }
  for (const warning of manager.installWarnings()) deps.print(warning);
  const agentProgram = deps.agentCommand ? programOf(deps.agentCommand) : undefined;
  const found = launchPath(deps.searchPath, agentProgram ? [agentProgram] : [], manager.defaultPath);
  for (const command of found.missing) {
    deps.print(`note: ${command} is not on PATH now, so the ${manager.jobNoun} will not find it either`);
  }
  const versioned = found.found.node ? versionedNodeWarning(found.found.node, manager.jobNoun) : undefined;
  if (versioned) deps.print(versioned);
  let rendered: RenderedJob[];
  try {
    rendered = manager.render(found.path, schedule);
  } catch (error) {
    if (!(error instanceof TemplateError)) throw error;
    deps.print(`FAIL: ${error.message}. Nothing was installed.`);
    return 1;
  }
  await fs.ensureDir(deps.paths.logsDir);

  const failures: string[] = [];
  for (const job of rendered) {
    const failure = await manager.installJob(job);
    if (failure) {
      failures.push(job.job.label);
      deps.print(`FAIL: ${job.job.label} NOT installed: ${failure}`);
    } else {
      deps.print(`Installed ${job.job.label} (${job.files.map((file) => file.path).join(', ')})`);
    }
  }
  deps.print(`PATH for the ${manager.jobNoun}: ${found.path}`);
  deps.print(`Update schedule: ${describeSchedule(schedule)}`);
  deps.print(`Machine name: ${deps.machineName} (${MACHINE_NAME_NOTE})`);
  if (failures.length > 0) {
    const installed = rendered.map(({ job }) => job.label).filter((label) => !failures.includes(label));
    deps.print(`Install incomplete. Installed: ${installed.join(', ') || 'none'}. Not installed: ${failures.join(', ')}.`);
    return 1;
  }
  const notRunning = await manager.bridgeStarted();
  if (notRunning) {
    deps.print(`FAIL: ${notRunning}`);
    return 1;
  }
  return 0;
}
