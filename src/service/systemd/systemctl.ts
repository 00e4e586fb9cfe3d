import { spawnSync } from 'node:child_process';

/**
 * `systemctl --user` and `loginctl`, through one injected runner, so that
 * tests can answer for them. Their own message is kept for the user.
 */
export interface CommandResult {
  code: number;
  output: string;
  /** stdout alone: what `show` prints. */
  stdout: string;
}

export type RunCommand = (command: string, args: readonly string[], env: Record<string, string>) => CommandResult;

export type Systemctl = (...args: string[]) => CommandResult;

/** The real commands, found on PATH; 127 when there is none. */
export const runCommand: RunCommand = (command, args, env) => {
  const result = spawnSync(command, args, { encoding: 'utf8', env: { ...process.env, ...env } });
  if (result.error) return { code: 127, output: result.error.message, stdout: '' };
  return { code: result.status ?? 1, output: `${result.stdout}${result.stderr}`.trim(), stdout: result.stdout };
};

/**
 * Timestamps in UTC whatever the user's zone, so that `show` can be read
 * ("Sat 2026-12-05 18:00:00 UTC"); no pager, no colours.
 */
const SYSTEMCTL_ENV = { TZ: 'UTC', SYSTEMD_PAGER: '', SYSTEMD_COLORS: '0' };

export function userSystemctl(run: RunCommand = runCommand): Systemctl {
  return (...args) => run('systemctl', ['--user', '--no-pager', ...args], SYSTEMCTL_ENV);
}

/**
 * Why no user manager answers systemctl --user (a container, WSL without
 * systemd, a bare `sudo` to another user): systemctl's own message;
 * undefined when one answers.
 */
export function noUserManager(systemctl: Systemctl): string | undefined {
  const result = systemctl('show-environment');
  if (result.code === 0) return undefined;
  return result.output.split('\n')[0] || `exit ${result.code}`;
}
