import { spawn, type ChildProcess } from 'node:child_process';
import fs from 'node:fs';

/**
 * Runs a command as the leader of its own process group, so that a timeout or
 * a shutdown ends everything it started (an orphaned git would keep
 * .git/index.lock). Node's own spawn timeout kills only the direct child.
 * A command that cannot be started (not found, not executable, its folder
 * gone) is a result like any other, never an exception: the bridge goes on.
 */

export interface GroupRunOptions {
  cwd: string;
  env?: NodeJS.ProcessEnv;
  input?: string;
  /** Leaves standard input open after `input`, for `GroupRun.write`; ended by `end()`, or when the bridge exits. */
  keepInputOpen?: boolean;
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
  /** Why the command could not be started (see `cannotStart`); nothing ran. */
  notStarted?: string;
}

export interface GroupRun {
  result: Promise<GroupRunResult>;
  /** To its standard input (with keepInputOpen). */
  write(text: string): void;
  /** SIGTERM to the whole group, SIGKILL after the grace period. */
  end(): void;
}

/**
 * A spawn error in words, for a person who has to fix it: "node not found on
 * PATH (/usr/bin:/bin)", "/bin/bash is not executable (EACCES)", "the folder
 * /x does not exist". Node reports a missing working folder as the command's
 * ENOENT, hence the check.
 */
export function cannotStart(command: string, error: NodeJS.ErrnoException, cwd: string, searchPath: string | undefined): string {
  if (error.code === 'ENOENT' && !fs.existsSync(cwd)) return `the folder ${cwd} does not exist`;
  if (error.code === 'ENOENT') return command.includes('/') ? `${command} not found` : `${command} not found on PATH (${searchPath ?? ''})`;
  if (error.code === 'EACCES') return `${command} is not executable (EACCES)`;
  return `${command} could not be started (${error.code ?? error.message})`;
}

function signalGroup(pid: number, signal: NodeJS.Signals): void {
  try {
    process.kill(-pid, signal);
  } catch {
    // ESRCH: the group is already gone.
  }
}

function notStartedRun(command: string, error: unknown, options: GroupRunOptions): GroupRun {
  const reason = cannotStart(command, error as NodeJS.ErrnoException, options.cwd, (options.env ?? process.env).PATH);
  const result: GroupRunResult = { stdout: '', stderr: '', interleaved: '', exitCode: null, signal: null, timedOut: false, notStarted: reason };
  return { result: Promise.resolve(result), write: () => {}, end: () => {} };
}

function runInGroup(command: string, args: string[], options: GroupRunOptions): GroupRun {
  const graceMs = options.graceMs ?? 2000;
  let child: ChildProcess;
  try {
    child = spawn(command, args, {
      cwd: options.cwd,
      env: options.env ?? process.env,
      detached: true,
      stdio: ['pipe', 'pipe', 'pipe'],
    });
  } catch (error) {
    // Node throws for some spawn errors and emits 'error' for others (ENOENT, EACCES).
    return notStartedRun(command, error, options);
  }
  const pid = child.pid;
  if (pid === undefined) {
    // The 'error' event follows; its streams, when there are any, see no process.
    child.stdin?.on('error', () => {});
    const failed = new Promise<GroupRun>((resolve) => child.once('error', (error) => resolve(notStartedRun(command, error, options))));
    return { result: failed.then((run) => run.result), write: () => {}, end: () => {} };
  }
  const { stdin, stdout: out, stderr: err } = child as ChildProcess & { stdin: NodeJS.WritableStream; stdout: NodeJS.ReadableStream; stderr: NodeJS.ReadableStream };

  let stdout = '';
  let stderr = '';
  let interleaved = '';
  let timedOut = false;
  let killTimer: NodeJS.Timeout | undefined;
  out.setEncoding('utf8').on('data', (chunk: string) => {
    stdout += chunk;
    interleaved += chunk;
  });
  err.setEncoding('utf8').on('data', (chunk: string) => {
    stderr += chunk;
    interleaved += chunk;
  });
  stdin.on('error', () => {
    // The command may exit without reading its input.
  });
  if (options.keepInputOpen) {
    if (options.input) stdin.write(options.input);
  } else {
    stdin.end(options.input ?? '');
  }

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
  return { result, write: (text) => void stdin.write(text), end };
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
