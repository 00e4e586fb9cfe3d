import type { PlistValue } from 'plist';
import { DEFAULT_JITTER_SECONDS, type Schedule } from '../schedule.js';
import { isDict, type PlistDict } from './launchd-jobs.js';

/**
 * The update job's schedule in a plist: every N seconds (StartInterval) or
 * at times of day (StartCalendarInterval), and the random delay as the
 * --jitter argument of scripts/scheduled-update.sh. Written by install,
 * read back for a reinstall and for status. Pure.
 */
export const SCHEDULE_KEYS = ['StartInterval', 'StartCalendarInterval'] as const;
/** The update agent's argument that carries the random delay, in seconds. */
export const JITTER_ARGUMENT = '--jitter';

/** The job with its schedule keys and its --jitter argument replaced. */
export function withSchedule(job: PlistDict, schedule: Schedule): PlistDict {
  const rest = Object.fromEntries(Object.entries(job).filter(([key]) => !(SCHEDULE_KEYS as readonly string[]).includes(key)));
  const args = (job.ProgramArguments as PlistValue[]).filter((_, i, all) => all[i] !== JITTER_ARGUMENT && all[i - 1] !== JITTER_ARGUMENT);
  const when: PlistDict =
    schedule.kind === 'every'
      ? { StartInterval: schedule.seconds }
      : { StartCalendarInterval: schedule.times.map((t) => ({ Hour: t.hour, Minute: t.minute })) };
  return { ...rest, ProgramArguments: [...args, JITTER_ARGUMENT, String(schedule.jitterSeconds)], ...when };
}

/** The schedule a plist (the installed one, or the template) holds; undefined when it holds none. */
export function scheduleOf(job: PlistDict): Schedule | undefined {
  const args = Array.isArray(job.ProgramArguments) ? job.ProgramArguments : [];
  const jitterAt = args.indexOf(JITTER_ARGUMENT);
  const jitter = jitterAt >= 0 ? Number(args[jitterAt + 1]) : DEFAULT_JITTER_SECONDS;
  const jitterSeconds = Number.isInteger(jitter) && jitter >= 0 ? jitter : DEFAULT_JITTER_SECONDS;
  if (typeof job.StartInterval === 'number') return { kind: 'every', seconds: job.StartInterval, jitterSeconds };
  const calendar = job.StartCalendarInterval;
  const entries = Array.isArray(calendar) ? calendar : isDict(calendar) ? [calendar] : undefined;
  if (!entries) return undefined;
  const parsed = entries.filter(isDict).map((entry) => ({ hour: Number(entry.Hour ?? 0), minute: Number(entry.Minute ?? 0) }));
  return { kind: 'at', times: parsed, jitterSeconds };
}
