import fs from 'node:fs';
import path from 'node:path';
import type { SelfTestFailure, SelfTestRunner, SelfTestVerdict } from './run-self-test.js';

export interface Clock {
  every(ms: number, tick: () => void): () => void;
}

export interface RestartMonitorDeps {
  /** When data/restart-requested was written; undefined while there is none. */
  flagWrittenAtMs(): number | undefined;
  clearFlag(): void;
  queue: { drain(): void; resume(): void; isBusy(): boolean; onSettled(listener: () => void): void };
  /** The updated checkout's self-test: the restart goes ahead only when it passes. */
  selfTest: SelfTestRunner;
  requestRestart(): void;
  /** The self-test failed, or could not run: the bridge goes on with the code it has. */
  refuseRestart(failure: SelfTestFailure): Promise<void>;
  clock: Clock;
  pollMs: number;
  /** Calls back when the flag may have been written, so that it is seen then, not at the next poll; returns the stop. */
  watchFlag?(changed: () => void): () => void;
  log(line: string): void;
}

export const systemClock: Clock = {
  every(ms, tick) {
    const timer = setInterval(tick, ms);
    return () => clearInterval(timer);
  },
};

/**
 * The next self-test is got ready (see ./run-self-test.ts) once the bridge
 * has been idle this long: not beside a start's own work (a queue to answer
 * after a restart), nor for a bridge that is about to stop.
 */
export const PREPARE_WHEN_IDLE_MS = 5_000;

/** A file's write is one change or several (created, then written): one call once they have settled. */
const SETTLE_MS = 20;

/**
 * Calls back when `file` may have been written: its folder is watched, as
 * the file may not exist yet. Events are hints (fs.watch may coalesce or
 * miss them, or not work on some volumes): the poll stays.
 */
export function watchFile(file: string, changed: () => void): () => void {
  let timer: NodeJS.Timeout | undefined;
  try {
    const watcher = fs.watch(path.dirname(file), { persistent: false }, (_event, name) => {
      if (name !== null && name !== path.basename(file)) return;
      clearTimeout(timer);
      timer = setTimeout(changed, SETTLE_MS);
    });
    watcher.on('error', () => watcher.close());
    return () => {
      clearTimeout(timer);
      watcher.close();
    };
  } catch {
    return () => {};
  }
}

/**
 * Watches for data/restart-requested. Once it appears the queue drains and
 * the checkout's self-test starts, side by side with the jobs still running.
 * When nothing runs and the test has answered, the flag is removed, and:
 * passed, the bridge asks for its own restart; failed, jobs start again, and
 * only a new flag (a newer update) tries again. A flag rewritten meanwhile is
 * a newer checkout: that one is tested. Checked after every job, on a
 * short poll, and when the flag's folder changes. Between updates, the next
 * self-test is got ready once the bridge is idle. The clock and the restart
 * itself are injected.
 */
export class RestartMonitor {
  private restarting = false;
  /** The flag (its write time) whose checkout is being tested or was tested. */
  private testedFlag: number | undefined;
  private verdict: SelfTestVerdict | undefined;
  private cancelPoll: (() => void) | undefined;
  private cancelWatch: (() => void) | undefined;
  private cancelPrepare: (() => void) | undefined;

  constructor(private readonly deps: RestartMonitorDeps) {}

  start(): void {
    this.deps.queue.onSettled(() => this.check());
    this.cancelPoll = this.deps.clock.every(this.deps.pollMs, () => this.check());
    this.cancelWatch = this.deps.watchFlag?.(() => this.check());
    this.check();
    this.prepareWhenIdle();
  }

  stop(): void {
    this.cancelPoll?.();
    this.cancelPoll = undefined;
    this.cancelWatch?.();
    this.cancelWatch = undefined;
    this.cancelPrepare?.();
    this.cancelPrepare = undefined;
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
    this.prepareWhenIdle();
  }

  /** Checked every PREPARE_WHEN_IDLE_MS: an update under way, or jobs running, put it off. */
  private prepareWhenIdle(): void {
    const prepare = this.deps.selfTest.prepare;
    if (!prepare || this.cancelPrepare) return;
    this.cancelPrepare = this.deps.clock.every(PREPARE_WHEN_IDLE_MS, () => {
      if (this.testedFlag !== undefined || this.deps.queue.isBusy()) return;
      this.cancelPrepare?.();
      this.cancelPrepare = undefined;
      prepare();
    });
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
