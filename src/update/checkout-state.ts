import { execFile } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { promisify } from 'node:util';

/** Where the checkout stands, for /update status: git's answers, nothing fetched. */
export interface CheckoutState {
  /** Short sha of HEAD. */
  head: string;
  /** Full sha of HEAD, to compare with the running commit. */
  headCommit: string;
  /** Short sha of the upstream branch as of the last fetch; undefined: no upstream. */
  upstream: string | undefined;
  /** When the last fetch ended (FETCH_HEAD's mtime); undefined: never fetched. */
  fetchedAtMs: number | undefined;
}

async function git(root: string, ...args: string[]): Promise<string | undefined> {
  try {
    return (await promisify(execFile)('git', args, { cwd: root })).stdout.trim();
  } catch {
    return undefined;
  }
}

export async function readCheckoutState(root: string): Promise<CheckoutState> {
  const [head, upstream, fetchHead] = await Promise.all([
    git(root, 'rev-parse', 'HEAD', '--short', 'HEAD'),
    git(root, 'rev-parse', '--short', '@{u}'),
    git(root, 'rev-parse', '--git-path', 'FETCH_HEAD'),
  ]);
  const [headCommit = '', short = ''] = (head ?? '').split('\n');
  let fetchedAtMs: number | undefined;
  try {
    if (fetchHead) fetchedAtMs = fs.statSync(path.resolve(root, fetchHead)).mtimeMs;
  } catch {
    // never fetched
  }
  return { head: short || 'unknown', headCommit, upstream, fetchedAtMs };
}
