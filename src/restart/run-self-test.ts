import type { GroupRunResult, ProcessGroups } from '../process/process-group.js';
import { SELF_TEST_FAILED, SELF_TEST_PASSED } from './self-test.js';

/**
 * The bridge's side of the self-test: `src/main.ts --self-test` of the
 * checkout as it now is, in a child process of its own group, bounded in
 * time, ended as a group when it overruns. It runs the `node` that the
 * service's PATH names, as the service's `/usr/bin/env node` starts the
 * bridge, never the file this process was started from: a Node upgrade
 * deletes that one.
 */

export const SELF_TEST_TIMEOUT_MS = 30_000;

/** couldNotRun: no answer about the checkout (node could not be started...), as opposed to a checkout that fails. */
export type SelfTestFailure = { passed: false; reason: string; couldNotRun?: true };
export type SelfTestVerdict = { passed: true } | SelfTestFailure;

export type SelfTestRunner = () => Promise<SelfTestVerdict>;

const NODE_FIX = "install Node.js, or run scripts/valor-service.sh install again so that the service's PATH names it";

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
  const mode = ['--self-test', ...(options.console ? ['--console'] : [])];

  const verdict = ({ stdout, interleaved, exitCode, timedOut, notStarted }: GroupRunResult): SelfTestVerdict => {
    if (notStarted !== undefined) return { passed: false, couldNotRun: true, reason: `${notStarted}: ${NODE_FIX}` };
    if (!timedOut && exitCode === 0 && stdout.startsWith(SELF_TEST_PASSED)) return { passed: true };
    const reason = failureReason(interleaved, exitCode, timedOut, timeoutMs);
    return { passed: false, reason: reason.split(`${root}/`).join('') };
  };

  return async () => {
    const run = groups.run('node', ['--import', 'tsx', 'src/main.ts', ...mode], { cwd: root, env: options.env, timeoutMs });
    return verdict(await run.result);
  };
}
