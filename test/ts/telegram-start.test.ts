import { Api } from 'telegram';
import bigInt from 'big-integer';
import { describe, expect, it } from 'vitest';
import { TelegramTransport } from '../../src/transport/telegram-transport.js';
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
});
