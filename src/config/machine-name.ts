import { spawnSync } from 'node:child_process';
import os from 'node:os';

/**
 * The name a machine answers with when VALOR_MACHINE_NAME does not say one
 * (./settings.ts `machineName`). On a Mac, the computer's name as
 * System Settings › General › Sharing shows it ("Studio"), which people
 * chose and recognise; `os.hostname()` is often "Johns-MacBook-Pro.local" or
 * a name the network hands out. Elsewhere, or when that cannot be read, the
 * host name without its ".local".
 */
export function defaultMachineName(computerName: string | undefined, hostName: string): string {
  return computerName?.trim() || hostName.replace(/\.local$/i, '');
}

/** scutil answers at once; a hung one must not hold up a start. */
export const COMPUTER_NAME_TIMEOUT_MS = 2_000;

/**
 * `scutil --get ComputerName`: only a Mac has scutil, so elsewhere this is
 * undefined (not found), as when it fails or hangs. Synchronous: settings are
 * read once, at a program's start.
 */
export function readComputerName(): string | undefined {
  const result = spawnSync('scutil', ['--get', 'ComputerName'], {
    encoding: 'utf8',
    timeout: COMPUTER_NAME_TIMEOUT_MS,
    stdio: ['ignore', 'pipe', 'ignore'],
  });
  if (result.error || result.status !== 0) return undefined;
  return result.stdout.trim() || undefined;
}

/** This machine's default name, read now. */
export function thisMachinesName(): string {
  return defaultMachineName(readComputerName(), os.hostname());
}
