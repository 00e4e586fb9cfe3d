import { Logger, TelegramClient } from 'telegram';
import { LogLevel } from 'telegram/extensions/Logger.js';
import { StringSession } from 'telegram/sessions/index.js';

/** A Telegram app's id and hash (https://my.telegram.org) and a login. */
export interface TelegramCredentials {
  apiId: number;
  apiHash: string;
  session: string;
}

/** gramjs's warnings and errors, into the bridge's log: a silenced client hides its connection failures. */
class ForwardingLogger extends Logger {
  constructor(private readonly sink: (line: string) => void) {
    super(LogLevel.WARN);
  }

  override log(level: LogLevel, message: string): void {
    this.sink(`gramjs ${level}: ${message}`);
  }
}

/**
 * A gramjs client that keeps gramjs's default of reconnecting without limit
 * (a capped client gives up for good after a long outage) and logs through
 * the bridge.
 */
export function createTelegramClient(
  credentials: Pick<TelegramCredentials, 'apiId' | 'apiHash'>,
  session = '',
  log: (line: string) => void = (line) => process.stderr.write(`${line}\n`),
): TelegramClient {
  const client = new TelegramClient(new StringSession(session), credentials.apiId, credentials.apiHash, {
    baseLogger: new ForwardingLogger(log),
  });
  client.onError = async (error) => log(`gramjs error: ${error.message}`);
  return client;
}
