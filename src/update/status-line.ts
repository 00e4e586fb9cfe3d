import { gitCannotRun, unknownCommit, type Checkout, type Commit } from '../git/checkout.js';
import { formatDuration } from '../lib/duration.js';
import type { LastUpdate } from '../restart/last-update.js';
import { heldLine, type Hold } from './hold.js';
import { waitingFor } from './reply-text.js';

/** `/update status`: one line per machine saying what it runs and what waits. Pure. */

export interface StatusFacts {
  machine: string;
  /** The commit this process loaded; undefined while git cannot say. */
  running: Commit | undefined;
  /** Git's own first line when it could not say. */
  runningGitFault?: string;
  startedAtMs: number;
  checkout: Checkout;
  lastUpdate: LastUpdate | undefined;
  /** data/last-update's `restart` key: a restart refused after the last run. */
  refusedRestart: string | undefined;
  restartPending: { sinceMs: number; waitingJobs: number } | undefined;
  /** The hold in force (data/hold), if any. */
  hold: Hold | undefined;
  nowMs: number;
}

/** A restart waits for running jobs, each bounded; longer than this, something is stuck. */
export const RESTART_OVERDUE_MS = 5 * 60_000;
const SUBJECT_LIMIT = 50;
export const ATTENTION_MARK = '⚠️';
/** A held machine's line starts with it, and says the hold first. */
export const HOLD_MARK = '⏸';

function subject(text: string): string {
  return text.length <= SUBJECT_LIMIT ? text : `${text.slice(0, SUBJECT_LIMIT - 1)}…`;
}

/** "2026-11-29T22:10:03Z" → "2026-11-29 22:10 UTC". */
function recordTime(iso: string): string {
  const match = /^(\d{4}-\d\d-\d\d)T(\d\d:\d\d)/.exec(iso);
  return match ? `${match[1]} ${match[2]} UTC` : iso;
}

function attention(f: StatusFacts): string[] {
  const reasons: string[] = [];
  const head = f.checkout.head;
  const fault = f.runningGitFault ?? f.checkout.gitFault;
  if (fault !== undefined) reasons.push(gitCannotRun(fault));
  if (head !== undefined && f.running !== undefined && head.sha !== f.running.sha && !f.restartPending) {
    reasons.push(f.refusedRestart ?? `the checkout is at ${head.short} but no restart is pending`);
  }
  if (f.restartPending && f.nowMs - f.restartPending.sinceMs > RESTART_OVERDUE_MS) {
    reasons.push(`the restart has waited more than ${formatDuration(RESTART_OVERDUE_MS)}`);
  }
  if (f.lastUpdate?.outcome === 'updated-with-conflict') reasons.push('local edits conflicted with the update and wait in a stash');
  if (f.lastUpdate?.outcome === 'failed') reasons.push(`the last update failed: ${f.lastUpdate.summary}`);
  return reasons;
}

export function statusLine(f: StatusFacts): string {
  const { checkout, lastUpdate, restartPending } = f;
  const upstream =
    checkout.upstream === undefined
      ? checkout.gitFault === undefined
        ? 'no upstream'
        : 'upstream unknown'
      : `upstream ${checkout.upstream.short} (${checkout.fetchedAtMs === undefined ? 'never fetched' : `fetched ${formatDuration(f.nowMs - checkout.fetchedAtMs)} ago`})`;
  const last = lastUpdate
    ? `last update ${recordTime(lastUpdate.time)} (${lastUpdate.trigger || 'manual'}): ${lastUpdate.outcome}`
    : 'no update run recorded';
  const pending = restartPending
    ? `restart pending for ${formatDuration(f.nowMs - restartPending.sinceMs)}${waitingFor(restartPending.waitingJobs)}`
    : 'no restart pending';
  const running = f.running ? `${f.running.short} "${subject(f.running.subject)}"` : unknownCommit(f.runningGitFault ?? 'no answer');
  // Git's words once: where the bridge's own git failed, the checkout's failing too is no news.
  const checkoutFault = checkout.gitFault !== undefined && f.runningGitFault === undefined ? ` (git: ${checkout.gitFault})` : '';
  const parts = [
    `running ${running}, up ${formatDuration(f.nowMs - f.startedAtMs)}`,
    `checkout ${checkout.head?.short ?? `unknown${checkoutFault}`}`,
    upstream,
    last,
    pending,
  ];
  const reasons = attention(f);
  const marks = [...(reasons.length > 0 ? [ATTENTION_MARK] : []), ...(f.hold ? [HOLD_MARK] : [])];
  // A held machine says its hold first, in the words of its reply to a held /update.
  const said = f.hold ? [heldLine(f.machine, f.hold, f.nowMs), ...parts].join('; ') : `${f.machine}: ${parts.join('; ')}`;
  const line = [...marks, said].join(' ');
  return reasons.length === 0 ? line : `${line}; needs attention: ${reasons.join('; ')}`;
}
