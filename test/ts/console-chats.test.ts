import { describe, expect, it } from 'vitest';
import { parseSettings } from '../../src/config/settings.js';
import { consoleSettings } from '../../src/config/console-settings.js';
import { consoleChats, consoleIntro } from '../../src/transport/console-chats.js';

const configured = new Map([
  ['-1001', 'valor'],
  ['-1002', 'valor'],
  ['-1003', 'docs'],
]);

describe('the console standing in for the configured chats', () => {
  it('each chat has a console twin, so nothing under data/ is taken for the real chat', () => {
    expect([...consoleChats(configured).chats]).toEqual([
      ['console:-1001', 'valor'],
      ['console:-1002', 'valor'],
      ['console:-1003', 'docs'],
    ]);
    expect([...consoleChats(new Map([['console', 'console']])).chats]).toEqual([['console', 'console']]);
  });

  it('a line goes to the first project, or with "key: " to that project; an unknown key is text', () => {
    const chats = consoleChats(configured);
    expect(chats.route('hello')).toEqual({ chatId: 'console:-1001', text: 'hello' });
    expect(chats.route('docs: /update')).toEqual({ chatId: 'console:-1003', text: '/update' });
    expect(chats.route('valor:hi')).toEqual({ chatId: 'console:-1001', text: 'hi' });
    expect(chats.route('note: buy milk')).toEqual({ chatId: 'console:-1001', text: 'note: buy milk' });
  });

  it('replies to another project are printed after "key: "', () => {
    const chats = consoleChats(configured);
    expect(chats.replyPrefix('console:-1001')).toBe('');
    expect(chats.replyPrefix('console:-1002')).toBe('');
    expect(chats.replyPrefix('console:-1003')).toBe('docs: ');
  });

  it('VALOR_NOTIFY_CHAT is heard on its console twin', () => {
    const settings = parseSettings({ VALOR_PROJECTS: 'valor=-1001,docs=-1003', VALOR_NOTIFY_CHAT: 'docs' }, { console: true, defaultName: 'h' });
    expect(consoleSettings(settings).notifyChatId).toBe('console:-1003');
    expect([...consoleSettings(settings).chats.keys()]).toEqual(['console:-1001', 'console:-1003']);
  });

  it('/update is open to the console, which has no Telegram user id, and it says so', () => {
    const settings = parseSettings({ VALOR_PROJECTS: 'valor=-1001', VALOR_UPDATE_USERS: '42' }, { console: true, defaultName: 'h' });
    expect(settings.updateUsers).toEqual(new Set(['42']));
    expect(consoleSettings(settings).updateUsers).toBeUndefined();
    expect(consoleIntro(settings)).toContain('console mode: /update is allowed here whatever VALOR_UPDATE_USERS says: the console is the machine itself');
  });

  it('says how it works on start', () => {
    const settings = parseSettings({ VALOR_PROJECTS: 'valor=-1001,valor=-1002,docs=-1003' }, { console: true, defaultName: 'h' });
    expect(consoleIntro(settings)).toEqual([
      'console mode: your settings are checked as for Telegram; type a message, or /update',
      'console mode: a line goes to valor (-1001); start it with "docs: " for docs (-1003)',
      'console mode: not set, and needed to run with Telegram: TELEGRAM_API_ID, TELEGRAM_API_HASH, TELEGRAM_SESSION (see .env.example)',
    ]);
  });
});
