import type { Job, NewJob } from './job.js';
import type { JobStore } from './job-store.js';

export interface JobQueueDeps<Outcome> {
  store: JobStore;
  execute(job: Job): Promise<Outcome>;
  deliver(job: Job, outcome: Outcome): Promise<void>;
  log(line: string): void;
}

/**
 * One worker per project key, jobs in arrival order, projects side by side.
 * Draining (a restart is pending) starts no new job anywhere; new messages
 * are still stored. Work outside the queue (an /update in flight) is tracked
 * too, so "busy" means anything that a restart would cut off.
 */
export class JobQueue<Outcome> {
  private readonly pending = new Map<string, Job[]>();
  private readonly running = new Map<string, Job>();
  private readonly abandoned = new Set<string>();
  private readonly settledListeners: Array<() => void> = [];
  private externalWork = 0;
  private draining = false;
  private stopped = false;

  constructor(private readonly deps: JobQueueDeps<Outcome>) {}

  /**
   * Jobs left by an earlier process: pending ones, and running ones again (at
   * least once). One whose answer had started to go out is not sent again.
   */
  async recover(): Promise<number> {
    const jobs = await this.deps.store.loadAll((file, reason) => this.deps.log(`unreadable job file moved aside: ${file} (${reason})`));
    let resumed = 0;
    for (const job of jobs) {
      if (job.state === 'delivering') {
        this.deps.log(`job ${job.id} was being answered when the bridge stopped: not answered again`);
        await this.deps.store.remove(job);
        continue;
      }
      this.pendingFor(job.projectKey).push(job);
      resumed += 1;
    }
    for (const projectKey of this.pending.keys()) this.pump(projectKey);
    return resumed;
  }

  async enqueue(newJob: NewJob): Promise<void> {
    const job = await this.deps.store.add(newJob);
    this.pendingFor(job.projectKey).push(job);
    this.pump(job.projectKey);
  }

  /** Counts work done outside the queue as running until it settles. */
  async track<T>(work: () => Promise<T>): Promise<T> {
    this.externalWork += 1;
    try {
      return await work();
    } finally {
      this.externalWork -= 1;
      this.notifySettled();
    }
  }

  drain(): void {
    this.draining = true;
  }

  /** The restart did not happen after all: jobs start again. */
  resume(): void {
    this.draining = false;
    for (const projectKey of this.pending.keys()) this.pump(projectKey);
  }

  isBusy(): boolean {
    return this.running.size > 0 || this.externalWork > 0;
  }

  runningCount(): number {
    return this.running.size;
  }

  pendingCount(): number {
    let count = 0;
    for (const jobs of this.pending.values()) count += jobs.length;
    return count;
  }

  onSettled(listener: () => void): void {
    this.settledListeners.push(listener);
  }

  /**
   * Resolves once nothing runs and nothing waits that could still start
   * (pending jobs do not count once the queue drains or stops), as
   * p-queue's onIdle().
   */
  onIdle(): Promise<void> {
    const idle = () => !this.isBusy() && (this.pendingCount() === 0 || this.draining || this.stopped);
    if (idle()) return Promise.resolve();
    return new Promise((resolve) => {
      const check = () => {
        if (!idle()) return;
        this.settledListeners.splice(this.settledListeners.indexOf(check), 1);
        resolve();
      };
      this.settledListeners.push(check);
    });
  }

  /**
   * Shutdown: start nothing more; wait for running work until the deadline;
   * jobs still running, and not yet answering, go back to pending on disk,
   * and endRunning() ends them.
   */
  async stop(deadline: Promise<void>, endRunning: () => void): Promise<Job[]> {
    this.stopped = true;
    await Promise.race([this.onIdle(), deadline]);
    const interrupted = [...this.running.values()].filter((job) => job.state !== 'delivering');
    for (const job of interrupted) {
      this.abandoned.add(job.id);
      await this.deps.store.setState(job, 'pending');
    }
    if (this.isBusy()) endRunning();
    return interrupted;
  }

  private pendingFor(projectKey: string): Job[] {
    let jobs = this.pending.get(projectKey);
    if (!jobs) {
      jobs = [];
      this.pending.set(projectKey, jobs);
    }
    return jobs;
  }

  private pump(projectKey: string): void {
    if (this.draining || this.stopped || this.running.has(projectKey)) return;
    const job = this.pending.get(projectKey)?.shift();
    if (!job) return;
    this.running.set(projectKey, job);
    void this.runJob(job).finally(() => {
      this.running.delete(projectKey);
      this.notifySettled();
      this.pump(projectKey);
    });
  }

  private async runJob(job: Job): Promise<void> {
    try {
      await this.deps.store.setState(job, 'running');
      const outcome = await this.deps.execute(job);
      if (this.abandoned.has(job.id)) return;
      await this.deps.store.setState(job, 'delivering');
      await this.deps.deliver(job, outcome);
      await this.deps.store.remove(job);
    } catch (error) {
      this.deps.log(`job ${job.id} (${job.projectKey}) failed: ${String(error)}; it stays queued on disk`);
    }
  }

  private notifySettled(): void {
    for (const listener of [...this.settledListeners]) listener();
  }
}
