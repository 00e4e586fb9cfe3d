import type { RunCommand } from './systemctl.js';

/**
 * A user's manager, and so the bridge, runs only while the user is logged in
 * unless lingering is on: what a Linux server needs. logind knows
 * (`loginctl show-user`); without logind (a container) nobody can tell.
 */
export type Lingering = { kind: 'on' } | { kind: 'off' } | { kind: 'unknown'; reason: string };

export function readLingering(run: RunCommand, user: string): Lingering {
  const result = run('loginctl', ['show-user', user, '-p', 'Linger'], {});
  const value = /^Linger=(yes|no)$/m.exec(result.stdout)?.[1];
  if (result.code === 0 && value) return { kind: value === 'yes' ? 'on' : 'off' };
  const said = result.output.split('\n')[0]?.trim();
  return { kind: 'unknown', reason: `loginctl: ${said || `exit ${result.code}`}` };
}

function enableCommand(user: string): string {
  return `sudo loginctl enable-linger ${user}`;
}

/** install's one line, or nothing when lingering is on. */
export function lingeringWarning(lingering: Lingering, user: string): string | undefined {
  if (lingering.kind === 'on') return undefined;
  if (lingering.kind === 'off') {
    return `WARN: lingering is off for ${user}: the bridge and the update timer stop when ${user} logs out and start only at the next login. On a server turn it on (sudo on most hosts): ${enableCommand(user)}`;
  }
  return `WARN: could not tell whether lingering is on for ${user} (${lingering.reason}): without it the bridge runs only while ${user} is logged in. On a server turn it on (sudo on most hosts): ${enableCommand(user)}`;
}

/** status's line. */
export function lingeringStatus(lingering: Lingering, user: string): string {
  if (lingering.kind === 'on') return `lingering: on (the units run without a login, from boot)`;
  if (lingering.kind === 'off') return `lingering: off (the units run only while ${user} is logged in; ${enableCommand(user)} turns it on)`;
  return `lingering: could not tell (${lingering.reason})`;
}
