import type { ProcessGroups } from '../process/process-group.js';
import type { HoldAction } from './update-command.js';

/** Seconds scripts/valor-service.sh hold or resume may take: bash and a file, no network. */
export const HOLD_TIMEOUT_SECONDS = 30;

export interface HoldResult {
  output: string;
  exitCode: number | null;
  timedOut: boolean;
}

/** Runs `valor-service.sh hold|resume WORDS...`; `by` (the sender) is who holds. */
export type HoldRunner = (action: HoldAction, words: readonly string[], by: string | undefined) => Promise<HoldResult>;

/**
 * The chat's /update hold and /update resume run the command line's own
 * (scripts/lib/hold-command.sh): data/hold has one writer, and the duration's
 * grammar one owner. It is bash only, so it works while node cannot start.
 */
export function holdCommandRunner(groups: ProcessGroups, projectRoot: string, serviceScript: string): HoldRunner {
  return async (action, words, by) => {
    const env = { ...process.env };
    if (by === undefined) delete env.VALOR_HOLD_BY;
    else env.VALOR_HOLD_BY = by;
    const run = groups.run('bash', [serviceScript, action, ...words], { cwd: projectRoot, timeoutMs: HOLD_TIMEOUT_SECONDS * 1000, env });
    const { interleaved: output, exitCode, timedOut } = await run.result;
    return { output, exitCode, timedOut };
  };
}
