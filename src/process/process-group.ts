import { spawn } from 'node:child_process';

/**
 * Runs a command as the leader of its own process group, so that a timeout or
 * a shutdown ends everything it started (an orphaned git would keep
 * .git/index.lock). Node's own spawn timeout kills only the direct child.
 */

export interface GroupRunOptions {
  cwd: string;
  env?: NodeJS.ProcessEnv;
  input?: string;
  timeoutMs?: number;
  /** Between SIGTERM and SIGKILL when ending the group. */
  graceMs?: number;
}

export interface GroupRunResult {
  stdout: string;
  stderr: string;
  /** Both, in the order they arrived: a script's report as a terminal shows it. */
  interleaved: string;
  exitCode: number | null;
  signal: NodeJS.Signals | null;
  timedOut: boolean;
}

export interface GroupRun {
  pid: number;
  result: Promise<GroupRunResult>;
  /** SIGTERM to the whole group, SIGKILL after the grace period. */
  end(): void;
}

function signalGroup(pid: number, signal: NodeJS.Signals): void {
  try {
    process.kill(-pid, signal);
  } catch {
    // ESRCH: the group is already gone.
  }
}

function runInGroup(command: string, args: string[], options: GroupRunOptions): GroupRun {
  const graceMs = options.graceMs ?? 2000;
  const child = spawn(command, args, {
    cwd: options.cwd,
    env: options.env ?? process.env,
    detached: true,
    stdio: ['pipe', 'pipe', 'pipe'],
  });
  const pid = child.pid;
  if (pid === undefined) throw new Error(`could not start ${command}`);

  let stdout = '';
  let stderr = '';
  let interleaved = '';
  let timedOut = false;
  let killTimer: NodeJS.Timeout | undefined;
  child.stdout.setEncoding('utf8').on('data', (chunk: string) => {
    stdout += chunk;
    interleaved += chunk;
  });
  child.stderr.setEncoding('utf8').on('data', (chunk: string) => {
    stderr += chunk;
    interleaved += chunk;
  });
  child.stdin.on('error', () => {
    // The command may exit without reading its input.
  });
  child.stdin.end(options.input ?? '');

  const end = (): void => {
    signalGroup(pid, 'SIGTERM');
    killTimer ??= setTimeout(() => signalGroup(pid, 'SIGKILL'), graceMs);
  };
  const timeout =
    options.timeoutMs === undefined
      ? undefined
      : setTimeout(() => {
          timedOut = true;
          end();
        }, options.timeoutMs);

  const result = new Promise<GroupRunResult>((resolve, reject) => {
    child.on('error', reject);
    // Whatever the leader left behind in its group would be an orphan.
    child.on('exit', () => signalGroup(pid, 'SIGKILL'));
    child.on('close', (exitCode, signal) => {
      clearTimeout(timeout);
      clearTimeout(killTimer);
      resolve({ stdout, stderr, interleaved, exitCode, signal, timedOut });
    });
  });
  return { pid, result, end };
}

/** Every group the bridge started and that is still running, so shutdown can end them all. */
export class ProcessGroups {
  private readonly running = new Set<GroupRun>();

  run(command: string, args: string[], options: GroupRunOptions): GroupRun {
    const run = runInGroup(command, args, options);
    this.running.add(run);
    void run.result.finally(() => this.running.delete(run)).catch(() => {});
    return run;
  }

  endAll(): void {
    for (const run of this.running) run.end();
  }
}
