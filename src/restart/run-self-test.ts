import crypto from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import { findOnPath } from '../lib/find-on-path.js';
import type { GroupRun, GroupRunResult, ProcessGroups } from '../process/process-group.js';
import { SELF_TEST_FAILED, SELF_TEST_PASSED } from './self-test-output.js';

/**
 * The bridge's side of the self-test: `src/main.ts --self-test` of the
 * checkout as it now is, in a child process of its own group, bounded in
 * time, ended as a group when it overruns. It runs the `node` that the
 * service's PATH names, as the service's `/usr/bin/env node` starts the
 * bridge, never the file this process was started from: a Node upgrade
 * deletes that one.
 *
 * Started ahead: once the bridge is idle, a standby (self-test-standby.mjs)
 * loads node, tsx and gramjs and waits, so that an update's self-test costs
 * only what it checks. It is used only when a fresh start would load the very
 * same: the same node file on PATH (the one it runs), and the same
 * package.json, lockfile, tsconfig.json and installed packages as when it
 * started. Otherwise, or when it is gone, the self-test starts from nothing.
 */

export const SELF_TEST_TIMEOUT_MS = 30_000;

/** couldNotRun: no answer about the checkout (node could not be started...), as opposed to a checkout that fails. */
export type SelfTestFailure = { passed: false; reason: string; couldNotRun?: true };
export type SelfTestVerdict = { passed: true } | SelfTestFailure;

export interface SelfTestRunner {
  (): Promise<SelfTestVerdict>;
  /** Starts the standby for the next run (the restart monitor does, once the bridge is idle). */
  prepare?(): void;
}

const NODE_FIX = "install Node.js, or run scripts/valor-service.sh install again so that the service's PATH names it";

/** What tsx and node read once at start, and what npm writes on every install. */
const START_FILES = ['package.json', 'package-lock.json', 'tsconfig.json', 'node_modules/.package-lock.json'];

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

/** The node file PATH names, resolved, and its identity (an upgrade may replace it in place); undefined when there is none. */
function nodeOnPath(searchPath: string | undefined): { file: string; identity: string } | undefined {
  const found = findOnPath('node', searchPath ?? '');
  if (found === undefined) return undefined;
  try {
    const file = fs.realpathSync(found);
    const { dev, ino, size, mtimeMs } = fs.statSync(file);
    return { file, identity: `${dev}:${ino} ${size} ${mtimeMs}` };
  } catch {
    return undefined;
  }
}

/** What a node started now would load before src/: equal fingerprints, the same start. */
interface Fingerprint {
  node: ReturnType<typeof nodeOnPath>;
  files: string;
}

function startFingerprint(root: string, searchPath: string | undefined): Fingerprint {
  const hash = crypto.createHash('sha256');
  for (const file of START_FILES) {
    let content: Buffer | string = '(none)';
    try {
      content = fs.readFileSync(path.join(root, file));
    } catch {
      // Absent: that, too, is part of the fingerprint.
    }
    hash.update(`${file}\0`).update(content).update('\0');
  }
  return { node: nodeOnPath(searchPath), files: hash.digest('hex') };
}

function sameStart(a: Fingerprint, b: Fingerprint): boolean {
  return a.node !== undefined && a.node.file === b.node?.file && a.node.identity === b.node.identity && a.files === b.files;
}

interface Standby {
  /** Its first line on standard output is the node file it runs. */
  run: GroupRun;
  fingerprint: Fingerprint;
  ended: boolean;
}

export function selfTestRunner(
  groups: ProcessGroups,
  root: string,
  options: { console: boolean; env: NodeJS.ProcessEnv; timeoutMs?: number },
): SelfTestRunner {
  const timeoutMs = options.timeoutMs ?? SELF_TEST_TIMEOUT_MS;
  const mode = ['--self-test', ...(options.console ? ['--console'] : [])];
  const spawnOptions = { cwd: root, env: options.env };
  let standby: Standby | undefined;

  const verdict = ({ stdout, interleaved, exitCode, timedOut, notStarted }: GroupRunResult): SelfTestVerdict => {
    if (notStarted !== undefined) return { passed: false, couldNotRun: true, reason: `${notStarted}: ${NODE_FIX}` };
    if (!timedOut && exitCode === 0 && stdout.startsWith(SELF_TEST_PASSED)) return { passed: true };
    const reason = failureReason(interleaved, exitCode, timedOut, timeoutMs);
    return { passed: false, reason: reason.split(`${root}/`).join('') };
  };

  const fromNothing = async (): Promise<SelfTestVerdict> => {
    const run = groups.run('node', ['--import', 'tsx', 'src/main.ts', ...mode], { ...spawnOptions, timeoutMs });
    return verdict(await run.result);
  };

  /** The standby's answer, or undefined when it could not give one that a fresh start would. */
  const fromStandby = async (ready: Standby): Promise<SelfTestVerdict | undefined> => {
    const fingerprint = startFingerprint(root, options.env.PATH);
    if (ready.ended || !sameStart(ready.fingerprint, fingerprint)) {
      ready.run.end();
      return undefined;
    }
    ready.run.write('go\n');
    let timedOut = false;
    const timer = setTimeout(() => {
      timedOut = true;
      ready.run.end();
    }, timeoutMs);
    const result = await ready.run.result;
    clearTimeout(timer);
    const nodeLine = `${fingerprint.node?.file}\n`;
    // A node on PATH that hands over to another (a version manager's shim) does not qualify: known once it has run.
    if (!result.stdout.startsWith(nodeLine)) return undefined;
    const own = (text: string) => text.replace(nodeLine, '');
    return verdict({ ...result, timedOut, stdout: own(result.stdout), interleaved: own(result.interleaved) });
  };

  const prepare = (): void => {
    if (standby && !standby.ended) return;
    const fingerprint = startFingerprint(root, options.env.PATH);
    const run = groups.run('node', ['--import', './src/restart/self-test-standby.mjs', 'src/main.ts', ...mode], { ...spawnOptions, keepInputOpen: true });
    const started: Standby = { run, fingerprint, ended: false };
    void run.result.then(() => (started.ended = true));
    standby = started;
  };

  const runner: SelfTestRunner = async () => {
    const ready = standby;
    standby = undefined;
    return (ready && (await fromStandby(ready))) ?? (await fromNothing());
  };
  runner.prepare = prepare;
  return runner;
}
