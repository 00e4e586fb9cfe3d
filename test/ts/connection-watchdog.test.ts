import { Api } from 'telegram';
import { describe, expect, it } from 'vitest';
import { TelegramTransport } from '../../src/transport/telegram-transport.js';
import type { LostConnection } from '../../src/transport/transport.js';
import { recordingClient, rpcError } from './fixtures/recording-telegram.js';

/** The transport's watchdog over gramjs's real invoke, with a clock the test turns. */
function watched(answerGetState: (request: Api.AnyRequest) => unknown) {
  let tick: () => void = () => {};
  const logs: string[] = [];
  const recording = recordingClient((r) => {
    if (r instanceof Api.users.GetUsers) return [new Api.User({ id: 42 as never, self: true, accessHash: 1 as never, username: 'valorbot' })];
    if (r instanceof Api.updates.GetState && started) return answerGetState(r);
    return undefined;
  }, (line) => logs.push(line));
  let started = false;
  recording.client.connect = async () => {
    recording.client.logger.info(CONNECTED);
    return true;
  };
  const transport = new TelegramTransport(recording.client, (line) => logs.push(line), {
    every: (_ms, t) => {
      tick = t;
      return () => (tick = () => {});
    },
    requestTimeoutMs: 50,
    // Known peers: a reply needs no lookup, so only its own request meets the 401.
    peers: { get: () => ({ type: 'channel', id: '1234567890', accessHash: '987654321' }), set: () => {} },
  });
  let lost: LostConnection | undefined;
  void transport.lost().then((l) => (lost = l));
  return {
    logs,
    recording,
    transport,
    start: async () => {
      await transport.start(async () => {});
      started = true;
    },
    /** One watchdog look. */
    look: async () => {
      tick();
      await new Promise((r) => setTimeout(r, 80));
    },
    lost: () => lost,
  };
}

/** What gramjs's MTProtoSender logs once connected, and when the connection breaks. */
const CONNECTED = 'Connection to 127.0.0.1:443/TCPFull complete!';
const DROPPED = 'Connection closed while receiving data';

describe('the connection watchdog', () => {
  it('a connected link that stops answering: one line, one when it answers again, and the bridge goes on', async () => {
    let answering = false;
    const w = watched(() => (answering ? undefined : new Error('Not connected')));
    await w.start();
    for (let minute = 0; minute < 15; minute++) await w.look();
    answering = true;
    await w.look();
    await w.look();

    expect(w.lost()).toBeUndefined();
    expect(w.logs.filter((l) => l.startsWith('Telegram did not answer (Not connected); still trying'))).toHaveLength(1);
    expect(w.logs.filter((l) => l === 'Telegram answers again')).toHaveLength(1);
  });

  it('an outage of hours does not end the bridge (gramjs keeps reconnecting), and nothing is asked while it is down', async () => {
    const w = watched(() => 'never');
    await w.start();
    w.recording.client.logger.warn(DROPPED);
    const asked = w.recording.requests.length;
    for (let minute = 0; minute < 180; minute++) await w.look();

    expect(w.lost()).toBeUndefined();
    expect(w.recording.requests.length).toBe(asked);
    expect(w.logs).toEqual(['connecting to Telegram…', 'connection to Telegram lost; reconnecting']);
    expect(w.logs.filter((l) => l.startsWith('Telegram did not answer'))).toEqual([]);
  });

  it('a revoked session (401) ends it at once, naming the error and the fix', async () => {
    const w = watched((r) => rpcError(r, 401, 'SESSION_REVOKED'));
    await w.start();
    await w.look();

    expect(w.lost()?.kind).toBe('login');
    expect(w.lost()?.reason).toMatch(/^Telegram no longer accepts TELEGRAM_SESSION \(.*SESSION_REVOKED.*\): run `npm run login`/);
  });

  it('a 401 on any request (a reply) ends it without waiting for the next look', async () => {
    const w = watched(() => undefined);
    await w.start();
    w.recording.client.invoke = (async (request: Api.AnyRequest) => {
      throw rpcError(request, 401, 'AUTH_KEY_UNREGISTERED');
    }) as typeof w.recording.client.invoke;
    await expect(w.transport.react('-1001234567890', 5, '👍')).rejects.toThrow();
    await new Promise((r) => setTimeout(r, 10));

    expect(w.lost()?.reason).toMatch(/^Telegram no longer accepts TELEGRAM_SESSION \(.*AUTH_KEY_UNREGISTERED.*\)/);
  });
});
