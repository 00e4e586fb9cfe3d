import { Logger, TelegramClient } from 'telegram';
import { LogLevel } from 'telegram/extensions/Logger.js';
import { StringSession } from 'telegram/sessions/index.js';
import type { TelegramCredentials } from '../config/settings.js';
import { ConnectionLog } from './connection-log.js';

/** gramjs's own pause after a failed attempt; the connection log adds the rest of the back-off. */
const GRAMJS_RETRY_DELAY_MS = 1000;

/** What gramjs 2.26 logs at the moments the connection changes (network/MTProtoSender.js). */
const ATTEMPT_FAILED = /^WebSocket connection failed attempt: \d+$/;
const CONNECTED = /^Connection to .* complete!$/;
/** A broken read, or a reconnection gramjs starts itself (its pings went unanswered). */
const DROPPED = new Set(['Connection closed while receiving data', 'Started reconnecting']);
/** Lines that only accompany a state change or an error passed to onError, or our own disconnect. */
const ROUTINE = new Set([
  'Disconnecting...',
  '[Reconnect] Closing current connection...',
  'Error happened while disconnecting',
  'Unhandled error while receiving data',
  'Error while trying to reconnect',
]);

/**
 * gramjs prints through its logger, and dumps error objects with
 * console.error whenever the logger's canSend() accepts errors. This logger
 * accepts every message itself and answers canSend() with false, so nothing
 * of gramjs reaches the console: the connection log tells what matters.
 */
class ConnectionStateLogger extends Logger {
  /** Set when gramjs reports a failed attempt; its onError call that follows carries the error. */
  attemptFailed = false;

  constructor(private readonly connection: ConnectionLog) {
    super(LogLevel.ERROR);
  }

  override canSend(): boolean {
    return false;
  }

  override _log(level: LogLevel, message: string): void {
    if (ATTEMPT_FAILED.test(message)) this.attemptFailed = true;
    else if (CONNECTED.test(message)) this.connection.connected();
    else if (DROPPED.has(message)) this.connection.dropped();
    else if ((level === LogLevel.ERROR || level === LogLevel.WARN) && !ROUTINE.has(message)) this.connection.note(message);
  }
}

/** gramjs's client with the bridge's connection log: who listens to its state changes. */
export type BridgeTelegramClient = TelegramClient & { readonly connection: ConnectionLog };

/** Held open: while offline, this wait may be all that keeps the process alive. */
function pause(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}

/**
 * A gramjs client that keeps gramjs's default of reconnecting without limit
 * (a capped client gives up for good after a long outage), backs off between
 * attempts, and logs only changes of state, through `log`.
 */
export function createTelegramClient(
  credentials: Pick<TelegramCredentials, 'apiId' | 'apiHash'>,
  session = '',
  log: (line: string) => void = (line) => process.stderr.write(`${line}\n`),
  clock: { now(): number; sleep(ms: number): Promise<void> } = { now: Date.now, sleep: pause },
): BridgeTelegramClient {
  const connection = new ConnectionLog({ log, now: clock.now });
  const logger = new ConnectionStateLogger(connection);
  const client = new TelegramClient(new StringSession(session), credentials.apiId, credentials.apiHash, {
    baseLogger: logger,
    retryDelay: GRAMJS_RETRY_DELAY_MS,
  });
  // gramjs awaits this handler before its own pause, so waiting here paces the attempts.
  client.onError = async (error) => {
    if (!logger.attemptFailed) {
      connection.otherError(error);
      return;
    }
    logger.attemptFailed = false;
    const delay = connection.attemptFailed(error) - GRAMJS_RETRY_DELAY_MS;
    if (delay > 0) await clock.sleep(delay);
  };
  return Object.assign(client, { connection });
}
