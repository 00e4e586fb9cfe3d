/** Turns the update script's result into the chat reply. Pure. */

import { redact } from '../lib/redact.js';
import { TELEGRAM_MESSAGE_LIMIT } from '../transport/transport.js';
import type { UpdateResult } from './run-update-script.js';

const CUT_MARK = '…(earlier output cut)\n';

/** Keeps the end (summary and HEAD lines) when cutting, and marks the cut. */
export function keepTail(text: string, limit: number): string {
  if (text.length <= limit) return text;
  let tail = text.slice(text.length - (limit - CUT_MARK.length));
  const firstBreak = tail.indexOf('\n');
  if (firstBreak >= 0 && firstBreak < tail.length - 1) tail = tail.slice(firstBreak + 1);
  return CUT_MARK + tail;
}

export function succeeded(result: UpdateResult): boolean {
  return !result.timedOut && result.exitCode === 0;
}

export function updateReply(machine: string, result: UpdateResult, secrets: readonly string[]): string {
  const header = `${machine}:\n`;
  const body = result.timedOut
    ? `Update timed out after ${result.timeoutSeconds}s`
    : result.output.trim() || `(no output, exit ${result.exitCode ?? 'unknown'})`;
  return keepTail(redact(header + body, secrets), TELEGRAM_MESSAGE_LIMIT);
}

/** The /update hold and /update resume forms, for the usage and a bad hold's reply. */
export const HOLD_USAGE = '/update hold [MACHINE] [for 30m|4h|2d] [REASON] (no updates until then: 24 h unless said, at most 7 days), /update resume [MACHINE] (end it)';

export function usageReply(machine: string): string {
  return `${machine}: usage: /update (update and restart), /update check (what an update would bring), /update status (what runs here), ${HOLD_USAGE}`;
}

/** The /update reply with the restart's stage as its last line, within one message. */
export function withStage(reply: string, stage: string): string {
  return keepTail(`${reply}\n${stage}`, TELEGRAM_MESSAGE_LIMIT);
}

/** " (waiting for 2 jobs)", or nothing when none runs. */
export function waitingFor(jobs: number): string {
  return jobs > 0 ? ` (waiting for ${jobs} job${jobs === 1 ? '' : 's'})` : '';
}

export function restartQueuedStage(waitingJobs: number): string {
  return `restart queued${waitingFor(waitingJobs)}`;
}

export function restartedStage(shortCommit: string, tookMs: number | undefined): string {
  return tookMs === undefined ? `restarted on ${shortCommit}` : `restarted on ${shortCommit} in ${(tookMs / 1000).toFixed(1)} s`;
}

export function refusedStage(newCommit: string, failure: { reason: string; couldNotRun?: boolean }, runningCommit: string): string {
  const why = failure.couldNotRun ? `the self-test of ${newCommit} could not run` : `${newCommit} fails its self-test`;
  return `not restarting: ${why}: ${failure.reason}; still running ${runningCommit}`;
}
