import { CONSOLE_CHAT_ID, type Settings } from './settings.js';

/**
 * The settings as console mode runs them. Pure.
 *
 * Each chat of VALOR_PROJECTS gets a console twin, "console:<chat id>", so
 * that nothing console mode keeps under data/ (jobs, per-chat marks, the
 * restart notice) is ever taken for the real chat's.
 */

export function consoleChatId(chatId: string): string {
  return chatId === CONSOLE_CHAT_ID ? chatId : `console:${chatId}`;
}

/** Console chat id → project key, in VALOR_PROJECTS's order. */
export function consoleTwins(configured: ReadonlyMap<string, string>): Map<string, string> {
  return new Map([...configured].map(([chatId, key]) => [consoleChatId(chatId), key]));
}

/**
 * The console twins in place of the chats, and /update open to the console,
 * which has no Telegram user id: whoever types there is at the machine already.
 */
export function consoleSettings(settings: Settings): Settings {
  return {
    ...settings,
    chats: consoleTwins(settings.chats),
    updateUsers: undefined,
    notifyChatId: settings.notifyChatId === undefined ? undefined : consoleChatId(settings.notifyChatId),
  };
}
