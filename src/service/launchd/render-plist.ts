import { build, type PlistValue } from 'plist';
import { TemplateError } from '../service-manager.js';
import { isDict, type PlistDict } from './launchd-jobs.js';

/**
 * Fills a parsed launchd template for one checkout and checks what launchd
 * needs from it. Pure: the values go into parsed strings, so nothing needs
 * XML escaping, and plist builds the XML.
 */

export interface PlistValues {
  PROJECT_DIR: string;
  PATH: string;
  HOME: string;
  /** The job's log. */
  LOG: string;
}

/** Placeholders that stand for several words: an array item that is one of them becomes those items. */
export interface PlistLists {
  /** How the bridge is started, word by word (../bridge-command.ts). */
  BRIDGE_COMMAND: readonly string[];
}

type Values = PlistValues & PlistLists;

const PLACEHOLDER = /\{\{([A-Z_]+)\}\}/g;

function fill(value: PlistValue, values: Values): PlistValue {
  if (typeof value === 'string') {
    return value.replace(PLACEHOLDER, (placeholder, name: string) => {
      const filled = values[name as keyof Values];
      if (typeof filled !== 'string') throw new TemplateError(`template has ${Array.isArray(filled) ? 'a list placeholder inside a string' : 'an unknown placeholder'} ${placeholder}`);
      return filled;
    });
  }
  if (Array.isArray(value)) {
    return value.flatMap((item) => {
      const list = typeof item === 'string' ? /^\{\{([A-Z_]+)\}\}$/.exec(item)?.[1] : undefined;
      const words = list === undefined ? undefined : values[list as keyof Values];
      return Array.isArray(words) ? [...words] : [fill(item, values)];
    });
  }
  if (isDict(value)) return Object.fromEntries(Object.entries(value).map(([key, item]) => [key, fill(item, values)]));
  return value;
}

/** What launchd needs from every job here; throws naming the first thing missing. */
function checkJob(job: PlistDict, label: string): void {
  if (job.Label !== label) throw new TemplateError(`${label}: Label is ${String(job.Label)}`);
  const args = job.ProgramArguments;
  if (!Array.isArray(args) || args.length === 0 || typeof args[0] !== 'string' || !args[0].startsWith('/')) {
    throw new TemplateError(`${label}: ProgramArguments must start with an absolute path`);
  }
  for (const key of ['WorkingDirectory', 'StandardOutPath', 'StandardErrorPath']) {
    const value = job[key];
    if (typeof value !== 'string' || !value.startsWith('/')) throw new TemplateError(`${label}: ${key} must be an absolute path`);
  }
  const env = job.EnvironmentVariables;
  if (!isDict(env) || typeof env.PATH !== 'string' || typeof env.HOME !== 'string') {
    throw new TemplateError(`${label}: EnvironmentVariables needs PATH and HOME`);
  }
}

export function renderJob(template: PlistDict, label: string, values: Values): string {
  const job = fill(template, values) as PlistDict;
  checkJob(job, label);
  return build(job);
}
