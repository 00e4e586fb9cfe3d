import net from 'node:net';
import { ConnectionTCPFull } from 'telegram/network/index.js';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { ConnectionLog, FAST_RETRIES_FOR_MS, MAX_RETRY_DELAY_MS, REMINDER_INTERVAL_MS, RETRY_DELAY_MS } from '../../src/transport/connection-log.js';
import { createTelegramClient } from '../../src/transport/telegram-client.js';

const refused = Object.assign(new Error('connect ECONNREFUSED 149.154.167.51:443'), { code: 'ECONNREFUSED', address: '149.154.167.51', port: 443 });

function logAt() {
  let now = 0;
  const lines: string[] = [];
  const log = new ConnectionLog({ log: (l) => lines.push(l), now: () => now });
  return { log, lines, advance: (ms: number) => (now += ms) };
}

describe('the connection log', () => {
  it('one line when Telegram becomes unreachable, a reminder every 5 min, one when it is back; no line per attempt', () => {
    const { log, lines, advance } = logAt();
    let reconnected = 0;
    log.listen({ reconnected: () => (reconnected += 1) });
    log.connected();
    log.dropped();
    const delays: number[] = [];
    for (let elapsed = 0; elapsed < 11 * 60_000; ) {
      const delay = log.attemptFailed(refused);
      delays.push(delay);
      advance(delay);
      elapsed += delay;
    }
    log.connected();

    // One attempt a second for the first five minutes, then one every 5 s.
    expect(delays.slice(0, 300)).toEqual(Array(300).fill(RETRY_DELAY_MS));
    expect(delays.slice(300)).toEqual(Array(delays.length - 300).fill(MAX_RETRY_DELAY_MS));
    expect(lines).toEqual([
      'connection to Telegram lost; reconnecting',
      'Telegram unreachable (ECONNREFUSED 149.154.167.51:443); retrying',
      'Telegram still unreachable after 5 min (ECONNREFUSED 149.154.167.51:443); retrying',
      'Telegram still unreachable after 10 min (ECONNREFUSED 149.154.167.51:443); retrying',
      'connected again after 11 min',
    ]);
    expect(reconnected).toBe(1);
  });

  it('the back-off starts again from 1 s after a connection', () => {
    const { log, advance } = logAt();
    log.attemptFailed(refused);
    advance(FAST_RETRIES_FOR_MS);
    expect(log.attemptFailed(refused)).toBe(MAX_RETRY_DELAY_MS);
    log.connected();
    log.dropped();
    expect(log.attemptFailed(refused)).toBe(RETRY_DELAY_MS);
  });

  it('at start-up: "connected after", not "again"', () => {
    const { log, lines, advance } = logAt();
    log.attemptFailed(refused);
    advance(23_000);
    log.connected();
    expect(lines).toEqual(['Telegram unreachable (ECONNREFUSED 149.154.167.51:443); retrying', 'connected after 23 s']);
  });

  it('the first connection is not a reconnection; other errors are passed on and logged once per 5 min, not while down', () => {
    const { log, lines, advance } = logAt();
    const errors: unknown[] = [];
    let reconnected = 0;
    log.listen({ reconnected: () => (reconnected += 1), error: (e) => errors.push(e) });
    log.connected();
    const timeout = new Error('TIMEOUT');
    log.otherError(timeout);
    log.otherError(timeout);
    advance(REMINDER_INTERVAL_MS);
    log.otherError(timeout);
    log.dropped();
    log.otherError(timeout);

    expect(reconnected).toBe(0);
    expect(errors).toHaveLength(4);
    expect(lines).toEqual(['Telegram client: TIMEOUT', 'Telegram client: TIMEOUT', 'connection to Telegram lost; reconnecting']);
  });
});

/** gramjs always dials port 80 (or 443): send this client's connections to a local port. */
function toLocalPort(port: number) {
  return class extends ConnectionTCPFull {
    override async _connect(): Promise<void> {
      (this as unknown as { _ip: string; _port: number })._ip = '127.0.0.1';
      (this as unknown as { _port: number })._port = port;
      return super._connect();
    }
  };
}

async function closedPort(): Promise<number> {
  const server = net.createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as net.AddressInfo;
  await new Promise<void>((resolve) => server.close(() => resolve()));
  return port;
}

describe('a real gramjs client with the data centre refusing connections', () => {
  afterEach(() => vi.restoreAllMocks());

  it('writes nothing to the console, logs one line, and tries again every second: gramjs\'s own pause, nothing added', async () => {
    const port = await closedPort();
    const printed: unknown[] = [];
    for (const method of ['log', 'error', 'warn', 'info', 'debug'] as const) {
      vi.spyOn(console, method).mockImplementation((...args: unknown[]) => void printed.push(args));
    }
    const lines: string[] = [];
    const waits: number[] = [];
    const attempts: number[] = [];
    const client = createTelegramClient({ apiId: 1, apiHash: 'x' }, '', (l) => lines.push(l), {
      now: Date.now,
      sleep: async (ms) => void waits.push(ms),
    });
    const Local = toLocalPort(port);
    (client as unknown as { _connection: unknown })._connection = class extends Local {
      override async _connect(): Promise<void> {
        attempts.push(Date.now());
        return super._connect();
      }
    };
    void client.connect();
    await vi.waitFor(() => expect(attempts.length).toBeGreaterThanOrEqual(3), { timeout: 15_000, interval: 50 });
    await client.destroy().catch(() => {});

    expect(printed).toEqual([]);
    expect(lines).toEqual([`Telegram unreachable (ECONNREFUSED 127.0.0.1:${port}); retrying`]);
    expect(waits).toEqual([]);
    // gramjs's pause between attempts, which is all there is.
    expect(attempts[1]! - attempts[0]!).toBeGreaterThanOrEqual(RETRY_DELAY_MS - 50);
  });
});
