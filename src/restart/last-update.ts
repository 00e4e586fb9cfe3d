import fs from 'node:fs';
import type { ProjectPaths } from '../config/paths.js';
import { writeAtomic } from '../lib/atomic-write.js';
import { withDirLock } from '../lib/dir-lock.js';
import { keyValueLines } from '../lib/key-value-lines.js';

/**
 * data/last-update: one "key=value" a line. scripts/remote-update.sh writes
 * the whole record at every exit; the bridge and the update job's bridge
 * check add keys to it afterwards. Every writer holds data/last-update.lock
 * for its read-modify-write. The keys, who writes each and how:
 * docs/architecture.md.
 *
 * `updated-with-conflict`: the update succeeded (exit 0) but the local edits
 * conflicted with it and stay in the stash entry named by `stash`.
 */

export type UpdateOutcome = 'updated' | 'updated-with-conflict' | 'up-to-date' | 'failed' | 'skipped';

export interface LastUpdate {
  time: string;
  trigger: string;
  outcome: UpdateOutcome;
  exit: number;
  head: string;
  commits: number;
  summary: string;
  /** The stash entry holding local edits that conflicted (`updated-with-conflict`), else ''. */
  stash: string;
  /** The run wrote the restart flag; from the summary's words for a record written before `restart_queued`. */
  restartQueued: boolean;
}

const OUTCOMES: readonly string[] = ['updated', 'updated-with-conflict', 'up-to-date', 'failed', 'skipped'];

/** `restart_queued=yes|no`; a record written before the key says it only in its summary. */
function restartQueued(value: string | undefined, summary: string): boolean {
  if (value === 'yes' || value === 'no') return value === 'yes';
  return summary.includes('restart queued');
}

/** The record, or undefined when the text is not one (missing or unknown fields). */
export function parseLastUpdate(text: string): LastUpdate | undefined {
  const record = keyValueLines(text);
  const outcome = record.get('outcome');
  const exit = Number(record.get('exit'));
  const commits = Number(record.get('commits'));
  const time = record.get('time');
  if (outcome === undefined || !OUTCOMES.includes(outcome) || !Number.isInteger(exit) || !Number.isInteger(commits) || !time) {
    return undefined;
  }
  const summary = record.get('summary') ?? '';
  return {
    time,
    trigger: record.get('trigger') ?? '',
    outcome: outcome as UpdateOutcome,
    exit,
    head: record.get('head') ?? '',
    commits,
    summary,
    stash: record.get('stash') ?? '',
    restartQueued: restartQueued(record.get('restart_queued'), summary),
  };
}

/** The record in the file; undefined when there is none, or it is not one. */
export function readLastUpdate(file: string): LastUpdate | undefined {
  try {
    return parseLastUpdate(fs.readFileSync(file, 'utf8'));
  } catch {
    return undefined;
  }
}

/**
 * Keys that TypeScript adds to the script's record after its run: `restart`
 * (the bridge: a restart refused because the new commit fails its
 * self-test) and `bridge`, `bridge_log` (the update job's bridge check).
 * The script's next run replaces the whole file.
 */
export type AddedField = 'restart' | 'bridge' | 'bridge_log';

/** Sets one added key in the record text (one line: newlines become " | "). */
export function withField(text: string, key: AddedField, value: string): string {
  const kept = text.split('\n').filter((line) => line !== '' && !line.startsWith(`${key}=`));
  kept.push(`${key}=${value.replace(/\r?\n/g, ' | ')}`);
  return `${kept.join('\n')}\n`;
}

/** Reads the field back (undefined when absent). */
export function fieldOf(text: string, key: AddedField): string | undefined {
  const line = text.split('\n').find((l) => l.startsWith(`${key}=`));
  return line === undefined ? undefined : line.slice(key.length + 1);
}

/**
 * Adds the keys to data/last-update, together: read, changed and replaced
 * whole while holding data/last-update.lock, so that no other writer's key
 * is lost and no older record is put back over a newer one.
 */
export async function addLastUpdateFields(
  paths: Pick<ProjectPaths, 'dataDir' | 'lastUpdate' | 'lastUpdateLock'>,
  added: Partial<Record<AddedField, string>>,
): Promise<void> {
  fs.mkdirSync(paths.dataDir, { recursive: true });
  await withDirLock(paths.lastUpdateLock, () => {
    let text = '';
    try {
      text = fs.readFileSync(paths.lastUpdate, 'utf8');
    } catch {
      // no run recorded yet: the keys stand alone until the script's next run
    }
    for (const [key, value] of Object.entries(added)) text = withField(text, key as AddedField, value);
    writeAtomic(paths.lastUpdate, text);
  });
}
