import { execFileSync } from 'node:child_process';
import os from 'node:os';

/** What the numbers were measured on. */
export interface Environment {
  date: string;
  node: string;
  git: string;
  bash: string;
  system: string;
  cpus: string;
  /** The 1-minute load average: other work on the machine slows every figure. */
  loadAtStart: number;
  loadAtEnd?: number;
}

function firstLine(command: string, args: string[]): string {
  try {
    return execFileSync(command, args, { encoding: 'utf8' }).split('\n')[0]!.trim();
  } catch {
    return 'not found';
  }
}

export function describeEnvironment(now: Date): Environment {
  const cpus = os.cpus();
  return {
    date: now.toISOString().replace(/\.\d+Z$/, 'Z'),
    node: process.version,
    git: firstLine('git', ['--version']),
    bash: firstLine('bash', ['--version']),
    system: `${os.type()} ${os.release()} ${os.arch()}`,
    cpus: `${cpus.length} × ${cpus[0]?.model.trim() ?? 'unknown'}`,
    loadAtStart: loadAverage(),
  };
}

export function loadAverage(): number {
  return os.loadavg()[0]!;
}
