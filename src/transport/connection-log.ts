import { formatDuration } from '../lib/duration.js';

/**
 * The state of the link to Telegram, told in one line per change: gramjs
 * retries without end and would otherwise report every attempt. Also paces
 * the retries: one a second for the first five minutes down, so that a
 * message sent as the network returns is answered within seconds (the
 * log does not grow with the attempts), then one every 5 s, as an outage
 * that long is not a blip (a night offline, a laptop asleep); from the
 * start again once connected.
 */
export const RETRY_DELAY_MS = 1_000;
export const MAX_RETRY_DELAY_MS = 5_000;
export const FAST_RETRIES_FOR_MS = 5 * 60_000;
export const REMINDER_INTERVAL_MS = 5 * 60_000;

export interface ConnectionListener {
  /** Connected after failed attempts or a drop (also at start-up, after failed attempts). */
  reconnected?(): void;
  /** An error gramjs reported that is not a failed connection attempt (e.g. a 401). */
  error?(error: unknown): void;
}

export interface ConnectionLogDeps {
  log(line: string): void;
  now(): number;
}

/** "ECONNREFUSED 149.154.167.51:443" from a socket error, else its message's first line. */
export function describeFailure(error: unknown): string {
  if (error && typeof error === 'object') {
    const { code, address, port, message } = error as { code?: unknown; address?: unknown; port?: unknown; message?: unknown };
    if (typeof code === 'string' && typeof address === 'string') return `${code} ${address}${port !== undefined ? `:${String(port)}` : ''}`;
    if (typeof code === 'string') return code;
    if (typeof message === 'string' && message.trim() !== '') return message.trim().split('\n')[0]!.slice(0, 200);
  }
  return String(error).split('\n')[0]!.slice(0, 200);
}

type State = { kind: 'new' } | { kind: 'up' } | { kind: 'down'; since: number; remindedAt: number | undefined; wasUp: boolean };

export class ConnectionLog {
  private state: State = { kind: 'new' };
  private readonly listeners: ConnectionListener[] = [];
  private readonly notedAt = new Map<string, number>();

  constructor(private readonly deps: ConnectionLogDeps) {}

  listen(listener: ConnectionListener): () => void {
    this.listeners.push(listener);
    return () => {
      const at = this.listeners.indexOf(listener);
      if (at >= 0) this.listeners.splice(at, 1);
    };
  }

  isUp(): boolean {
    return this.state.kind === 'up';
  }

  /** An established connection broke; gramjs reconnects by itself. */
  dropped(): void {
    if (this.state.kind !== 'up') return;
    this.deps.log('connection to Telegram lost; reconnecting');
    this.goDown();
  }

  /** One connection attempt failed. Returns how long to wait before the next. */
  attemptFailed(error: unknown): number {
    if (this.state.kind !== 'down') this.goDown();
    const down = this.state as Extract<State, { kind: 'down' }>;
    const reason = describeFailure(error);
    const now = this.deps.now();
    if (down.remindedAt === undefined) {
      down.remindedAt = now;
      this.deps.log(`Telegram unreachable (${reason}); retrying`);
    } else if (now - down.remindedAt >= REMINDER_INTERVAL_MS) {
      down.remindedAt = now;
      this.deps.log(`Telegram still unreachable after ${formatDuration(now - down.since)} (${reason}); retrying`);
    }
    return now - down.since < FAST_RETRIES_FOR_MS ? RETRY_DELAY_MS : MAX_RETRY_DELAY_MS;
  }

  connected(): void {
    const before = this.state;
    this.state = { kind: 'up' };
    if (before.kind !== 'down') return;
    this.deps.log(`connected${before.wasUp ? ' again' : ''} after ${formatDuration(this.deps.now() - before.since)}`);
    for (const listener of [...this.listeners]) listener.reconnected?.();
  }

  /** Any other error: passed on, and noted. */
  otherError(error: unknown): void {
    for (const listener of [...this.listeners]) listener.error?.(error);
    this.note(describeFailure(error));
  }

  /** A warning of gramjs's: once per distinct text per reminder interval, never while down (the state line says it). */
  note(text: string): void {
    if (this.state.kind === 'down') return;
    const now = this.deps.now();
    const last = this.notedAt.get(text);
    if (last !== undefined && now - last < REMINDER_INTERVAL_MS) return;
    this.notedAt.set(text, now);
    this.deps.log(`Telegram client: ${text}`);
  }

  private goDown(): void {
    this.state = { kind: 'down', since: this.deps.now(), remindedAt: undefined, wasUp: this.state.kind === 'up' };
  }
}
