import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { performance } from 'node:perf_hooks';
import { PREPARE_WHEN_IDLE_MS } from '../src/restart/restart-monitor.js';

/** How many times each case runs: warm-up runs are timed but not kept. */
export interface RunPlan {
  warmup: number;
  runs: number;
}

/**
 * How long a bridge is left idle before an update is measured: a bridge waits
 * minutes to days for one, long enough to have its next self-test ready
 * (src/restart/run-self-test.ts): started after PREPARE_WHEN_IDLE_MS idle,
 * it loads in about a second (three on a busy machine).
 */
export const IDLE_BEFORE_UPDATE_MS = PREPARE_WHEN_IDLE_MS + 3000;

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

/**
 * How many processes a command starts, itself included: successful execve
 * calls under `strace -f`. Undefined where strace is not installed (macOS).
 */
export function countProcesses(command: string, args: readonly string[], cwd: string): number | undefined {
  if (spawnSync('strace', ['-V'], { stdio: 'ignore' }).status !== 0) return undefined;
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'valor-strace-'));
  try {
    const trace = path.join(dir, 'trace');
    const result = spawnSync('strace', ['-f', '-qq', '-e', 'trace=execve', '-o', trace, command, ...args], { cwd, stdio: 'ignore' });
    if (result.status !== 0) throw new Error(`strace ${command} ${args.join(' ')} exited ${result.status} in ${cwd}`);
    return fs.readFileSync(trace, 'utf8').split('\n').filter((line) => /execve\(.*= 0$/.test(line)).length;
  } finally {
    fs.rmSync(dir, { recursive: true, force: true });
  }
}
