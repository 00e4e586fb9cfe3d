import { spawnSync } from 'node:child_process';
import { performance } from 'node:perf_hooks';

/** How many times each case runs: warm-up runs are timed but not kept. */
export interface RunPlan {
  warmup: number;
  runs: number;
}

export async function repeat<T>(plan: RunPlan, once: (index: number) => T | Promise<T>): Promise<T[]> {
  const kept: T[] = [];
  for (let index = 0; index < plan.warmup + plan.runs; index++) {
    const result = await once(index);
    if (index >= plan.warmup) kept.push(result);
  }
  return kept;
}

export interface TimedRun {
  ms: number;
  output: string;
}

/** Runs a command to completion and times it; a non-zero exit stops the benchmark. */
export function timedCommand(command: string, args: readonly string[], cwd: string): TimedRun {
  const startedAt = performance.now();
  const result = spawnSync(command, args, { cwd, encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'] });
  const ms = performance.now() - startedAt;
  const output = `${result.stdout ?? ''}${result.stderr ?? ''}`;
  if (result.status !== 0) throw new Error(`${command} ${args.join(' ')} exited ${result.status} in ${cwd}:\n${output}`);
  return { ms, output };
}

export function expectOutput(run: TimedRun, text: string, what: string): void {
  if (!run.output.includes(text)) throw new Error(`${what}: expected ${JSON.stringify(text)} in:\n${run.output}`);
}
