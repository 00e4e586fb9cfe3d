import type { Schedule, Times } from '../schedule.js';
import { unitValue, unitValues, type UnitEntry } from './unit-file.js';

/**
 * The update schedule (../schedule.ts: parsed from install's options) as the
 * timer's lines, and read back from an installed timer. Pure.
 *
 * --at: one OnCalendar= a time of day, local time, which Persistent=true
 * catches up after the machine was off. --every: OnUnitActiveSec=, N seconds
 * after the last run started, as launchd's StartInterval (OnCalendar= cannot
 * say "every 45 min" or "every 7 h"); after a reboot the run at load
 * (valor-update.service's WantedBy=default.target) starts the count again. --jitter: RandomizedDelaySec=, the random delay
 * before each run the timer starts.
 */
export const SCHEDULE_PLACEHOLDER = '{{SCHEDULE}}';

export function scheduleLines(schedule: Schedule): string[] {
  const when =
    schedule.kind === 'every'
      ? [`OnUnitActiveSec=${schedule.seconds}s`]
      : schedule.times.map((t) => `OnCalendar=*-*-* ${String(t.hour).padStart(2, '0')}:${String(t.minute).padStart(2, '0')}:00`);
  return [...when, `RandomizedDelaySec=${schedule.jitterSeconds}s`];
}

function seconds(value: string | undefined): number | undefined {
  const match = value === undefined ? null : /^(\d+)s?$/.exec(value);
  return match ? Number(match[1]) : undefined;
}

/** The schedule an installed timer holds, as install wrote it; undefined when it holds none (or one edited beyond that). */
export function scheduleOfTimer(entries: readonly UnitEntry[]): Schedule | undefined {
  const jitterSeconds = seconds(unitValue(entries, 'Timer', 'RandomizedDelaySec') ?? '0');
  if (jitterSeconds === undefined) return undefined;
  const every = seconds(unitValue(entries, 'Timer', 'OnUnitActiveSec'));
  if (every !== undefined) return { kind: 'every', seconds: every, jitterSeconds };
  const times: Array<Times[number]> = [];
  for (const calendar of unitValues(entries, 'Timer', 'OnCalendar')) {
    const match = /^\*-\*-\* (\d\d):(\d\d):00$/.exec(calendar);
    if (!match) return undefined;
    times.push({ hour: Number(match[1]), minute: Number(match[2]) });
  }
  return times.length > 0 ? { kind: 'at', times, jitterSeconds } : undefined;
}
