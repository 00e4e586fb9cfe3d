import type { ProcessGroups } from '../process/process-group.js';
import type { UpdateMode } from './update-command.js';

export const UPDATE_TIMEOUT_SECONDS = 120;

/** What the script records in data/last-update as the run's trigger. */
export const TELEGRAM_TRIGGER = 'telegram';

/** What one run of the script gave: its report (stdout and stderr as they came), how it ended, how long it took. */
export interface UpdateResult {
  output: string;
  exitCode: number | null;
  timedOut: boolean;
  timeoutSeconds: number;
  /** Wall time of the script, from spawn to exit. */
  durationMs: number;
}

export type UpdateRunner = (mode: UpdateMode) => Promise<UpdateResult>;

export function updateScriptRunner(
  groups: ProcessGroups,
  projectRoot: string,
  scriptPath: string,
  timeoutSeconds = UPDATE_TIMEOUT_SECONDS,
): UpdateRunner {
  return async (mode) => {
    const startedAt = performance.now();
    const run = groups.run('bash', mode === 'check' ? [scriptPath, '--check'] : [scriptPath], {
      cwd: projectRoot,
      timeoutMs: timeoutSeconds * 1000,
      env: { ...process.env, VALOR_UPDATE_TRIGGER: TELEGRAM_TRIGGER },
    });
    const { interleaved, exitCode, timedOut, notStarted } = await run.result;
    const output = notStarted === undefined ? interleaved : `could not run the update script: ${notStarted}\n`;
    return { output, exitCode, timedOut, timeoutSeconds, durationMs: Math.round(performance.now() - startedAt) };
  };
}
