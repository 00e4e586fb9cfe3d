import fs from 'node:fs';
import path from 'node:path';

/**
 * data/last-update, written by scripts/remote-update.sh at every exit: one
 * "key=value" a line.
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
}

const OUTCOMES: readonly string[] = ['updated', 'updated-with-conflict', 'up-to-date', 'failed', 'skipped'];

/** The record, or undefined when the text is not one (missing or unknown fields). */
export function parseLastUpdate(text: string): LastUpdate | undefined {
  const fields = new Map<string, string>();
  for (const line of text.split('\n')) {
    const equals = line.indexOf('=');
    if (equals > 0) fields.set(line.slice(0, equals), line.slice(equals + 1));
  }
  const outcome = fields.get('outcome');
  const exit = Number(fields.get('exit'));
  const commits = Number(fields.get('commits'));
  const time = fields.get('time');
  if (outcome === undefined || !OUTCOMES.includes(outcome) || !Number.isInteger(exit) || !Number.isInteger(commits) || !time) {
    return undefined;
  }
  return {
    time,
    trigger: fields.get('trigger') ?? '',
    outcome: outcome as UpdateOutcome,
    exit,
    head: fields.get('head') ?? '',
    commits,
    summary: fields.get('summary') ?? '',
    stash: fields.get('stash') ?? '',
  };
}

/**
 * Keys that others add to the script's record after its run: `restart` (the
 * bridge: a restart refused because the new commit fails its self-test) and
 * `bridge`, `bridge_log` (the update job's health check). The script's next
 * run replaces the whole file.
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

/** Adds the key to data/last-update in place, atomically (temporary file, then rename). */
export function addLastUpdateField(file: string, key: AddedField, value: string): void {
  let text = '';
  try {
    text = fs.readFileSync(file, 'utf8');
  } catch {
    // no run recorded yet: the key stands alone until the script's next run
  }
  fs.mkdirSync(path.dirname(file), { recursive: true });
  fs.writeFileSync(`${file}.tmp`, withField(text, key, value));
  fs.renameSync(`${file}.tmp`, file);
}
