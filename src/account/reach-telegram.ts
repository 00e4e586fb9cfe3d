import type { TelegramClient } from 'telegram';
import { describeFailure } from '../transport/connection-log.js';

/** How long `npm run login` and `npm run chats` try to reach Telegram before saying they cannot. */
export const REACH_TIMEOUT_MS = 20_000;

export class TelegramUnreachable extends Error {}

/**
 * Connects, or throws TelegramUnreachable naming the last connection error
 * once `withinMs` has passed. gramjs itself retries without limit, so only
 * a deadline of our own ends a command run with no network; the process
 * exits afterwards, which also ends gramjs's retries.
 */
export async function connectWithin(client: TelegramClient, withinMs: number, rerun: string): Promise<void> {
  let lastError: unknown;
  // gramjs keeps onError's handler here and awaits it after each failed attempt; wrapped, not
  // replaced, so the client's own back-off (in that handler) stays.
  const internals = client as unknown as { _errorHandler?: (error: Error) => Promise<void> };
  const handler = internals._errorHandler;
  internals._errorHandler = async (error) => {
    lastError = error;
    await handler?.(error);
  };
  let timer: NodeJS.Timeout | undefined;
  const late = new Promise<never>((_, reject) => {
    timer = setTimeout(() => {
      const reason = lastError === undefined ? 'no answer' : describeFailure(lastError);
      reject(new TelegramUnreachable(`could not reach Telegram in ${withinMs / 1000} s (${reason}): check this machine's network, then run ${rerun} again`));
    }, withinMs);
  });
  try {
    const connected = await Promise.race([client.connect(), late]);
    if (!connected) throw new TelegramUnreachable(`could not reach Telegram (${describeFailure(lastError)}): check this machine's network, then run ${rerun} again`);
  } finally {
    clearTimeout(timer);
  }
}

/** gramjs requests have no deadline of their own; a command run by a person must end. */
export async function answered<T>(work: Promise<T>, withinMs: number, what: string, rerun: string): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const late = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new TelegramUnreachable(`no answer from Telegram in ${withinMs / 1000} s while ${what}: run ${rerun} again`)), withinMs);
  });
  try {
    return await Promise.race([work, late]);
  } finally {
    clearTimeout(timer);
  }
}
