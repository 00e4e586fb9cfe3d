import type { IncomingMessage } from '../transport/transport.js';

/** How far back the catch-up reaches. */
export interface CatchUpLimits {
  maxMessages: number;
  maxAgeSeconds: number;
}

export interface MissedSelection {
  /** Oldest first, as they were sent. */
  handle: IncomingMessage[];
  /** Missed but not handled: beyond the count or the age bound. */
  leftOut: number;
}

/**
 * From a chat's messages newer than its mark (any order): those to handle as
 * if they had just arrived. Outgoing and forwarded ones are not messages to
 * the bridge. Pure.
 */
export function selectMissed(messages: readonly IncomingMessage[], mark: number, limits: CatchUpLimits, nowSeconds: number): MissedSelection {
  const missed = messages.filter((m) => m.messageId > mark && !m.outgoing && !m.forwarded).sort((a, b) => a.messageId - b.messageId);
  const recent = missed.filter((m) => m.date >= nowSeconds - limits.maxAgeSeconds);
  const handle = recent.slice(-limits.maxMessages);
  return { handle, leftOut: missed.length - handle.length };
}
