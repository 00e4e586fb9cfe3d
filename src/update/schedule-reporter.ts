import fs from 'fs-extra';
import { writeAtomicAsync } from '../lib/atomic-write.js';
import { parseLastUpdate } from '../restart/last-update.js';
import { decideNotice, type NoticeState } from './schedule-notices.js';

/**
 * Tells VALOR_NOTIFY_CHAT what the scheduled update runs did: read at
 * start-up (a restart it queued has just happened) and whenever the record
 * changes while the bridge runs. What was told is kept on disk, so a
 * restart does not tell it again.
 */

export const RECORD_POLL_MS = 2_000;

export interface ScheduleReporterDeps {
  recordPath: string;
  statePath: string;
  chatId: string;
  machineName: string;
  send(chatId: string, text: string): Promise<unknown>;
  describeHead(): Promise<string>;
  log(line: string): void;
}

export class ScheduleReporter {
  private lastSeenMtimeMs = -1;
  private inFlight: Promise<void> | undefined;

  constructor(private readonly deps: ScheduleReporterDeps) {}

  /** Reads the record if it changed since the last look, and tells what is new. One look at a time. */
  check(phase: 'startup' | 'running'): Promise<void> {
    this.inFlight ??= this.look(phase).finally(() => {
      this.inFlight = undefined;
    });
    return this.inFlight;
  }

  private async look(phase: 'startup' | 'running'): Promise<void> {
    const { deps } = this;
    let mtimeMs: number;
    try {
      mtimeMs = (await fs.stat(deps.recordPath)).mtimeMs;
    } catch {
      return;
    }
    if (mtimeMs === this.lastSeenMtimeMs) return;
    const record = parseLastUpdate(await fs.readFile(deps.recordPath, 'utf8'));
    if (!record) {
      deps.log(`could not read ${deps.recordPath}: not an update record`);
      this.lastSeenMtimeMs = mtimeMs;
      return;
    }
    const state = await this.readState();
    const decision = decideNotice(record, state, { machineName: deps.machineName, phase, head: await deps.describeHead() });
    if (decision.message !== undefined) {
      try {
        await deps.send(deps.chatId, decision.message);
      } catch (error) {
        deps.log(`could not tell ${deps.chatId} about the update run: ${String(error)}`);
        return;
      }
    }
    this.lastSeenMtimeMs = mtimeMs;
    if (decision.state !== state) {
      await writeAtomicAsync(deps.statePath, `${JSON.stringify(decision.state)}\n`);
    }
  }

  private async readState(): Promise<NoticeState> {
    try {
      return (await fs.readJson(this.deps.statePath)) as NoticeState;
    } catch {
      return {};
    }
  }
}
