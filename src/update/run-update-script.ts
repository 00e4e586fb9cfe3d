import type { ProcessGroups } from '../process/process-group.js';
import type { UpdateResult } from './reply-text.js';

export const UPDATE_TIMEOUT_SECONDS = 120;

export type UpdateRunner = () => Promise<UpdateResult>;

export function updateScriptRunner(
  groups: ProcessGroups,
  projectRoot: string,
  scriptPath: string,
  timeoutSeconds = UPDATE_TIMEOUT_SECONDS,
): UpdateRunner {
  return async () => {
    const startedAt = performance.now();
    const run = groups.run('bash', [scriptPath], {
      cwd: projectRoot,
      timeoutMs: timeoutSeconds * 1000,
      mergeStderr: true,
    });
    const { output, exitCode, timedOut } = await run.result;
    return { output, exitCode, timedOut, timeoutSeconds, durationMs: Math.round(performance.now() - startedAt) };
  };
}
