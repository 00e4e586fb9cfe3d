import fs from 'node:fs';
import type { Checkout } from '../git/checkout.js';
import type { LoadedCommit } from '../git/loaded-commit.js';
import { fieldOf, parseLastUpdate } from '../restart/last-update.js';
import { flagWrittenAtMs } from '../restart/restart-files.js';
import { readHold } from './hold.js';
import { statusLine } from './status-line.js';

/** Gathers what /update status says, from the running process, data/ and the checkout. */
export interface StatusSources {
  machine: string;
  loaded: LoadedCommit;
  startedAtMs: number;
  lastUpdatePath: string;
  restartFlagPath: string;
  holdPath: string;
  readCheckout(): Promise<Checkout>;
  runningJobs(): number;
}

export async function currentStatusLine(sources: StatusSources): Promise<string> {
  let record = '';
  try {
    record = fs.readFileSync(sources.lastUpdatePath, 'utf8');
  } catch {
    // no run recorded yet
  }
  const pendingSince = flagWrittenAtMs(sources.restartFlagPath);
  const checkout = await sources.readCheckout();
  // After git answered: no time the line gives is in the future.
  const nowMs = Date.now();
  return statusLine({
    machine: sources.machine,
    running: sources.loaded.commit,
    ...(sources.loaded.gitFault === undefined ? {} : { runningGitFault: sources.loaded.gitFault }),
    startedAtMs: sources.startedAtMs,
    checkout,
    lastUpdate: parseLastUpdate(record),
    refusedRestart: fieldOf(record, 'restart'),
    restartPending: pendingSince === undefined ? undefined : { sinceMs: pendingSince, waitingJobs: sources.runningJobs() },
    hold: readHold(sources.holdPath, nowMs),
    nowMs,
  });
}
