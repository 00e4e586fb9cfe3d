import type { LastUpdate } from '../restart/last-update.js';

/**
 * What to tell VALOR_NOTIFY_CHAT about the update runs recorded in
 * data/last-update. Pure: the record, what was said before, and where the
 * bridge stands in; the message and what to remember out.
 */

/** The trigger the scheduled update job records (scripts/scheduled-update.sh). */
export const SCHEDULE_TRIGGER = 'schedule';

export interface NoticeState {
  /** The record last dealt with, so that none is told twice. */
  handled?: string;
  /** The summary of the failure last told, so that a repeat is not told again. */
  failure?: string;
}

export interface NoticeContext {
  machineName: string;
  /** At start-up the bridge runs the code a queued restart was for. */
  phase: 'startup' | 'running';
  /** "<short sha> — <subject>" of the code running now. */
  head: string;
}

export interface NoticeDecision {
  message?: string;
  state: NoticeState;
}

function recordKey(record: LastUpdate): string {
  return `${record.time} ${record.outcome} ${record.head}`;
}

export function decideNotice(record: LastUpdate, state: NoticeState, context: NoticeContext): NoticeDecision {
  const key = recordKey(record);
  if (state.handled === key) return { state };
  const scheduled = record.trigger === SCHEDULE_TRIGGER;
  const lines: string[] = [];
  const next: NoticeState = { ...state, handled: key };

  if (record.outcome === 'failed') {
    if (scheduled && state.failure !== record.summary) {
      lines.push(`scheduled update failed (exit ${record.exit}): ${record.summary}`);
      next.failure = record.summary;
    }
  } else if (record.outcome !== 'skipped') {
    const updated = record.outcome === 'updated' || record.outcome === 'updated-with-conflict';
    const restartPending = scheduled && updated && record.restartQueued;
    // The restart comes once the bridge is idle: the notice waits for it.
    if (restartPending && context.phase === 'running') return { state };
    if (state.failure !== undefined) {
      lines.push('updates working again');
      delete next.failure;
    }
    if (scheduled && updated) {
      lines.push(
        restartPending
          ? `updated by schedule: ${record.commits} commit(s), restarted on ${context.head}`
          : `updated by schedule: ${record.commits} commit(s), no restart needed (HEAD ${context.head})`,
      );
    }
    // Nobody saw a scheduled run's output: edits out of the tree need saying.
    if (scheduled && record.outcome === 'updated-with-conflict') {
      const entry = record.stash || 'stash@{0}';
      lines.push(`needs attention: local edits on this machine conflicted with the update and are kept in ${entry}: git stash pop ${entry} brings them back`);
    }
  }
  if (lines.length === 0) return { state: next };
  return { message: `${context.machineName}: ${lines.join('\n')}`, state: next };
}
