import type { SelfTestVerdict } from './run-self-test.js';

export interface Clock {
  every(ms: number, tick: () => void): () => void;
}

export interface RestartMonitorDeps {
  flagExists(): boolean;
  clearFlag(): void;
  queue: { drain(): void; resume(): void; isBusy(): boolean; onSettled(listener: () => void): void };
  /** The updated checkout's self-test: the restart goes ahead only when it passes. */
  selfTest(): Promise<SelfTestVerdict>;
  requestRestart(): void;
  /** The self-test failed: the bridge goes on with the code it has. */
  refuseRestart(reason: string): Promise<void>;
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
 * when nothing is running the flag is removed and the checkout's self-test
 * runs. Passed: the bridge asks for its own restart (once idle again).
 * Failed: jobs start again, and only a new flag (a new update) tries again.
 * Checked after every job and on a short poll, so an idle bridge restarts
 * within about one poll interval. The clock and the restart itself are
 * injected.
 */
export class RestartMonitor {
  private state: 'watching' | 'draining' | 'testing' | 'passed' | 'restarting' = 'watching';
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
    if (!this.cancelPoll || this.state === 'testing' || this.state === 'restarting') return;
    if (this.state === 'watching') {
      if (!this.deps.flagExists()) return;
      this.state = 'draining';
      this.deps.queue.drain();
      this.deps.log('restart requested: starting no new jobs');
    }
    if (this.deps.queue.isBusy()) return;
    if (this.state === 'passed') {
      this.restart();
      return;
    }
    this.state = 'testing';
    // Removed before the test: a flag written while it runs is a newer update, tried next.
    this.deps.clearFlag();
    this.deps.log('idle: running the self-test of the updated checkout');
    void this.test();
  }

  private async test(): Promise<void> {
    let verdict: SelfTestVerdict;
    try {
      verdict = await this.deps.selfTest();
    } catch (error) {
      verdict = { passed: false, reason: `could not run it: ${error instanceof Error ? error.message : String(error)}` };
    }
    if (!this.cancelPoll) return;
    if (verdict.passed) {
      // A newer update came while it ran: that checkout is tested, not this one.
      if (this.deps.flagExists()) {
        this.state = 'draining';
        this.check();
        return;
      }
      this.state = 'passed';
      // Work that came in during the test (an /update) finishes first.
      if (this.deps.queue.isBusy()) return;
      this.restart();
      return;
    }
    this.state = 'watching';
    this.deps.queue.resume();
    try {
      await this.deps.refuseRestart(verdict.reason);
    } catch (error) {
      this.deps.log(`could not report the refused restart: ${String(error)}`);
    }
  }

  private restart(): void {
    this.state = 'restarting';
    this.stop();
    this.deps.log('self-test passed: restarting for the update');
    this.deps.requestRestart();
  }
}
