import { execFile } from 'node:child_process';
import { promisify } from 'node:util';

/** "<short sha> — <subject>" of the checkout's HEAD. */
export async function describeHead(projectRoot: string): Promise<string> {
  const { stdout } = await promisify(execFile)('git', ['log', '-1', '--format=%h%x00%s'], { cwd: projectRoot });
  const [sha, subject] = stdout.trim().split('\0');
  return `${sha} — ${subject}`;
}

/** The commit a process loaded: read once at its start, since the checkout may move on while it runs. */
export interface LoadedCommit {
  commit: string;
  shortCommit: string;
  subject: string;
}

export async function readLoadedCommit(projectRoot: string): Promise<LoadedCommit> {
  const { stdout } = await promisify(execFile)('git', ['log', '-1', '--format=%H%x00%h%x00%s'], { cwd: projectRoot });
  const [commit = '', shortCommit = '', subject = ''] = stdout.trim().split('\0');
  return { commit, shortCommit, subject };
}
