import type { LostConnection } from './transport.js';

/**
 * gramjs reconnects by itself, without limit, and its requests that need no
 * login (pings) never learn that the login is gone. The watchdog asks
 * Telegram something small every minute while connected: a session revoked
 * or unregistered (401) ends the bridge at once. An outage does not end it:
 * a fresh process could do no more than gramjs's own retries, and the
 * connection log already tells it; a connected link that does not answer
 * gets one line, and one when it answers again.
 */
export const WATCHDOG_INTERVAL_MS = 60_000;

export interface WatchdogDeps {
  /** One small request (updates.GetState), bounded by the request timeout. */
  check(): Promise<void>;
  /** Whether gramjs has a connection now: no point asking while it is reconnecting. */
  isConnected(): boolean;
  /** Whether an error means the login is gone (RPC 401). */
  isLoginError(error: unknown): boolean;
  every(ms: number, tick: () => void): () => void;
  log(line: string): void;
  intervalMs?: number;
}

export class ConnectionWatchdog {
  private stopTimer: (() => void) | undefined;
  private checking = false;
  private failing = false;
  /** Before start(), a 401 is the start-up's to report (LoginError). */
  private running = false;
  private markLost: (lost: LostConnection) => void = () => {};
  readonly lost = new Promise<LostConnection>((resolve) => (this.markLost = resolve));

  constructor(private readonly deps: WatchdogDeps) {}

  start(): void {
    this.running = true;
    this.stopTimer = this.deps.every(this.deps.intervalMs ?? WATCHDOG_INTERVAL_MS, () => void this.tick());
  }

  stop(): void {
    this.stopTimer?.();
  }

  /** An error seen elsewhere (gramjs's onError, a request) that may mean the login is gone. */
  report(error: unknown): void {
    if (this.running && this.deps.isLoginError(error)) this.loseLogin(error);
  }

  async tick(): Promise<void> {
    if (this.checking || !this.deps.isConnected()) return;
    this.checking = true;
    try {
      await this.deps.check();
      if (this.failing) this.deps.log('Telegram answers again');
      this.failing = false;
    } catch (error) {
      if (this.deps.isLoginError(error)) {
        this.loseLogin(error);
        return;
      }
      if (!this.failing && this.deps.isConnected()) {
        this.deps.log(`Telegram did not answer (${error instanceof Error ? error.message : String(error)}); still trying`);
      }
      this.failing = true;
    } finally {
      this.checking = false;
    }
  }

  private loseLogin(error: unknown): void {
    this.stop();
    const what = error instanceof Error ? error.message : String(error);
    this.markLost({ kind: 'login', reason: `Telegram no longer accepts TELEGRAM_SESSION (${what}): run \`npm run login\` and save the new session string in .env` });
  }
}
