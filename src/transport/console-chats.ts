import { consoleTwins } from '../config/console-settings.js';
import { CONSOLE_CHAT_ID, type Settings } from '../config/settings.js';

/**
 * How the console stands in for the configured chats, through their console
 * twins (../config/console-settings.ts). Pure. A typed line goes to the
 * first project's chat, or to another project's with "key: " before it;
 * replies to another project's chat are printed with the same "key: ".
 */
export interface ConsoleChats {
  /** Console chat id → project key, in VALOR_PROJECTS's order. */
  chats: Map<string, string>;
  /** Where a line with no "key: " goes. */
  defaultChatId: string;
  /** The chat a typed line is for, and its text without the "key: ". */
  route(line: string): { chatId: string; text: string };
  /** What a reply to chatId is printed after: "" for the default chat, else "key: ". */
  replyPrefix(chatId: string): string;
}

export function consoleChats(configured: ReadonlyMap<string, string>): ConsoleChats {
  const chats = consoleTwins(configured);
  const byKey = new Map<string, string>();
  for (const [chatId, key] of chats) if (!byKey.has(key)) byKey.set(key, chatId);
  const [defaultChatId, defaultKey] = [...chats][0] ?? [CONSOLE_CHAT_ID, 'console'];
  return {
    chats,
    defaultChatId,
    route(line) {
      const match = /^([A-Za-z0-9_-]+):\s?(.*)$/.exec(line);
      const chatId = match ? byKey.get(match[1]!) : undefined;
      return chatId === undefined ? { chatId: defaultChatId, text: line } : { chatId, text: match![2]! };
    },
    replyPrefix(chatId) {
      const key = chats.get(chatId);
      return key === undefined || key === defaultKey ? '' : `${key}: `;
    },
  };
}

/** What console mode says on start, after the settings passed. */
export function consoleIntro(settings: Settings): string[] {
  const lines = ['console mode: your settings are checked as for Telegram; type a message, or /update'];
  const firstChats = new Map<string, string>();
  for (const [chatId, key] of settings.chats) if (!firstChats.has(key)) firstChats.set(key, chatId);
  const [first, ...others] = [...firstChats];
  if (first && !settings.notSetForTelegram.includes('VALOR_PROJECTS')) {
    const rest = others.map(([key, chatId]) => `"${key}: " for ${key} (${chatId})`).join(', ');
    lines.push(`console mode: a line goes to ${first[0]} (${first[1]})${rest ? `; start it with ${rest}` : ''}`);
  }
  if (settings.updateUsers !== undefined) {
    lines.push('console mode: /update is allowed here whatever VALOR_UPDATE_USERS says: the console is the machine itself');
  }
  if (settings.notSetForTelegram.length > 0) {
    lines.push(`console mode: not set, and needed to run with Telegram: ${settings.notSetForTelegram.join(', ')} (see .env.example)`);
  }
  return lines;
}
