import { StringSession } from 'telegram/sessions/index.js';
import { CONSOLE_CHAT_ID } from '../transport/console-transport.js';
import type { TelegramCredentials } from '../transport/telegram-client.js';

/** The bridge's configuration, parsed from the environment. Pure: no I/O. */

export interface Settings {
  /** Monitored chats: chat id (as a string) → project key. */
  chats: Map<string, string>;
  agentCommand: string | undefined;
  machineName: string;
  /** Telegram user ids allowed to /update; undefined: anyone in a monitored chat. */
  updateUsers: Set<string> | undefined;
  /** The chat told about scheduled update runs (VALOR_NOTIFY_CHAT's project); undefined: none. */
  notifyChatId: string | undefined;
  /** How far back the start-up catch-up of missed messages reaches. */
  catchUp: { maxMessages: number; maxAgeSeconds: number };
  telegram: TelegramCredentials | undefined;
  /** Values that must never reach a chat. */
  secrets: string[];
}

export class SettingsError extends Error {}

type Env = Record<string, string | undefined>;


function nonEmpty(env: Env, name: string): string | undefined {
  const value = env[name]?.trim();
  return value ? value : undefined;
}

function required(env: Env, name: string, hint: string): string {
  const value = nonEmpty(env, name);
  if (!value) throw new SettingsError(`${name} is not set: ${hint}`);
  return value;
}

/**
 * key=chatId pairs. One key may name several chats (a project's group and
 * its topic-free side chat); one chat may belong to only one project.
 */
export function parseProjects(raw: string): Map<string, string> {
  const chats = new Map<string, string>();
  for (const pair of raw.split(',').map((p) => p.trim()).filter(Boolean)) {
    const match = /^([A-Za-z0-9_-]+)=(-?\d+)$/.exec(pair);
    if (!match) {
      throw new SettingsError(
        `VALOR_PROJECTS has a malformed entry "${pair}": write key=chatId pairs, e.g. valor=-1001234567890,docs=-1009876543210`,
      );
    }
    const [, key, chatId] = match as unknown as [string, string, string];
    const earlier = chats.get(chatId);
    if (earlier !== undefined) {
      throw new SettingsError(
        `VALOR_PROJECTS lists chat ${chatId} twice (${earlier}=${chatId} and ${key}=${chatId}): a chat belongs to one project, remove one entry`,
      );
    }
    chats.set(chatId, key);
  }
  if (chats.size === 0) {
    throw new SettingsError('VALOR_PROJECTS names no chats: write key=chatId pairs, e.g. valor=-1001234567890');
  }
  return chats;
}

function parseUserIds(raw: string | undefined): Set<string> | undefined {
  if (raw === undefined) return undefined;
  const ids = raw.split(',').map((id) => id.trim()).filter(Boolean);
  for (const id of ids) {
    if (!/^\d+$/.test(id)) {
      throw new SettingsError(`VALOR_UPDATE_USERS has "${id}", which is not a Telegram user id: write numeric ids separated by commas`);
    }
  }
  return new Set(ids);
}

/** The app's credentials from https://my.telegram.org: the bridge and `npm run login` both need them. */
export function parseApiCredentials(env: Env): Pick<TelegramCredentials, 'apiId' | 'apiHash'> {
  const apiIdText = required(env, 'TELEGRAM_API_ID', 'get it from https://my.telegram.org and put it in .env');
  if (!/^\d+$/.test(apiIdText)) {
    throw new SettingsError(`TELEGRAM_API_ID must be a number, got "${apiIdText}": copy it from https://my.telegram.org`);
  }
  const apiHash = required(env, 'TELEGRAM_API_HASH', 'get it from https://my.telegram.org and put it in .env');
  if (!/^[0-9a-f]{32}$/i.test(apiHash)) {
    throw new SettingsError('TELEGRAM_API_HASH must be 32 hexadecimal characters: copy it from https://my.telegram.org');
  }
  return { apiId: Number(apiIdText), apiHash };
}

const SESSION_FIX = 'run `npm run login` and save the TELEGRAM_SESSION=… line it prints in .env';

/** A session string decodes to a data centre and a key; anything else is a copying mistake. */
function checkSession(session: string): void {
  let decoded: StringSession;
  try {
    decoded = new StringSession(session);
  } catch {
    throw new SettingsError(`TELEGRAM_SESSION is not a session string (it does not decode): ${SESSION_FIX}`);
  }
  if (!(decoded.dcId > 0) || !decoded.serverAddress) {
    throw new SettingsError(`TELEGRAM_SESSION is not a session string (it names no data centre): ${SESSION_FIX}`);
  }
}

function parseTelegram(env: Env): TelegramCredentials {
  const credentials = parseApiCredentials(env);
  const session = required(env, 'TELEGRAM_SESSION', SESSION_FIX);
  checkSession(session);
  return { ...credentials, session };
}

function positiveInteger(env: Env, name: string, fallback: number): number {
  const raw = nonEmpty(env, name);
  if (raw === undefined) return fallback;
  if (!/^[1-9]\d*$/.test(raw)) throw new SettingsError(`${name} must be a whole number above 0, got "${raw}"`);
  return Number(raw);
}

export const CATCHUP_DEFAULTS = { messages: 50, hours: 24 } as const;

/** VALOR_NOTIFY_CHAT names a project key of VALOR_PROJECTS: its chat id. */
function parseNotifyChat(raw: string | undefined, chats: Map<string, string>): string | undefined {
  if (raw === undefined) return undefined;
  for (const [chatId, key] of chats) {
    if (key === raw) return chatId;
  }
  const keys = [...new Set(chats.values())].join(', ');
  throw new SettingsError(`VALOR_NOTIFY_CHAT is "${raw}", which is not a project key of VALOR_PROJECTS (${keys}): name one of them`);
}

export function parseSettings(env: Env, options: { console: boolean; hostName: string }): Settings {
  const telegram = options.console ? undefined : parseTelegram(env);
  const chats = options.console
    ? new Map([[CONSOLE_CHAT_ID, 'console']])
    : parseProjects(required(env, 'VALOR_PROJECTS', 'list the monitored chats, e.g. VALOR_PROJECTS=valor=-1001234567890'));
  return {
    chats,
    agentCommand: nonEmpty(env, 'VALOR_AGENT_CMD'),
    machineName: nonEmpty(env, 'VALOR_MACHINE_NAME') ?? options.hostName,
    updateUsers: parseUserIds(nonEmpty(env, 'VALOR_UPDATE_USERS')),
    notifyChatId: parseNotifyChat(nonEmpty(env, 'VALOR_NOTIFY_CHAT'), chats),
    catchUp: {
      maxMessages: positiveInteger(env, 'VALOR_CATCHUP_MESSAGES', CATCHUP_DEFAULTS.messages),
      maxAgeSeconds: positiveInteger(env, 'VALOR_CATCHUP_HOURS', CATCHUP_DEFAULTS.hours) * 3600,
    },
    telegram,
    secrets: telegram ? [telegram.apiHash, telegram.session] : [],
  };
}
