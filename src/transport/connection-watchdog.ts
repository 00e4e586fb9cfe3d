import type { LostConnection } from './transport.js';

/**
 * gramjs reconnects by itself, without limit, and swallows the errors of its
 * own connection. The watchdog asks Telegram something small every minute:
 * a session revoked or unregistered (401) ends the bridge at once; a
 * connection down longer than the bound ends it too, so that launchd starts a
 * fresh process and the log says why.
 */
export const WATCHDOG_INTERVAL_MS = 60_000;
export const CONNECTION_DOWN_LIMIT_MS = 10 * 60_000;

export interface WatchdogDeps {
  /** One small request (updates.GetState), bounded by the request timeout. */
  check(): Promise<void>;
  /** Whether an error means the login is gone (RPC 401). */
  isLoginError(error: unknown): boolean;
  every(ms: number, tick: () => void): () => void;
  now(): number;
  log(line: string): void;
  intervalMs?: number;
  downLimitMs?: number;
}

export class ConnectionWatchdog {
  private lastOkAt: number;
  private stopTimer: (() => void) | undefined;
  private checking = false;
  private markLost: (lost: LostConnection) => void = () => {};
  readonly lost = new Promise<LostConnection>((resolve) => (this.markLost = resolve));

  constructor(private readonly deps: WatchdogDeps) {
    this.lastOkAt = deps.now();
  }

  start(): void {
    this.stopTimer = this.deps.every(this.deps.intervalMs ?? WATCHDOG_INTERVAL_MS, () => void this.tick());
  }

  stop(): void {
    this.stopTimer?.();
  }

  /** An error seen elsewhere (gramjs's onError) that may mean the login is gone. */
  report(error: unknown): void {
    if (this.deps.isLoginError(error)) this.loseLogin(error);
  }

  async tick(): Promise<void> {
    if (this.checking) return;
    this.checking = true;
    try {
      await this.deps.check();
      this.lastOkAt = this.deps.now();
    } catch (error) {
      if (this.deps.isLoginError(error)) {
        this.loseLogin(error);
        return;
      }
      const downMs = this.deps.now() - this.lastOkAt;
      const limitMs = this.deps.downLimitMs ?? CONNECTION_DOWN_LIMIT_MS;
      this.deps.log(`Telegram did not answer (${error instanceof Error ? error.message : String(error)}); down for ${Math.round(downMs / 1000)} s`);
      if (downMs >= limitMs) {
        this.stop();
        this.markLost({ kind: 'connection', reason: `no answer from Telegram for ${Math.round(downMs / 1000)} s (limit ${limitMs / 1000} s): stopping so that a fresh start reconnects` });
      }
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
