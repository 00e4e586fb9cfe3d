import fs from 'node:fs';
import path from 'node:path';
import { parse, type PlistValue } from 'plist';

/**
 * The two launchd jobs this project installs. Their templates in launchd/
 * own every fact about them (label, program, schedule, logs); this module
 * only knows where the templates are, and reads the rest from them.
 */
export const JOB_TEMPLATES = {
  bridge: 'launchd/com.valor.bridge.plist',
  update: 'launchd/com.valor.update.plist',
} as const;

/** The placeholder the templates use for the checkout's folder. */
export const PROJECT_DIR_PLACEHOLDER = '{{PROJECT_DIR}}';

export type PlistDict = Record<string, PlistValue>;

export interface LaunchdJob {
  label: string;
  /** The job's log, relative to the project root. */
  log: string;
  /** The template, parsed: placeholders still in place. */
  template: PlistDict;
}

export function isDict(value: PlistValue | undefined): value is PlistDict {
  return typeof value === 'object' && value !== null && !Array.isArray(value) && !(value instanceof Date) && !(value instanceof Uint8Array);
}

function readJob(root: string, templateFile: string): LaunchdJob {
  const template = parse(fs.readFileSync(path.join(root, templateFile), 'utf8'));
  if (!isDict(template) || typeof template.Label !== 'string' || typeof template.StandardOutPath !== 'string') {
    throw new Error(`${templateFile}: a launchd job template needs a Label and a StandardOutPath`);
  }
  const log = template.StandardOutPath.replace(`${PROJECT_DIR_PLACEHOLDER}/`, '');
  return { label: template.Label, log, template };
}

export interface LaunchdJobs {
  bridge: LaunchdJob;
  update: LaunchdJob;
  all: readonly LaunchdJob[];
}

export function launchdJobs(root: string): LaunchdJobs {
  const bridge = readJob(root, JOB_TEMPLATES.bridge);
  const update = readJob(root, JOB_TEMPLATES.update);
  return { bridge, update, all: [bridge, update] };
}

export function launchAgentsDir(home: string): string {
  return path.join(home, 'Library', 'LaunchAgents');
}

export function installedPlist(home: string, job: LaunchdJob): string {
  return path.join(launchAgentsDir(home), `${job.label}.plist`);
}
