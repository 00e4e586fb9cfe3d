import { logFiles, type ProjectPaths } from '../../config/paths.js';
import { managerSays } from '../bridge-check/manager-says.js';
import type { ServiceManager } from '../service-manager.js';
import { reportWhatRuns } from './what-runs.js';

/**
 * `valor-service.sh status`: the jobs as the service manager sees them, then
 * what runs (./what-runs.ts), then the logs; "needs attention" and exit 1
 * when something does. Without a manager, what needs none.
 */
export interface StatusDeps {
  manager: ServiceManager | undefined;
  /** Why there is none (../find-manager.ts), when there is none. */
  none?: string;
  paths: ProjectPaths;
  /** The name this machine answers with. */
  machineName: string;
  now: number;
  print(line: string): void;
}

export async function status({ manager: found, none, paths, machineName, now, print }: StatusDeps): Promise<number> {
  const problems: string[] = [];
  // Under sudo (or as root, for systemd) the manager asked would be root's: its jobs are not this checkout's.
  const wrongUser = found?.wrongUser();
  const manager = wrongUser ? undefined : found;
  if (manager) {
    problems.push(...manager.outdatedFiles());
    const jobs = manager.describeJobs();
    for (const line of jobs.lines) print(line);
    problems.push(...jobs.problems);
  } else {
    const why = wrongUser ?? none ?? 'no service manager found.';
    print(`${why.replace(/ Nothing was changed\.$/, '')} The ${found?.jobNoun ?? 'jobs'} cannot be shown.`);
  }
  print(`machine name: ${machineName}`);
  const bridgeState = manager?.bridgeState();
  await reportWhatRuns(
    {
      paths,
      schedule: manager?.installedSchedule(),
      jobPath: manager?.installedPath(),
      jobNoun: manager?.jobNoun ?? 'jobs',
      bridgeState,
      managerSays: managerSays(manager, bridgeState),
      now,
      print,
    },
    problems,
  );
  print(`logs: ${logFiles(paths).join(', ')}`);
  if (problems.length === 0) return 0;
  // One line per problem: the bridge's git and this shell's may fail alike.
  print(`needs attention: ${[...new Set(problems)].join('; ')}`);
  return 1;
}
