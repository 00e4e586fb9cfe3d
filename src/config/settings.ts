import { createRequire } from 'node:module';
import type { StringSession } from 'telegram/sessions/index.js';

/**
 * The bridge's configuration, parsed from the environment. Pure: no I/O.
 * Every setting present is checked the same way in console mode as for
 * Telegram; console mode only does without the ones Telegram needs.
 */

/** A Telegram app's id and hash (https://my.telegram.org) and a login. */
export interface TelegramCredentials {
  apiId: number;
  apiHash: string;
  session: string;
}

/** The one chat of console mode when VALOR_PROJECTS is not set. */
export const CONSOLE_CHAT_ID = 'console';

export interface Settings {
  /** Monitored chats: chat id (as a string) → project key. */
  chats: Map<string, string>;
  agentCommand: string | undefined;
  machineName: string;
  /** Telegram user ids allowed to /update; undefined: anyone in a monitored chat. */
  updateUsers: Set<string> | undefined;
  /** The chat told about scheduled update runs (VALOR_NOTIFY_CHAT's project); undefined: none. */
  notifyChatId: string | undefined;
  /** How far back each catch-up of missed messages reaches (at start-up, after a reconnection). */
  catchUp: { maxMessages: number; maxAgeSeconds: number };
  /** Undefined in console mode, even when the credentials are set. */
  telegram: TelegramCredentials | undefined;
  /** Console mode: the settings Telegram needs that are not set (empty otherwise). */
  notSetForTelegram: string[];
  /** Values that must never reach a chat. */
  secrets: string[];
}

/** Every problem found, one line each, naming the setting and the fix. */
export class SettingsError extends Error {
  readonly problems: string[];

  constructor(problems: string | string[]) {
    const list = typeof problems === 'string' ? [problems] : problems;
    super(list.join('\n'));
    this.problems = list;
  }
}

type Env = Record<string, string | undefined>;

/** Collects problems instead of stopping at the first. */
class Problems {
  readonly lines: string[] = [];

  add(line: string): undefined {
    this.lines.push(line);
    return undefined;
  }

  throwIfAny(): void {
    if (this.lines.length > 0) throw new SettingsError(this.lines);
  }
}

function nonEmpty(env: Env, name: string): string | undefined {
  const value = env[name]?.trim();
  return value ? value : undefined;
}

function notSet(name: string, hint: string): string {
  return `${name} is not set: ${hint}`;
}

const PROJECTS_FIX = 'list the monitored chats, e.g. VALOR_PROJECTS=valor=-1001234567890';

/**
 * key=chatId pairs. One key may name several chats (a project's group and
 * its topic-free side chat); one chat may belong to only one project.
 */
function checkProjects(raw: string, problems: Problems): Map<string, string> {
  const chats = new Map<string, string>();
  const before = problems.lines.length;
  for (const pair of raw.split(',').map((p) => p.trim()).filter(Boolean)) {
    const match = /^([A-Za-z0-9_-]+)=(-?\d+)$/.exec(pair);
    if (!match) {
      problems.add(`VALOR_PROJECTS has a malformed entry "${pair}": write key=chatId pairs, e.g. valor=-1001234567890,docs=-1009876543210`);
      continue;
    }
    const [, key, chatId] = match as unknown as [string, string, string];
    const earlier = chats.get(chatId);
    if (earlier !== undefined) {
      problems.add(`VALOR_PROJECTS lists chat ${chatId} twice (${earlier}=${chatId} and ${key}=${chatId}): a chat belongs to one project, remove one entry`);
      continue;
    }
    chats.set(chatId, key);
  }
  if (chats.size === 0 && problems.lines.length === before) {
    problems.add('VALOR_PROJECTS names no chats: write key=chatId pairs, e.g. valor=-1001234567890');
  }
  return chats;
}

function parseUserIds(raw: string | undefined, problems: Problems): Set<string> | undefined {
  if (raw === undefined) return undefined;
  const ids = raw.split(',').map((id) => id.trim()).filter(Boolean);
  for (const id of ids) {
    if (!/^\d+$/.test(id)) problems.add(`VALOR_UPDATE_USERS has "${id}", which is not a Telegram user id: write numeric ids separated by commas`);
  }
  return new Set(ids);
}

const API_FIX = 'get it from https://my.telegram.org and put it in .env';

function checkApiId(raw: string): string | undefined {
  return /^\d+$/.test(raw) ? undefined : `TELEGRAM_API_ID must be a number, got "${raw}": copy it from https://my.telegram.org`;
}

function checkApiHash(raw: string): string | undefined {
  return /^[0-9a-f]{32}$/i.test(raw) ? undefined : 'TELEGRAM_API_HASH must be 32 hexadecimal characters: copy it from https://my.telegram.org';
}

/** The app's credentials from https://my.telegram.org: the bridge and `npm run login` both need them. */
export function parseApiCredentials(env: Env): Pick<TelegramCredentials, 'apiId' | 'apiHash'> {
  const problems = new Problems();
  const apiId = nonEmpty(env, 'TELEGRAM_API_ID');
  const apiHash = nonEmpty(env, 'TELEGRAM_API_HASH');
  if (apiId === undefined) problems.add(notSet('TELEGRAM_API_ID', API_FIX));
  else if (checkApiId(apiId)) problems.add(checkApiId(apiId)!);
  if (apiHash === undefined) problems.add(notSet('TELEGRAM_API_HASH', API_FIX));
  else if (checkApiHash(apiHash)) problems.add(checkApiHash(apiHash)!);
  problems.throwIfAny();
  return { apiId: Number(apiId), apiHash: apiHash! };
}

/** What to do about a TELEGRAM_SESSION that is missing, malformed or no longer a login. */
export const SESSION_FIX = 'run `npm run login` and save the TELEGRAM_SESSION=… line it prints in .env';

/** A session string decodes to a data centre and a key; anything else is a copying mistake. */
function checkSession(session: string): string | undefined {
  let decoded: StringSession;
  try {
    // Loaded here, not at the top: valor-service.sh and the bridge check read settings too, and gramjs takes a while to load.
    const sessions = createRequire(import.meta.url)('telegram/sessions/index.js') as typeof import('telegram/sessions/index.js');
    decoded = new sessions.StringSession(session);
  } catch {
    return `TELEGRAM_SESSION is not a session string (it does not decode): ${SESSION_FIX}`;
  }
  if (!(decoded.dcId > 0) || !decoded.serverAddress) {
    return `TELEGRAM_SESSION is not a session string (it names no data centre): ${SESSION_FIX}`;
  }
  return undefined;
}

/** TELEGRAM_SESSION, checked as a start checks it, for npm run chats. */
export function parseSession(env: Env): string {
  const session = nonEmpty(env, 'TELEGRAM_SESSION');
  if (session === undefined) throw new SettingsError(notSet('TELEGRAM_SESSION', SESSION_FIX));
  const problem = checkSession(session);
  if (problem) throw new SettingsError(problem);
  return session;
}

/** How every line names this machine: VALOR_MACHINE_NAME, else its default name (./machine-name.ts). */
export function machineName(env: Env, defaultName: string): string {
  return nonEmpty(env, 'VALOR_MACHINE_NAME') ?? defaultName;
}

/** VALOR_AGENT_CMD: the command that answers a message; undefined when not set. */
export function agentCommand(env: Env): string | undefined {
  return nonEmpty(env, 'VALOR_AGENT_CMD');
}

const REQUIRED_FOR_TELEGRAM = [
  { name: 'TELEGRAM_API_ID', fix: API_FIX, check: checkApiId },
  { name: 'TELEGRAM_API_HASH', fix: API_FIX, check: checkApiHash },
  { name: 'TELEGRAM_SESSION', fix: SESSION_FIX, check: checkSession },
] as const;

/** Each credential present is checked; a missing one is a problem only when Telegram is used. */
function checkTelegram(env: Env, consoleMode: boolean, problems: Problems, notSetNames: string[]): TelegramCredentials | undefined {
  const values: string[] = [];
  for (const { name, fix, check } of REQUIRED_FOR_TELEGRAM) {
    const value = nonEmpty(env, name);
    if (value === undefined) {
      if (consoleMode) notSetNames.push(name);
      else problems.add(notSet(name, fix));
      continue;
    }
    const problem = check(value);
    if (problem) problems.add(problem);
    values.push(value);
  }
  if (consoleMode || values.length < REQUIRED_FOR_TELEGRAM.length) return undefined;
  const [apiId, apiHash, session] = values as [string, string, string];
  return { apiId: Number(apiId), apiHash, session };
}

function positiveInteger(env: Env, name: string, fallback: number, problems: Problems): number {
  const raw = nonEmpty(env, name);
  if (raw === undefined) return fallback;
  if (!/^[1-9]\d*$/.test(raw)) return problems.add(`${name} must be a whole number above 0, got "${raw}": write e.g. ${name}=${fallback}, or leave it empty for the default`) ?? fallback;
  return Number(raw);
}

export const CATCHUP_DEFAULTS = { messages: 50, hours: 24 } as const;

/** VALOR_NOTIFY_CHAT names a project key of VALOR_PROJECTS: its chat id. */
function parseNotifyChat(raw: string | undefined, chats: Map<string, string>, problems: Problems): string | undefined {
  if (raw === undefined) return undefined;
  for (const [chatId, key] of chats) {
    if (key === raw) return chatId;
  }
  const keys = [...new Set(chats.values())].join(', ');
  return problems.add(`VALOR_NOTIFY_CHAT is "${raw}", which is not a project key of VALOR_PROJECTS (${keys}): name one of them`);
}

/**
 * Console mode with no VALOR_PROJECTS stands in one chat, "console"; with
 * it, the configured chats (the console transport stands in for them).
 */
function checkChats(env: Env, consoleMode: boolean, problems: Problems, notSetNames: string[]): { chats: Map<string, string>; ok: boolean } {
  const raw = nonEmpty(env, 'VALOR_PROJECTS');
  if (raw === undefined) {
    if (!consoleMode) problems.add(notSet('VALOR_PROJECTS', PROJECTS_FIX));
    notSetNames.push('VALOR_PROJECTS');
    return { chats: new Map([[CONSOLE_CHAT_ID, 'console']]), ok: consoleMode };
  }
  const before = problems.lines.length;
  const chats = checkProjects(raw, problems);
  return { chats, ok: problems.lines.length === before };
}

export function parseSettings(env: Env, options: { console: boolean; defaultName: string }): Settings {
  const problems = new Problems();
  const notSetNames: string[] = [];
  const telegram = checkTelegram(env, options.console, problems, notSetNames);
  const { chats, ok: chatsOk } = checkChats(env, options.console, problems, notSetNames);
  const notifyRaw = nonEmpty(env, 'VALOR_NOTIFY_CHAT');
  // Against a VALOR_PROJECTS with problems of its own, a second complaint would only mislead.
  const notifyChatId = chatsOk ? parseNotifyChat(notifyRaw, chats, problems) : undefined;
  const settings: Settings = {
    chats,
    agentCommand: agentCommand(env),
    machineName: machineName(env, options.defaultName),
    updateUsers: parseUserIds(nonEmpty(env, 'VALOR_UPDATE_USERS'), problems),
    notifyChatId,
    catchUp: {
      maxMessages: positiveInteger(env, 'VALOR_CATCHUP_MESSAGES', CATCHUP_DEFAULTS.messages, problems),
      maxAgeSeconds: positiveInteger(env, 'VALOR_CATCHUP_HOURS', CATCHUP_DEFAULTS.hours, problems) * 3600,
    },
    telegram,
    notSetForTelegram: options.console ? notSetNames : [],
    secrets: [nonEmpty(env, 'TELEGRAM_API_HASH'), nonEmpty(env, 'TELEGRAM_SESSION')].filter((s): s is string => s !== undefined),
  };
  problems.throwIfAny();
  return settings;
}
