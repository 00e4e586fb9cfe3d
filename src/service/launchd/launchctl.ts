import { spawnSync } from 'node:child_process';

export interface LaunchctlResult {
  code: number;
  output: string;
}

export type Launchctl = (...args: string[]) => LaunchctlResult;

/** The real launchctl, found on PATH. Its own message is kept for the user. */
export const systemLaunchctl: Launchctl = (...args) => {
  const result = spawnSync('launchctl', args, { encoding: 'utf8' });
  if (result.error) return { code: 127, output: result.error.message };
  return { code: result.status ?? 1, output: `${result.stdout}${result.stderr}`.trim() };
};
