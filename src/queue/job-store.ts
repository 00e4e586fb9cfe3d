import fs from 'fs-extra';
import path from 'node:path';
import { writeAtomicAsync } from '../lib/atomic-write.js';
import type { Job, NewJob } from './job.js';

/**
 * Jobs on disk, one JSON file each under data/jobs/, written (atomically)
 * before the message is acknowledged and removed once answered, so a crash or
 * a restart loses no queued message.
 */
export class JobStore {
  private sequence = 0;

  constructor(
    private readonly dir: string,
    private readonly now: () => number = Date.now,
  ) {}

  private file(job: Job): string {
    return path.join(this.dir, `${job.id}.json`);
  }

  private async write(job: Job): Promise<void> {
    await writeAtomicAsync(this.file(job), `${JSON.stringify(job)}\n`);
  }

  /** The id is taken synchronously, so arrival order holds even when writes overlap. */
  add(newJob: NewJob): Promise<Job> {
    this.sequence += 1;
    const id = `${String(this.now()).padStart(15, '0')}-${String(this.sequence).padStart(6, '0')}`;
    const job: Job = { ...newJob, id, state: 'pending' };
    return this.write(job).then(() => job);
  }

  setState(job: Job, state: Job['state']): Promise<void> {
    job.state = state;
    return this.write(job);
  }

  remove(job: Job): Promise<void> {
    return fs.remove(this.file(job));
  }

  /**
   * Every job left by earlier processes, in arrival order. A file that does
   * not read as a job (empty after a power loss) is moved aside as .bad and
   * named to onBad: one bad file must not stop every start.
   */
  async loadAll(onBad: (file: string, reason: string) => void): Promise<Job[]> {
    await fs.ensureDir(this.dir);
    const names = (await fs.readdir(this.dir)).filter((name) => name.endsWith('.json')).sort();
    const jobs: Job[] = [];
    for (const name of names) {
      const file = path.join(this.dir, name);
      try {
        const job = (await fs.readJson(file)) as Job;
        if (typeof job.id !== 'string' || typeof job.chatId !== 'string') throw new Error('not a job');
        jobs.push(job);
      } catch (error) {
        await fs.move(file, `${file}.bad`, { overwrite: true });
        onBad(`${file}.bad`, error instanceof Error ? error.message : String(error));
      }
    }
    return jobs;
  }
}
