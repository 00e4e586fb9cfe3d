import { formatChatList } from './account/chat-list.js';
import { answered, connectWithin, REACH_TIMEOUT_MS, TelegramUnreachable } from './account/reach-telegram.js';
import { readChats, toAccount } from './account/read-chats.js';
import { loadEnvFile } from './config/env-file.js';
import { checkoutRoot } from './config/paths.js';
import { parseApiCredentials, parseSession, SESSION_FIX, SettingsError } from './config/settings.js';
import { createTelegramClient } from './transport/telegram-client.js';
import { isLoginError } from './transport/telegram-transport.js';

/**
 * npm run chats: who TELEGRAM_SESSION is logged in as, and its chats,
 * groups and forum topics with the ids VALOR_PROJECTS takes, ending with a
 * ready VALOR_PROJECTS= line. Reads only; sends and marks nothing.
 *
 * Exit codes: 0 listed, 1 Telegram unreachable or not answering,
 * 2 bad settings or a session Telegram does not accept.
 */

const RERUN = 'npm run chats';
const REQUEST_TIMEOUT_MS = 30_000;

async function chats(): Promise<void> {
  loadEnvFile(checkoutRoot());
  const credentials = parseApiCredentials(process.env);
  const session = parseSession(process.env);
  // Only the outcome is for the person: gramjs's own lines are dropped.
  const client = createTelegramClient(credentials, session, () => {});
  await connectWithin(client, REACH_TIMEOUT_MS, RERUN);
  let me;
  try {
    me = await answered(client.getMe(), REQUEST_TIMEOUT_MS, 'reading the account', RERUN);
  } catch (error) {
    if (!isLoginError(error)) throw error;
    throw new SettingsError(`TELEGRAM_SESSION is not logged in (${(error as { errorMessage: string }).errorMessage}): ${SESSION_FIX}`);
  }
  const account = toAccount(me);
  const list = await answered(readChats(client, account.id), REQUEST_TIMEOUT_MS, 'reading the chats', RERUN);
  process.stdout.write(formatChatList(account, list));
  await client.disconnect();
}

chats().then(
  () => process.exit(0),
  (error: unknown) => {
    if (error instanceof SettingsError) {
      console.error(error.message);
      process.exit(2);
    }
    console.error(error instanceof TelegramUnreachable ? error.message : `npm run chats failed: ${error instanceof Error ? error.message : String(error)}`);
    process.exit(1);
  },
);
