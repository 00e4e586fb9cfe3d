/**
 * data/last-update, written by scripts/remote-update.sh at every exit: one
 * "key=value" a line. Parsing only.
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
  };
}
