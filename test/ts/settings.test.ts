import { describe, expect, it } from 'vitest';
import { parseProjects, parseSettings, SettingsError } from '../../src/config/settings.js';
import { wellFormedSession } from './fixtures/session.js';

const SESSION = await wellFormedSession();

const telegramEnv = {
  TELEGRAM_API_ID: '12345',
  TELEGRAM_API_HASH: '0123456789abcdef0123456789abcdef',
  TELEGRAM_SESSION: SESSION,
  VALOR_PROJECTS: 'valor=-1001234567890,docs=-1009876543210',
};

function errorOf(env: Record<string, string>, consoleMode = false): string {
  try {
    parseSettings(env, { console: consoleMode, hostName: 'host' });
  } catch (error) {
    expect(error).toBeInstanceOf(SettingsError);
    return (error as Error).message;
  }
  throw new Error('expected a SettingsError');
}

describe('settings', () => {
  it('VALOR_NOTIFY_CHAT names a project key: its chat is told about scheduled runs', () => {
    const settings = parseSettings({ ...telegramEnv, VALOR_NOTIFY_CHAT: 'docs' }, { console: false, hostName: 'host' });
    expect(settings.notifyChatId).toBe('-1009876543210');
    expect(parseSettings(telegramEnv, { console: false, hostName: 'host' }).notifyChatId).toBeUndefined();
    expect(errorOf({ ...telegramEnv, VALOR_NOTIFY_CHAT: '-1009876543210' })).toBe(
      'VALOR_NOTIFY_CHAT is "-1009876543210", which is not a project key of VALOR_PROJECTS (valor, docs): name one of them',
    );
  });

  it('maps chat ids (strings) to project keys', () => {
    const projects = parseProjects('valor=-1001234567890, docs=-1009876543210');
    expect([...projects]).toEqual([
      ['-1001234567890', 'valor'],
      ['-1009876543210', 'docs'],
    ]);
  });

  it.each([
    ['TELEGRAM_API_ID', 'TELEGRAM_API_ID is not set'],
    ['TELEGRAM_API_HASH', 'TELEGRAM_API_HASH is not set'],
    ['TELEGRAM_SESSION', 'TELEGRAM_SESSION is not set: run `npm run login`'],
    ['VALOR_PROJECTS', 'VALOR_PROJECTS is not set'],
  ])('names a missing %s and how to fix it', (name, message) => {
    const env: Record<string, string> = { ...telegramEnv };
    delete env[name];
    expect(errorOf(env)).toContain(message);
  });

  it('names malformed settings', () => {
    expect(errorOf({ ...telegramEnv, TELEGRAM_API_ID: 'abc' })).toContain('TELEGRAM_API_ID must be a number');
    expect(errorOf({ ...telegramEnv, TELEGRAM_API_HASH: 'short' })).toContain('TELEGRAM_API_HASH must be 32 hexadecimal');
    expect(errorOf({ ...telegramEnv, VALOR_PROJECTS: 'valor:-100123' })).toContain('VALOR_PROJECTS has a malformed entry "valor:-100123"');
    expect(errorOf({ ...telegramEnv, VALOR_UPDATE_USERS: '12,bob' })).toContain('VALOR_UPDATE_USERS has "bob"');
  });

  it('console mode needs no credentials and monitors the console chat', () => {
    const settings = parseSettings({}, { console: true, hostName: 'mac-mini' });
    expect(settings.telegram).toBeUndefined();
    expect([...settings.chats]).toEqual([['console', 'console']]);
    expect(settings.machineName).toBe('mac-mini');
    expect(settings.updateUsers).toBeUndefined();
  });

  it('keeps the secrets it must redact, and the machine name if given', () => {
    const settings = parseSettings({ ...telegramEnv, VALOR_MACHINE_NAME: 'studio' }, { console: false, hostName: 'h' });
    expect(settings.secrets).toEqual([telegramEnv.TELEGRAM_API_HASH, telegramEnv.TELEGRAM_SESSION]);
    expect(settings.machineName).toBe('studio');
  });
});
