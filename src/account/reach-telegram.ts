import type { TelegramClient } from 'telegram';

/** How long `npm run login` and `npm run chats` try to reach Telegram before saying they cannot. */
export const REACH_TIMEOUT_MS = 20_000;

export class TelegramUnreachable extends Error {}

/** "ECONNREFUSED 149.154.167.51:443" for a socket error, else the error's message. */
export function describeNetworkError(error: unknown): string {
  const socket = error as { code?: unknown; address?: unknown; port?: unknown; message?: unknown };
  if (typeof socket.code === 'string' && typeof socket.address === 'string') {
    return socket.port === undefined ? `${socket.code} ${socket.address}` : `${socket.code} ${socket.address}:${String(socket.port)}`;
  }
  if (typeof socket.code === 'string') return socket.code;
  return error instanceof Error ? error.message : String(error);
}

/**
 * Connects, or throws TelegramUnreachable naming the last connection error
 * once `withinMs` has passed. gramjs itself retries without limit, so only
 * a deadline of our own ends a command run with no network; the process
 * exits afterwards, which also ends gramjs's retries.
 */
export async function connectWithin(client: TelegramClient, withinMs: number, rerun: string): Promise<void> {
  let lastError: unknown;
  client.onError = async (error) => {
    lastError = error;
  };
  let timer: NodeJS.Timeout | undefined;
  const late = new Promise<never>((_, reject) => {
    timer = setTimeout(() => {
      const reason = lastError === undefined ? 'no answer' : describeNetworkError(lastError);
      reject(new TelegramUnreachable(`could not reach Telegram in ${withinMs / 1000} s (${reason}): check this machine's network, then run ${rerun} again`));
    }, withinMs);
  });
  try {
    const connected = await Promise.race([client.connect(), late]);
    if (!connected) throw new TelegramUnreachable(`could not reach Telegram (${describeNetworkError(lastError)}): check this machine's network, then run ${rerun} again`);
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
