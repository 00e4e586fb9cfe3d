import { Logger, TelegramClient } from 'telegram';
import { LogLevel } from 'telegram/extensions/Logger.js';
import { StringSession } from 'telegram/sessions/index.js';
import type { TelegramCredentials } from '../config/settings.js';

/** A gramjs client with its own logging silenced: the bridge logs what matters. */
export function createTelegramClient(credentials: Pick<TelegramCredentials, 'apiId' | 'apiHash'>, session = ''): TelegramClient {
  return new TelegramClient(new StringSession(session), credentials.apiId, credentials.apiHash, {
    baseLogger: new Logger(LogLevel.NONE),
    connectionRetries: 5,
  });
}
