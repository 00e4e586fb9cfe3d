import { Api, type TelegramClient } from 'telegram';
import type { Account, ChatEntry, ChatKind, Topic } from './chat-list.js';

/** Read-only: who the account is, its dialogs, and the topics of its forums. */

/** One page of topics; a forum with more lists the first hundred. */
const TOPICS_PER_FORUM = 100;

export function toAccount(me: Api.User): Account {
  return {
    id: String(me.id),
    ...(me.firstName ? { firstName: me.firstName } : {}),
    ...(me.lastName ? { lastName: me.lastName } : {}),
    ...(me.username ? { username: me.username } : {}),
  };
}

function kindOf(entity: unknown, selfId: string): ChatKind | undefined {
  if (entity instanceof Api.Chat) return entity.deactivated ? undefined : 'group';
  if (entity instanceof Api.Channel) return entity.megagroup ? (entity.forum ? 'forum' : 'megagroup') : 'channel';
  // Saved Messages: only this account writes there, and the bridge ignores its own messages.
  if (entity instanceof Api.User) return String(entity.id) === selfId ? undefined : entity.bot ? 'bot' : 'user';
  // ChatForbidden, ChannelForbidden: chats this account was removed from.
  return undefined;
}

function titleOf(entity: Api.Chat | Api.Channel | Api.User): string {
  if (entity instanceof Api.User) return [entity.firstName, entity.lastName].filter(Boolean).join(' ') || `user ${String(entity.id)}`;
  return entity.title;
}

async function topicsOf(client: TelegramClient, channel: Api.Channel): Promise<Topic[]> {
  const answer = await client.invoke(
    new Api.channels.GetForumTopics({ channel, limit: TOPICS_PER_FORUM, offsetDate: 0, offsetId: 0, offsetTopic: 0 }),
  );
  return answer.topics.filter((t): t is Api.ForumTopic => t instanceof Api.ForumTopic).map((t) => ({ id: t.id, title: t.title }));
}

export async function readChats(client: TelegramClient, selfId: string): Promise<ChatEntry[]> {
  const entries: ChatEntry[] = [];
  for (const dialog of await client.getDialogs({})) {
    const entity = dialog.entity;
    const kind = kindOf(entity, selfId);
    if (!kind || !dialog.id) continue;
    const known = entity as Api.Chat | Api.Channel | Api.User;
    const username = known instanceof Api.User || known instanceof Api.Channel ? known.username : undefined;
    entries.push({
      id: dialog.id.toString(),
      kind,
      title: titleOf(known),
      ...(username ? { username } : {}),
      ...(kind === 'forum' ? { topics: await topicsOf(client, known as Api.Channel) } : {}),
    });
  }
  return entries;
}
