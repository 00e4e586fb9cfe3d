import fs from 'fs-extra';
import path from 'node:path';

/**
 * The restart protocol's files under data/. scripts/remote-update.sh writes
 * the flag and the last-update record (test/ts/restart-contract.test.ts runs
 * it and reads them back through this module); the bridge writes the notice.
 */
export interface RestartFiles {
  /** "<UTC time> <N> commit(s)": written by the update script, removed by the restart. */
  flag: string;
  /** Where to say how the restart went: the /update and its reply to edit (JSON, written by /update). */
  notice: string;
  /** The last update run, key=value lines (see ./last-update.ts). */
  lastUpdate: string;
}

export function restartFiles(dataDir: string): RestartFiles {
  return {
    flag: path.join(dataDir, 'restart-requested'),
    notice: path.join(dataDir, 'restart-notice.json'),
    lastUpdate: path.join(dataDir, 'last-update'),
  };
}

/**
 * The restart flag (written by remote-update.sh) and the restart notice
 * (written by /update, read after the restart). File access only.
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
  await fs.outputJson(`${noticePath}.tmp`, notice);
  await fs.rename(`${noticePath}.tmp`, noticePath);
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
