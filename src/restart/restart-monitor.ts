export interface Clock {
  every(ms: number, tick: () => void): () => void;
}

export interface RestartMonitorDeps {
  flagExists(): boolean;
  clearFlag(): void;
  queue: { drain(): void; isBusy(): boolean; onSettled(listener: () => void): void };
  requestRestart(): void;
  clock: Clock;
  pollMs: number;
  log(line: string): void;
}

export const systemClock: Clock = {
  every(ms, tick) {
    const timer = setInterval(tick, ms);
    return () => clearInterval(timer);
  },
};

/**
 * Watches for data/restart-requested: once it appears, the queue drains, and
 * when nothing is running the bridge asks for its own restart. Checked after
 * every job and on a short poll, so an idle bridge restarts within about one
 * poll interval. The clock and the restart itself are injected.
 */
export class RestartMonitor {
  private draining = false;
  private requested = false;
  private cancelPoll: (() => void) | undefined;

  constructor(private readonly deps: RestartMonitorDeps) {}

  start(): void {
    this.deps.queue.onSettled(() => this.check());
    this.cancelPoll = this.deps.clock.every(this.deps.pollMs, () => this.check());
    this.check();
  }

  stop(): void {
    this.cancelPoll?.();
    this.cancelPoll = undefined;
  }

  check(): void {
    if (this.requested || !this.cancelPoll) return;
    if (!this.draining) {
      if (!this.deps.flagExists()) return;
      this.draining = true;
      this.deps.queue.drain();
      this.deps.log('restart requested: starting no new jobs');
    }
    if (this.deps.queue.isBusy()) return;
    this.requested = true;
    this.stop();
    this.deps.clearFlag();
    this.deps.log('idle: restarting for the update');
    this.deps.requestRestart();
  }
}
