import type { ProcessGroups } from '../process/process-group.js';
import type { UpdateMode } from './update-command.js';

export const UPDATE_TIMEOUT_SECONDS = 120;

/**
 * The one interpreter of the update script, whatever triggers it: launchd's
 * plist (launchd/com.valor.update.plist) and systemd's unit name it too, never
 * a `bash` looked up on PATH (Homebrew's bash 5 on many Macs). On a Mac it is
 * bash 3.2, which the script is written for.
 */
export const UPDATE_SCRIPT_SHELL = '/bin/bash';

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
    const run = groups.run(UPDATE_SCRIPT_SHELL, mode === 'check' ? [scriptPath, '--check'] : [scriptPath], {
      cwd: projectRoot,
      timeoutMs: timeoutSeconds * 1000,
      env: { ...process.env, VALOR_UPDATE_TRIGGER: TELEGRAM_TRIGGER },
    });
    const { interleaved, exitCode, timedOut, notStarted } = await run.result;
    const output = notStarted === undefined ? interleaved : `could not run the update script: ${notStarted}\n`;
    return { output, exitCode, timedOut, timeoutSeconds, durationMs: Math.round(performance.now() - startedAt) };
  };
}
