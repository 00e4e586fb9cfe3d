/** What `npm run chats` prints, from plain data: no gramjs here. */

export type ChatKind = 'group' | 'megagroup' | 'forum' | 'channel' | 'user' | 'bot';

export interface Topic {
  id: number;
  title: string;
}

export interface ChatEntry {
  /** As gramjs gives it and VALOR_PROJECTS takes it: -100… for megagroups and channels, -N for basic groups. */
  id: string;
  kind: ChatKind;
  title: string;
  username?: string;
  topics?: Topic[];
}

export interface Account {
  id: string;
  firstName?: string;
  lastName?: string;
  username?: string;
}

/** Groups are where the bridge serves; a broadcast channel has no members who could type /update. */
const SERVED: ReadonlySet<ChatKind> = new Set(['group', 'megagroup', 'forum']);

export function describeAccount(account: Account): string {
  const name = [account.firstName, account.lastName].filter(Boolean).join(' ') || 'no name';
  return account.username ? `@${account.username} (${name}, id ${account.id})` : `${name} (no username, id ${account.id})`;
}

/** A VALOR_PROJECTS key from a title: a-z, 0-9 and _, unique within the line. */
export function projectKey(title: string, taken: Set<string>): string {
  const base = title
    .normalize('NFKD')
    .replace(/[\u0300-\u036f]/g, '')
    .toLowerCase()
    .replace(/[^a-z0-9]+/g, '_')
    .replace(/^_+|_+$/g, '')
    .slice(0, 32) || 'chat';
  let key = base;
  for (let n = 2; taken.has(key); n++) key = `${base}_${n}`;
  taken.add(key);
  return key;
}

function table(entries: ChatEntry[]): string[] {
  const width = Math.max(...entries.map((e) => e.id.length));
  const lines: string[] = [];
  for (const entry of entries) {
    const name = entry.username ? `${entry.title} (@${entry.username})` : entry.title;
    lines.push(`  ${entry.id.padEnd(width)}  ${entry.kind.padEnd(9)}  ${name}`);
    for (const topic of entry.topics ?? []) {
      lines.push(`  ${''.padEnd(width)}    topic ${String(topic.id).padEnd(6)} ${topic.title}`);
    }
  }
  return lines;
}

export function formatChatList(account: Account, chats: ChatEntry[]): string {
  const groups = chats.filter((c) => SERVED.has(c.kind));
  const channels = chats.filter((c) => c.kind === 'channel');
  const people = chats.filter((c) => !SERVED.has(c.kind) && c.kind !== 'channel');
  const out = [
    `Logged in as ${describeAccount(account)}.`,
    'The bridge runs as this account and ignores what it sends: people type /update from their own accounts.',
    '',
  ];
  if (groups.length === 0) {
    out.push('No groups yet: add this account to the project\'s Telegram group, then run npm run chats again.');
  } else {
    out.push('Groups (their ids go in VALOR_PROJECTS):', ...table(groups));
    if (groups.some((g) => g.kind === 'forum')) {
      out.push('A forum is one entry: the bridge answers in the topic where it was asked.');
    }
  }
  if (channels.length > 0) out.push('', 'Channels (only admins post: not for the bridge):', ...table(channels));
  if (people.length > 0) out.push('', 'Private chats:', ...table(people));
  if (groups.length > 0) {
    const taken = new Set<string>();
    const pairs = groups.map((g) => `${projectKey(g.title, taken)}=${g.id}`);
    out.push('', 'For .env, keeping the groups the bridge should serve (a key names a project; rename at will):', `VALOR_PROJECTS=${pairs.join(',')}`);
  }
  return `${out.join('\n')}\n`;
}
