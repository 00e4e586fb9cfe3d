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

async function git(root: string, ...args: string[]): Promise<string | undefined> {
  try {
    return (await promisify(execFile)('git', args, { cwd: root })).stdout.trim();
  } catch {
    return undefined;
  }
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

/** HEAD, for a process that cannot go on without it (the bridge's start, the self-test). */
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
  return {
    head,
    upstream: name && upstream ? { ...upstream, name, behind: Number(behind ?? 0) } : undefined,
    fetchedAtMs: await mtimeMs(fetchHead === undefined ? undefined : path.resolve(root, fetchHead)),
  };
}
