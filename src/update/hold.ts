import fs from 'node:fs';
import { keyValueLines } from '../lib/key-value-lines.js';

/**
 * data/hold, read to be told: scripts/lib/hold.sh writes it (the chat's
 * /update hold runs scripts/valor-service.sh hold, its one writer) and the
 * update script decides by it whether a run is held. One key=value a line:
 * `until` (epoch seconds; in force while now < until), `since`, `by`,
 * `reason`. A file whose until is not a whole number is no hold, as for the
 * script. Pure but for readHold.
 */

export interface Hold {
  untilMs: number;
  /** `@alice` from the chat, the login name from the command line; may be empty. */
  by: string;
  reason: string;
}

const DAY_MS = 24 * 60 * 60 * 1000;

/** The hold the text holds, in force or not; undefined when it is none (no whole-number until). */
export function parseHold(text: string): Hold | undefined {
  const hold = keyValueLines(text);
  const until = hold.get('until') ?? '';
  // As the script reads it: digits only, few enough for its arithmetic.
  if (!/^\d{1,12}$/.test(until)) return undefined;
  return { untilMs: Number(until) * 1000, by: hold.get('by') ?? '', reason: hold.get('reason') ?? '' };
}

/** The hold in force at nowMs, if any. */
export function readHold(file: string, nowMs: number): Hold | undefined {
  let text: string;
  try {
    text = fs.readFileSync(file, 'utf8');
  } catch {
    return undefined;
  }
  const hold = parseHold(text);
  return hold !== undefined && nowMs < hold.untilMs ? hold : undefined;
}

/** "18:40 UTC", or "2026-02-03 18:40 UTC" when more than a day away: the script's words (hold.sh's utc_clock). */
function utcClock(ms: number, nowMs: number): string {
  const iso = new Date(ms).toISOString();
  const clock = `${iso.slice(11, 16)} UTC`;
  return ms - nowMs > DAY_MS ? `${iso.slice(0, 10)} ${clock}` : clock;
}

/** "by @alice until 18:40 UTC (debugging the catch-up)", as hold.sh's describe_hold says it. */
export function describeHold(hold: Hold, nowMs: number): string {
  const by = hold.by ? `by ${hold.by} ` : '';
  const reason = hold.reason ? ` (${hold.reason})` : '';
  return `${by}until ${utcClock(hold.untilMs, nowMs)}${reason}`;
}

/** The chat's line for a held machine: the reply to /update hold and to a held /update. */
export function heldLine(machine: string, hold: Hold, nowMs: number): string {
  return `${machine}: held ${describeHold(hold, nowMs)}; /update resume ${machine} to release it`;
}
