import { execFile } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { promisify } from 'node:util';

/**
 * What git says of the checkout, without touching the network: the one
 * place that asks. HEAD, and the upstream as of the last fetch (the update
 * script's, or a person's). Every question is its own `git` run, side by
 * side; one that fails (no upstream, no commit yet) answers undefined.
 */
export interface Commit {
  /** Full sha. */
  sha: string;
  /** The sha as shortSha() cuts it. */
  short: string;
  subject: string;
}

export interface Upstream extends Commit {
  /** The remote-tracking branch, e.g. origin/main. */
  name: string;
  /** Commits in it that the checkout does not have yet. */
  behind: number;
}

export interface Checkout {
  head: Commit | undefined;
  /** Why there is no head: git's own first line when git itself cannot run (see gitFault). */
  gitFault?: string;
  /** `@{u}` as last fetched; undefined without an upstream. */
  upstream: Upstream | undefined;
  /** When FETCH_HEAD was last written (ms): when the last fetch ended; undefined: never fetched. */
  fetchedAtMs: number | undefined;
}

/** Short shas as scripts/remote-update.sh cuts them: the first 7 characters. */
export function shortSha(sha: string): string {
  return sha.slice(0, 7);
}

/** "<short sha> — <subject>". */
export function describeCommit(commit: Commit): string {
  return `${commit.short} — ${commit.subject}`;
}

const run = promisify(execFile);

async function git(root: string, ...args: string[]): Promise<string | undefined> {
  try {
    return (await run('git', args, { cwd: root })).stdout.trim();
  } catch {
    return undefined;
  }
}

/** What gitFault says when there is no git at all. */
export const NO_GIT = 'not found on PATH';

/**
 * Git's own first line when git itself cannot run, undefined when it runs.
 * After a macOS upgrade, until the Command Line Tools are installed again,
 * git is a stub that says `xcrun: error: invalid active developer path …` and
 * exits 1. Asked, as the update script asks, only once a question has failed.
 */
export async function gitFault(): Promise<string | undefined> {
  try {
    await run('git', ['--version']);
    return undefined;
  } catch (error) {
    const failed = error as { code?: unknown; stdout?: string; stderr?: string };
    if (failed.code === 'ENOENT') return NO_GIT;
    const said = `${failed.stderr ?? ''}\n${failed.stdout ?? ''}`.split('\n').map((line) => line.trim()).find(Boolean);
    return said ?? `git --version exited ${String(failed.code)}`;
  }
}

/** The needs-attention line for a git that cannot run: the fix, as scripts/lib/checkout.sh gives it. */
export function gitCannotRun(fault: string): string {
  if (/xcrun|xcode-select|CommandLineTools/.test(fault)) {
    return 'git cannot run: install the Command Line Tools again (a macOS upgrade removes them): xcode-select --install';
  }
  return fault === NO_GIT ? 'git cannot run: there is no git on PATH; install git' : 'git cannot run: install git again';
}

/** How a commit git cannot name reads: `commit unknown (git: <its first line>)`. */
export function unknownCommit(fault: string): string {
  return `commit unknown (git: ${fault})`;
}

async function commitAt(root: string, rev: string): Promise<Commit | undefined> {
  const line = await git(root, 'log', '-1', '--format=%H%x00%s', rev, '--');
  if (!line) return undefined;
  const [sha = '', subject = ''] = line.split('\0');
  return { sha, short: shortSha(sha), subject };
}

export function readHead(root: string): Promise<Commit | undefined> {
  return commitAt(root, 'HEAD');
}

/**
 * HEAD as it was at that time, from HEAD's reflog: what a process started
 * then loaded, not a commit checked out since. HEAD itself where the reflog
 * cannot say (none kept, or expired).
 */
export async function readHeadAt(root: string, atMs: number): Promise<Commit | undefined> {
  const at = new Date(atMs).toISOString().replace(/\.\d{3}Z$/, 'Z');
  return (await commitAt(root, `HEAD@{${at}}`)) ?? readHead(root);
}

/** HEAD in one line (describeCommit), or what git said instead (unknownCommit). */
export async function describeHead(root: string): Promise<string> {
  const head = await readHead(root);
  if (head) return describeCommit(head);
  return unknownCommit((await gitFault()) ?? 'no commit at HEAD');
}

/** HEAD, for a process that cannot go on without it (the self-test). */
export async function requireHead(root: string): Promise<Commit> {
  const head = await readHead(root);
  if (!head) throw new Error(`git finds no commit at HEAD in ${root}`);
  return head;
}

async function mtimeMs(file: string | undefined): Promise<number | undefined> {
  try {
    return file === undefined ? undefined : (await fs.promises.stat(file)).mtimeMs;
  } catch {
    return undefined;
  }
}

export async function readCheckout(root: string): Promise<Checkout> {
  const [head, name, upstream, behind, fetchHead] = await Promise.all([
    readHead(root),
    git(root, 'rev-parse', '--abbrev-ref', '--symbolic-full-name', '@{u}'),
    commitAt(root, '@{u}'),
    git(root, 'rev-list', '--count', 'HEAD..@{u}'),
    git(root, 'rev-parse', '--git-path', 'FETCH_HEAD'),
  ]);
  const fault = head ? undefined : await gitFault();
  return {
    head,
    upstream: name && upstream ? { ...upstream, name, behind: Number(behind ?? 0) } : undefined,
    fetchedAtMs: await mtimeMs(fetchHead === undefined ? undefined : path.resolve(root, fetchHead)),
    ...(fault === undefined ? {} : { gitFault: fault }),
  };
}
