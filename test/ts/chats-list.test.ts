import bigInt from 'big-integer';
import { Api } from 'telegram';
import { describe, expect, it } from 'vitest';
import { formatChatList, projectKey } from '../../src/account/chat-list.js';
import { readChats } from '../../src/account/read-chats.js';
import { parseSettings } from '../../src/config/settings.js';
import { recordingClient } from './fixtures/recording-telegram.js';

/**
 * What `npm run chats` reads and prints for the kinds of chat the local
 * server cannot make: forums with topics, broadcast channels, bots, and
 * chats the account was removed from. gramjs runs for real; only its
 * network sender is faked.
 */

const FORUM = new Api.Channel({
  id: bigInt(2222222222),
  accessHash: bigInt(1),
  title: 'Dev team',
  photo: new Api.ChatPhotoEmpty(),
  date: 0,
  megagroup: true,
  forum: true,
});
const NEWS = new Api.Channel({ id: bigInt(3333333333), accessHash: bigInt(2), title: 'News', photo: new Api.ChatPhotoEmpty(), date: 0, broadcast: true, username: 'valor_news' });
const BASIC = new Api.Chat({ id: bigInt(4444), title: 'Dev team', photo: new Api.ChatPhotoEmpty(), participantsCount: 3, date: 0, version: 1 });
const GONE = new Api.ChatForbidden({ id: bigInt(5555), title: 'Left long ago' });
const BOT = new Api.User({ id: bigInt(6666), firstName: 'Helper', bot: true, username: 'helper_bot', accessHash: bigInt(3) });
const SELF = new Api.User({ id: bigInt(42), firstName: 'Valor', self: true, username: 'valor_bridge', accessHash: bigInt(4) });

/** A dialog and its top message: gramjs's Dialog reads the date from that message. */
function dialog(peer: Api.TypePeer, topMessage: number): [Api.Dialog, Api.Message] {
  const message = new Api.Message({ id: topMessage, peerId: peer, date: 0, message: '' });
  const entry = new Api.Dialog({
    peer,
    topMessage,
    readInboxMaxId: 0,
    readOutboxMaxId: 0,
    unreadCount: 0,
    unreadMentionsCount: 0,
    unreadReactionsCount: 0,
    notifySettings: new Api.PeerNotifySettings({}),
  });
  return [entry, message];
}

function topics(): Api.messages.ForumTopics {
  const topic = (id: number, title: string) =>
    new Api.ForumTopic({ id, date: 0, title, iconColor: 0, topMessage: id, readInboxMaxId: 0, readOutboxMaxId: 0, unreadCount: 0, unreadMentionsCount: 0, unreadReactionsCount: 0, fromId: new Api.PeerUser({ userId: bigInt(42) }), notifySettings: new Api.PeerNotifySettings({}) });
  return new Api.messages.ForumTopics({ count: 3, topics: [topic(1, 'General'), new Api.ForumTopicDeleted({ id: 9 }), topic(12, 'Releases')], messages: [], chats: [], users: [], pts: 0 });
}

describe('npm run chats: reading the dialogs', () => {
  it('forums with their topics, channels, groups and bots, ids as gramjs gives them; chats the account left and Saved Messages are not listed', async () => {
    const { client, requests } = recordingClient((request) => {
      if (request instanceof Api.messages.GetDialogs) {
        const pairs = [
          dialog(new Api.PeerChannel({ channelId: FORUM.id }), 6),
          dialog(new Api.PeerChannel({ channelId: NEWS.id }), 5),
          dialog(new Api.PeerChat({ chatId: BASIC.id }), 4),
          dialog(new Api.PeerChat({ chatId: GONE.id }), 3),
          dialog(new Api.PeerUser({ userId: BOT.id }), 2),
          dialog(new Api.PeerUser({ userId: SELF.id }), 1),
        ];
        return new Api.messages.Dialogs({
          dialogs: pairs.map(([d]) => d),
          messages: pairs.map(([, m]) => m),
          chats: [FORUM, NEWS, BASIC, GONE],
          users: [BOT, SELF],
        });
      }
      if (request instanceof Api.channels.GetForumTopics) return topics();
      throw new Error(`unexpected request ${request.className}`);
    });

    const chats = await readChats(client, '42');

    expect(chats).toEqual([
      { id: '-1002222222222', kind: 'forum', title: 'Dev team', topics: [{ id: 1, title: 'General' }, { id: 12, title: 'Releases' }] },
      { id: '-1003333333333', kind: 'channel', title: 'News', username: 'valor_news' },
      { id: '-4444', kind: 'group', title: 'Dev team' },
      { id: '6666', kind: 'bot', title: 'Helper', username: 'helper_bot' },
    ]);
    // Read only: the dialogs and the forum's topics, nothing else.
    expect(requests.map((r) => r.className)).toEqual(['messages.GetDialogs', 'channels.GetForumTopics']);
  });
});

describe('npm run chats: the list', () => {
  it('groups first with forum topics under their forum, then channels and private chats, then a VALOR_PROJECTS line of the groups only', () => {
    const text = formatChatList({ id: '42', firstName: 'Valor', username: 'valor_bridge' }, [
      { id: '-1002222222222', kind: 'forum', title: 'Dev team', topics: [{ id: 1, title: 'General' }, { id: 12, title: 'Releases' }] },
      { id: '-1003333333333', kind: 'channel', title: 'News', username: 'valor_news' },
      { id: '-4444', kind: 'group', title: 'Dev team' },
      { id: '6666', kind: 'bot', title: 'Helper', username: 'helper_bot' },
    ]);
    expect(text).toBe(
      [
        'Logged in as @valor_bridge (Valor, id 42).',
        'The bridge runs as this account and ignores what it sends: people type /update from their own accounts.',
        '',
        'Groups (their ids go in VALOR_PROJECTS):',
        '  -1002222222222  forum      Dev team',
        '                    topic 1      General',
        '                    topic 12     Releases',
        '  -4444           group      Dev team',
        'A forum is one entry: the bridge answers in the topic where it was asked.',
        '',
        'Channels (only admins post: not for the bridge):',
        '  -1003333333333  channel    News (@valor_news)',
        '',
        'Private chats:',
        '  6666  bot        Helper (@helper_bot)',
        '',
        'For .env, keeping the groups the bridge should serve (a key names a project; rename at will):',
        'VALOR_PROJECTS=dev_team=-1002222222222,dev_team_2=-4444',
        '',
      ].join('\n'),
    );
    const line = text.split('\n').at(-2)!.slice('VALOR_PROJECTS='.length);
    expect([...parseSettings({ VALOR_PROJECTS: line }, { console: true, defaultName: 'h' }).chats.keys()]).toEqual(['-1002222222222', '-4444']);
  });

  it('no groups yet: says what to do, and offers no VALOR_PROJECTS line', () => {
    const text = formatChatList({ id: '42' }, [{ id: '7', kind: 'user', title: 'Alice' }]);
    expect(text).toContain("No groups yet: add this account to the project's Telegram group, then run npm run chats again.");
    expect(text).not.toContain('VALOR_PROJECTS=');
    expect(text.split('\n')[0]).toBe('Logged in as no name (no username, id 42).');
  });

  it('project keys: lower-case a-z, 0-9 and _, never empty, never twice', () => {
    const taken = new Set<string>();
    expect(['Équipe Déjà-vu!', '🚀🚀', 'équipe déjà vu', 'x'.repeat(40)].map((t) => projectKey(t, taken))).toEqual([
      'equipe_deja_vu',
      'chat',
      'equipe_deja_vu_2',
      'x'.repeat(32),
    ]);
  });
});
