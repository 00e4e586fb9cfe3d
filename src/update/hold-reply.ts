import { redact } from '../lib/redact.js';
import { heldLine, type Hold } from './hold.js';
import { HOLD_USAGE } from './reply-text.js';
import { HOLD_TIMEOUT_SECONDS, type HoldResult } from './run-hold-command.js';
import type { HoldAction } from './update-command.js';

/** The prefix of scripts/valor-service.sh's lines. */
const SCRIPT_PREFIX = /^\[[a-z-]+\] /;

function scriptLine(line: string | undefined): string {
  return (line ?? '').replace(SCRIPT_PREFIX, '');
}

export interface HoldReply {
  text: string;
  ok: boolean;
}

/**
 * The reply to /update hold or /update resume, from what
 * scripts/valor-service.sh said and, after a hold, the hold it wrote (the
 * chat's own line, naming this machine). A bad argument is the script's FAIL
 * line and the chat's usage. Pure.
 */
export function holdReply(machine: string, action: HoldAction, result: HoldResult, hold: Hold | undefined, nowMs: number, secrets: readonly string[]): HoldReply {
  const lines = result.output.trim().split('\n');
  let text: string;
  if (result.timedOut) {
    text = `${machine}: /update ${action} timed out after ${HOLD_TIMEOUT_SECONDS} s; /update status says whether it is held`;
  } else if (result.exitCode === 0 && action === 'hold' && hold !== undefined) {
    text = heldLine(machine, hold, nowMs);
  } else if (result.exitCode === 0) {
    text = `${machine}: ${scriptLine(lines.at(-1))}`;
  } else if (result.exitCode === 2) {
    text = `${machine}: ${scriptLine(lines[0])}\nusage: ${HOLD_USAGE}`;
  } else {
    text = `${machine}:\n${result.output.trim() || `(no output, exit ${result.exitCode ?? 'unknown'})`}`;
  }
  return { text: redact(text, secrets), ok: !result.timedOut && result.exitCode === 0 };
}
