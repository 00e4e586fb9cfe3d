import { execFile } from 'node:child_process';
import { promisify } from 'node:util';

/** "<short sha> — <subject>" of the checkout's HEAD. */
export async function describeHead(projectRoot: string): Promise<string> {
  const { stdout } = await promisify(execFile)('git', ['log', '-1', '--format=%h%x00%s'], { cwd: projectRoot });
  const [sha, subject] = stdout.trim().split('\0');
  return `${sha} — ${subject}`;
}
