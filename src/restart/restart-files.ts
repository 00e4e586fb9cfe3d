import fs from 'fs-extra';
import { writeAtomicAsync } from '../lib/atomic-write.js';

/**
 * The restart protocol's files under data/ (their paths are
 * ../config/paths.ts's): the flag, written by scripts/remote-update.sh
 * (test/ts/restart-contract.test.ts runs it and reads it back through this
 * module), and the notice, written by /update and read after the restart.
 * File access only.
 */

export interface RestartNotice {
  chatId: string;
  /** The /update message. */
  messageId: number;
  topicId?: number;
  /** The reply to it, edited as the restart goes on; absent when it could not be sent (or from an older bridge). */
  replyId?: number;
  /** That reply's text without its stage line. */
  replyText?: string;
  /** When the restart was asked for (ISO 8601), to say how long it took. */
  askedAt?: string;
}

export function flagExists(flagPath: string): boolean {
  return fs.existsSync(flagPath);
}

/** When the flag was written; undefined when there is none. */
export function flagWrittenAtMs(flagPath: string): number | undefined {
  try {
    return fs.statSync(flagPath).mtimeMs;
  } catch {
    return undefined;
  }
}

export function removeFlag(flagPath: string): void {
  fs.removeSync(flagPath);
}

/**
 * A flag written before this process started is for code we are already
 * running: remove it. One written since may be for code we have not loaded:
 * keep it, and restart when idle.
 */
export function clearStaleFlag(flagPath: string, processStartedAtMs: number): 'none' | 'removed' | 'kept' {
  const writtenAtMs = flagWrittenAtMs(flagPath);
  if (writtenAtMs === undefined) return 'none';
  if (writtenAtMs < processStartedAtMs) {
    fs.removeSync(flagPath);
    return 'removed';
  }
  return 'kept';
}

export async function writeNotice(noticePath: string, notice: RestartNotice): Promise<void> {
  await writeAtomicAsync(noticePath, `${JSON.stringify(notice)}\n`);
}

/** Reads and removes the notice: it is said once. */
export async function takeNotice(noticePath: string): Promise<RestartNotice | undefined> {
  try {
    const notice = (await fs.readJson(noticePath)) as RestartNotice;
    await fs.remove(noticePath);
    return notice;
  } catch {
    return undefined;
  }
}
