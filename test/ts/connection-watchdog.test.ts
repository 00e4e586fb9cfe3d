import { Api } from 'telegram';
import { describe, expect, it } from 'vitest';
import { TelegramTransport } from '../../src/transport/telegram-transport.js';
import type { LostConnection } from '../../src/transport/transport.js';
import { recordingClient, rpcError } from './fixtures/recording-telegram.js';

/** The transport's watchdog over gramjs's real invoke, with a clock the test turns. */
function watched(answerGetState: (request: Api.AnyRequest) => unknown) {
  let tick: () => void = () => {};
  let now = 0;
  const logs: string[] = [];
  const recording = recordingClient((r) => {
    if (r instanceof Api.users.GetUsers) return [new Api.User({ id: 42 as never, self: true, accessHash: 1 as never, username: 'valorbot' })];
    if (r instanceof Api.updates.GetState && started) return answerGetState(r);
    return undefined;
  });
  let started = false;
  recording.client.connect = async () => true;
  const transport = new TelegramTransport(recording.client, (line) => logs.push(line), {
    every: (_ms, t) => {
      tick = t;
      return () => (tick = () => {});
    },
    now: () => now,
    requestTimeoutMs: 50,
  });
  let lost: LostConnection | undefined;
  void transport.lost().then((l) => (lost = l));
  return {
    logs,
    start: async () => {
      await transport.start(async () => {});
      started = true;
    },
    /** One watchdog look, minutes later. */
    after: async (minutes: number) => {
      now += minutes * 60_000;
      tick();
      await new Promise((r) => setTimeout(r, 80));
    },
    lost: () => lost,
  };
}

describe('the connection watchdog', () => {
  it('a drop that recovers within the bound: logged, the bridge goes on', async () => {
    let down = true;
    const w = watched(() => (down ? new Error('Not connected') : undefined));
    await w.start();
    await w.after(1);
    await w.after(1);
    down = false;
    await w.after(1);
    await w.after(9);

    expect(w.lost()).toBeUndefined();
    expect(w.logs.filter((l) => l.startsWith('Telegram did not answer (Not connected)'))).toHaveLength(2);
  });

  it('a drop that outlasts the bound (10 min) ends the transport with one reason, for a fresh start', async () => {
    const w = watched(() => new Error('Not connected'));
    await w.start();
    for (let minute = 0; minute < 9; minute++) await w.after(1);
    expect(w.lost()).toBeUndefined();
    await w.after(1);

    expect(w.lost()).toEqual({ kind: 'connection', reason: 'no answer from Telegram for 600 s (limit 600 s): stopping so that a fresh start reconnects' });
  });

  it('a request that never returns counts as down (the request timeout bounds it)', async () => {
    const w = watched(() => 'never');
    await w.start();
    await w.after(5);
    await w.after(5);
    expect(w.lost()?.kind).toBe('connection');
  });

  it('a revoked session (401) ends it at once, naming the error and the fix', async () => {
    const w = watched((r) => rpcError(r, 401, 'SESSION_REVOKED'));
    await w.start();
    await w.after(1);

    expect(w.lost()?.kind).toBe('login');
    expect(w.lost()?.reason).toMatch(/^Telegram no longer accepts TELEGRAM_SESSION \(.*SESSION_REVOKED.*\): run `npm run login`/);
  });
});
