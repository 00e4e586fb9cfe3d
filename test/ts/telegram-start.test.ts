import { Api } from 'telegram';
import bigInt from 'big-integer';
import { errors } from 'telegram';
import { describe, expect, it } from 'vitest';
import { TelegramTransport } from '../../src/transport/telegram-transport.js';
import { LoginError } from '../../src/transport/transport.js';
import { recordingClient } from './fixtures/recording-telegram.js';

describe('starting the Telegram transport', () => {
  it('says it is connecting before it connects, then who it is connected as', async () => {
    const { client } = recordingClient();
    const logs: string[] = [];
    let connected = false;
    client.connect = async () => {
      expect(logs).toEqual(['connecting to Telegram…']);
      connected = true;
      return true;
    };
    client.checkAuthorization = async () => connected;
    client.getMe = (async () => new Api.User({ id: bigInt(42), username: 'valorbot', firstName: 'Valor' })) as typeof client.getMe;
    const transport = new TelegramTransport(client, (line) => logs.push(line));

    expect(transport.describe()).toBe('not connected');
    await transport.start(async () => {});

    expect(transport.describe()).toBe('connected as @valorbot');
    expect(transport.ownUsername()).toBe('valorbot');
  });

  it('a connect() that answers false (offline) is an error, not a silent start', async () => {
    const { client } = recordingClient();
    client.connect = async () => false;
    const transport = new TelegramTransport(client, () => {});
    await expect(transport.start(async () => {})).rejects.toThrow('could not connect to Telegram');
  });

  it('a link that breaks right after connecting: the login check is asked again, not a failed start', async () => {
    let asked = 0;
    const { client } = recordingClient((r) => {
      if (r instanceof Api.updates.GetState) return ++asked === 1 ? 'never' : undefined;
      if (r instanceof Api.users.GetUsers) return [new Api.User({ id: bigInt(42), self: true, accessHash: bigInt(1), username: 'valorbot' })];
      return undefined;
    });
    client.connect = async () => true;
    const transport = new TelegramTransport(client, () => {}, { requestTimeoutMs: 50 });
    await transport.start(async () => {});

    expect(asked).toBe(2);
    expect(transport.describe()).toBe('connected as @valorbot');
  });

  it('a session Telegram no longer knows is a LoginError naming the reason; a flood wait is "could not ask"', async () => {
    const getState = new Api.updates.GetState();
    const startWith = async (error: Error) => {
      const { client } = recordingClient((r) => (r instanceof Api.updates.GetState ? error : undefined));
      client.connect = async () => true;
      return new TelegramTransport(client, () => {}).start(async () => {});
    };

    const revoked = startWith(new errors.RPCError('AUTH_KEY_UNREGISTERED', getState, 401));
    await expect(revoked).rejects.toBeInstanceOf(LoginError);
    await expect(revoked).rejects.toThrow('TELEGRAM_SESSION is not logged in (AUTH_KEY_UNREGISTERED): run `npm run login`');

    const flood = startWith(new errors.FloodWaitError({ request: getState, capture: 300 }));
    await expect(flood).rejects.not.toBeInstanceOf(LoginError);
    await expect(flood).rejects.toThrow('could not ask Telegram whether TELEGRAM_SESSION is logged in');
  });
});
