import type { SelfTestFailure, SelfTestVerdict } from './run-self-test.js';

export interface Clock {
  every(ms: number, tick: () => void): () => void;
}

export interface RestartMonitorDeps {
  /** When data/restart-requested was written; undefined while there is none. */
  flagWrittenAtMs(): number | undefined;
  clearFlag(): void;
  queue: { drain(): void; resume(): void; isBusy(): boolean; onSettled(listener: () => void): void };
  /** The updated checkout's self-test: the restart goes ahead only when it passes. */
  selfTest(): Promise<SelfTestVerdict>;
  requestRestart(): void;
  /** The self-test failed, or could not run: the bridge goes on with the code it has. */
  refuseRestart(failure: SelfTestFailure): Promise<void>;
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
 * Watches for data/restart-requested. Once it appears the queue drains and
 * the checkout's self-test starts, side by side with the jobs still running.
 * When nothing runs and the test has answered, the flag is removed, and:
 * passed, the bridge asks for its own restart; failed, jobs start again, and
 * only a new flag (a newer update) tries again. A flag rewritten meanwhile is
 * a newer checkout: that one is tested. Checked after every job and on a
 * short poll. The clock and the restart itself are injected.
 */
export class RestartMonitor {
  private restarting = false;
  /** The flag (its write time) whose checkout is being tested or was tested. */
  private testedFlag: number | undefined;
  private verdict: SelfTestVerdict | undefined;
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
    if (!this.cancelPoll || this.restarting) return;
    const flag = this.deps.flagWrittenAtMs();
    if (flag !== undefined && flag !== this.testedFlag) {
      if (this.testedFlag === undefined) {
        this.deps.queue.drain();
        this.deps.log('restart requested: starting no new jobs; running the self-test of the updated checkout');
      }
      this.testedFlag = flag;
      this.test(flag);
    }
    if (this.testedFlag === undefined || this.verdict === undefined || this.deps.queue.isBusy()) return;
    const verdict = this.verdict;
    this.deps.clearFlag();
    if (verdict.passed) {
      this.restarting = true;
      this.stop();
      this.deps.log('self-test passed: restarting for the update');
      this.deps.requestRestart();
      return;
    }
    this.testedFlag = undefined;
    this.verdict = undefined;
    this.deps.queue.resume();
    this.deps.refuseRestart(verdict).catch((error: unknown) => this.deps.log(`could not report the refused restart: ${String(error)}`));
  }

  private test(flag: number): void {
    this.verdict = undefined;
    this.deps
      .selfTest()
      .catch((error: unknown): SelfTestVerdict => ({ passed: false, couldNotRun: true, reason: error instanceof Error ? error.message : String(error) }))
      .then((verdict) => {
        // A newer flag started a newer test: this answer is for a checkout that is gone.
        if (flag !== this.testedFlag) return;
        this.verdict = verdict;
        this.check();
      });
  }
}
