import type { ProcessGroups } from '../process/process-group.js';
import { SELF_TEST_FAILED, SELF_TEST_PASSED } from './self-test-output.js';

/**
 * The bridge's side of the self-test: `src/main.ts --self-test` of the
 * checkout as it now is, in a child process of its own group, bounded in
 * time, ended as a group when it overruns.
 */

export const SELF_TEST_TIMEOUT_MS = 30_000;

export type SelfTestVerdict = { passed: true } | { passed: false; reason: string };

export type SelfTestRunner = () => Promise<SelfTestVerdict>;

/**
 * The reason, from the self-test's own line; when the checkout is too broken
 * to print one (its main.ts does not load), the first line that names an
 * error, else the first line.
 */
export function failureReason(output: string, exitCode: number | null, timedOut: boolean, timeoutMs: number): string {
  if (timedOut) return `no answer within ${timeoutMs / 1000} s`;
  const lines = output.split('\n').map((line) => line.trim()).filter(Boolean);
  const own = lines.find((line) => line.startsWith(SELF_TEST_FAILED));
  if (own) return own.slice(SELF_TEST_FAILED.length);
  const transform = lines.findIndex((line) => /Transform failed with/.test(line));
  if (transform >= 0 && lines[transform + 1]) return lines[transform + 1]!;
  return lines.find((line) => /\b[A-Za-z]*Error\b|\bERROR\b/.test(line)) ?? lines[0] ?? `exit ${exitCode ?? 'unknown'}`;
}

export function selfTestRunner(
  groups: ProcessGroups,
  root: string,
  options: { console: boolean; env: NodeJS.ProcessEnv; timeoutMs?: number },
): SelfTestRunner {
  const timeoutMs = options.timeoutMs ?? SELF_TEST_TIMEOUT_MS;
  return async () => {
    const args = ['--import', 'tsx', 'src/main.ts', '--self-test', ...(options.console ? ['--console'] : [])];
    const run = groups.run(process.execPath, args, { cwd: root, env: options.env, timeoutMs });
    const { stdout, interleaved, exitCode, timedOut } = await run.result;
    if (!timedOut && exitCode === 0 && stdout.startsWith(SELF_TEST_PASSED)) return { passed: true };
    const reason = failureReason(interleaved, exitCode, timedOut, timeoutMs);
    return { passed: false, reason: reason.split(`${root}/`).join('') };
  };
}
