/**
 * When the update job runs: every N minutes or at times of day, plus a
 * random delay before each scheduled run so that a fleet does not fetch at
 * the same second. Pure: parsed from install's options; each service
 * manager writes it in its own terms (./launchd/plist-schedule.ts,
 * ./systemd/timer-schedule.ts).
 */
export type Times = ReadonlyArray<{ hour: number; minute: number }>;

export type When = { kind: 'every'; seconds: number } | { kind: 'at'; times: Times };
export type Schedule = When & { jitterSeconds: number };

export const DEFAULT_JITTER_SECONDS = 300;
export const MIN_INTERVAL_SECONDS = 5 * 60;
export const MAX_INTERVAL_SECONDS = 24 * 3600;
export const MAX_JITTER_SECONDS = 3600;

export class ScheduleError extends Error {}

/** "30m", "2h", "90s"; whole numbers only. */
function duration(option: string, value: string, units: string): number {
  const match = /^(\d+)([smh]?)$/.exec(value);
  const unit = match?.[2] ?? '';
  if (!match || (unit !== '' && !units.includes(unit)) || (unit === '' && match[1] !== '0')) {
    const examples = units.split('').map((u) => `5${u}`).join(', ');
    throw new ScheduleError(`${option} takes a duration such as ${examples} (got '${value}')`);
  }
  return Number(match[1]) * ({ '': 1, s: 1, m: 60, h: 3600 } as const)[unit as '' | 's' | 'm' | 'h'];
}

function times(value: string): Times {
  const parsed = value.split(',').map((item) => {
    const match = /^([01]?\d|2[0-3]):([0-5]\d)$/.exec(item.trim());
    if (!match) throw new ScheduleError(`--at takes times of day as HH:MM, separated by commas, e.g. 06:00,18:00 (got '${item.trim()}')`);
    return { hour: Number(match[1]), minute: Number(match[2]) };
  });
  const sorted = [...new Map(parsed.map((t) => [t.hour * 60 + t.minute, t])).entries()].sort(([a], [b]) => a - b);
  return sorted.map(([, t]) => t);
}

/** The shortest gap between two scheduled runs, to keep the random delay below it. */
function shortestGapSeconds(schedule: When): number {
  if (schedule.kind === 'every') return schedule.seconds;
  const minutes = schedule.times.map((t) => t.hour * 60 + t.minute);
  const gaps = minutes.map((m, i) => ((minutes[i + 1] ?? minutes[0]! + 24 * 60) - m) || 24 * 60);
  return Math.min(...gaps) * 60;
}

export interface ScheduleOptions {
  every?: string;
  at?: string;
  jitter?: string;
}

/** install's options, checked; `fallback` (the installed schedule, or the template's) fills what is not given. */
export function parseSchedule(options: ScheduleOptions, fallback: Schedule): Schedule {
  if (options.every !== undefined && options.at !== undefined) throw new ScheduleError('give either --every or --at, not both');
  let base: When = fallback.kind === 'every' ? { kind: 'every', seconds: fallback.seconds } : { kind: 'at', times: fallback.times };
  if (options.every !== undefined) {
    const seconds = duration('--every', options.every, 'mh');
    if (seconds < MIN_INTERVAL_SECONDS || seconds > MAX_INTERVAL_SECONDS) {
      throw new ScheduleError(`--every must be between 5m and 24h (got '${options.every}')`);
    }
    base = { kind: 'every', seconds };
  }
  if (options.at !== undefined) base = { kind: 'at', times: times(options.at) };
  const gap = shortestGapSeconds(base);
  if (options.jitter === undefined) return { ...base, jitterSeconds: Math.min(fallback.jitterSeconds, Math.floor(gap / 2)) };
  const jitterSeconds = duration('--jitter', options.jitter, 'sm');
  if (jitterSeconds > MAX_JITTER_SECONDS || (jitterSeconds > 0 && jitterSeconds >= gap)) {
    throw new ScheduleError(`--jitter must be at most 60m and shorter than the time between two runs (got '${options.jitter}')`);
  }
  return { ...base, jitterSeconds };
}

function twoDigits(n: number): string {
  return String(n).padStart(2, '0');
}

function durationText(seconds: number): string {
  if (seconds % 3600 === 0) return `${seconds / 3600} h`;
  if (seconds % 60 === 0) return `${seconds / 60} min`;
  return `${seconds} s`;
}

/** For install and status: "every 30 min, and at load (login, boot); each after a random delay of up to 5 min". */
export function describeSchedule(schedule: Schedule): string {
  const when =
    schedule.kind === 'every'
      ? `every ${durationText(schedule.seconds)}`
      : `at ${schedule.times.map((t) => `${twoDigits(t.hour)}:${twoDigits(t.minute)}`).join(', ')} (local time)`;
  const delay = schedule.jitterSeconds > 0 ? `each after a random delay of up to ${durationText(schedule.jitterSeconds)}` : 'with no random delay';
  return `${when}, and at load (login, boot); ${delay}`;
}
