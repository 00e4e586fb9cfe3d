import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';

/**
 * What git says of the checkout, without touching the network: HEAD, and the
 * upstream as of the last fetch (the update script's, or a person's).
 */
export interface Commit {
  sha: string;
  subject: string;
}

export interface CheckoutFacts {
  head: Commit | undefined;
  /** `@{u}` as last fetched; undefined without an upstream. */
  upstream: (Commit & { name: string; behind: number }) | undefined;
  /** When .git/FETCH_HEAD was last written (ms). */
  fetchedAt: number | undefined;
}

function git(root: string, ...args: string[]): string | undefined {
  const result = spawnSync('git', args, { cwd: root, encoding: 'utf8', stdio: ['ignore', 'pipe', 'ignore'] });
  return result.status === 0 ? result.stdout.trim() : undefined;
}

function commit(root: string, rev: string): Commit | undefined {
  const line = git(root, 'log', '-1', '--format=%H %s', rev, '--');
  if (!line) return undefined;
  const space = line.indexOf(' ');
  return space < 0 ? { sha: line, subject: '' } : { sha: line.slice(0, space), subject: line.slice(space + 1) };
}

export function headCommit(root: string): Commit | undefined {
  return commit(root, 'HEAD');
}

export function checkoutFacts(root: string): CheckoutFacts {
  const head = headCommit(root);
  const name = git(root, 'rev-parse', '--abbrev-ref', '--symbolic-full-name', '@{u}');
  const upstreamCommit = name ? commit(root, '@{u}') : undefined;
  const behind = Number(git(root, 'rev-list', '--count', 'HEAD..@{u}') ?? 0);
  const gitDir = git(root, 'rev-parse', '--absolute-git-dir');
  let fetchedAt: number | undefined;
  try {
    fetchedAt = gitDir ? fs.statSync(path.join(gitDir, 'FETCH_HEAD')).mtimeMs : undefined;
  } catch {
    fetchedAt = undefined;
  }
  return { head, upstream: name && upstreamCommit ? { ...upstreamCommit, name, behind } : undefined, fetchedAt };
}
