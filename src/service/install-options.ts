import type { ScheduleOptions } from './schedule.js';

/**
 * install's options: --every 30m | --at 06:00,18:00, and --jitter 5m, as
 * "--name value" or "--name=value". Only their shape is checked here; their
 * values by ./schedule.ts. Pure.
 */
const OPTIONS = { '--every': 'every', '--at': 'at', '--jitter': 'jitter' } as const;

export class OptionError extends Error {}

export function parseInstallOptions(args: readonly string[]): ScheduleOptions {
  const options: ScheduleOptions = {};
  for (let i = 0; i < args.length; i++) {
    const arg = args[i]!;
    const equals = arg.indexOf('=');
    const name = equals > 0 ? arg.slice(0, equals) : arg;
    if (!Object.hasOwn(OPTIONS, name)) throw new OptionError(`install: unknown option '${arg}' (install takes --every 30m, or --at 06:00,18:00, and --jitter 5m)`);
    const value = equals > 0 ? arg.slice(equals + 1) : args[++i];
    if (value === undefined || value === '') throw new OptionError(`install: ${name} needs a value`);
    const key = OPTIONS[name as keyof typeof OPTIONS];
    if (options[key] !== undefined) throw new OptionError(`install: ${name} given twice`);
    options[key] = value;
  }
  return options;
}
