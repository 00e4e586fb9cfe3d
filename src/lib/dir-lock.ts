import fs from 'node:fs';
import { setTimeout as sleep } from 'node:timers/promises';

/**
 * A lock for a moment's read-modify-write of a file that other processes
 * (a bash script among them) also write: a directory, made with mkdir,
 * which is atomic everywhere. A writer that finds it waits; a lock older
 * than `staleMs` was left by a writer that died: it is removed. Bounded:
 * after `giveUpMs` of waiting the lock is broken and the work done anyway,
 * as a lost key is worth less than a stuck writer.
 */
export interface DirLockOptions {
  pollMs?: number;
  staleMs?: number;
  giveUpMs?: number;
}

export const DIR_LOCK_DEFAULTS = { pollMs: 20, staleMs: 10_000, giveUpMs: 5_000 } as const;

function take(lock: string): boolean {
  try {
    fs.mkdirSync(lock);
    return true;
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'EEXIST') return false;
    throw error;
  }
}

function ageMs(lock: string): number | undefined {
  try {
    return Date.now() - fs.statSync(lock).mtimeMs;
  } catch {
    return undefined;
  }
}

function remove(lock: string): void {
  fs.rmSync(lock, { recursive: true, force: true });
}

/** Runs `work` holding the lock directory (its parent must exist), and removes it after. */
export async function withDirLock<T>(lock: string, work: () => T | Promise<T>, options: DirLockOptions = {}): Promise<T> {
  const { pollMs, staleMs, giveUpMs } = { ...DIR_LOCK_DEFAULTS, ...options };
  const startedAt = Date.now();
  while (!take(lock)) {
    const age = ageMs(lock);
    if (age !== undefined && age > staleMs) {
      remove(lock);
    } else if (Date.now() - startedAt >= giveUpMs) {
      remove(lock);
      take(lock);
      break;
    } else {
      await sleep(pollMs);
    }
  }
  try {
    return await work();
  } finally {
    remove(lock);
  }
}
