import fs from 'node:fs';
import path from 'node:path';
import { parse, type PlistValue } from 'plist';
import type { ProjectPaths } from '../../config/paths.js';
import type { ServiceJob } from '../service-manager.js';

/**
 * The two launchd jobs this project installs. Their templates in launchd/
 * own what launchd runs (label, program, schedule); this module knows where
 * the templates are and reads the rest from them. Their logs are the
 * project's (../../config/paths.ts), filled in for {{LOG}}.
 */
export const JOB_TEMPLATES = {
  bridge: 'launchd/com.valor.bridge.plist',
  update: 'launchd/com.valor.update.plist',
} as const;

export type PlistDict = Record<string, PlistValue>;

export interface LaunchdJob extends ServiceJob {
  /** The template, parsed: placeholders still in place. */
  template: PlistDict;
}

export function isDict(value: PlistValue | undefined): value is PlistDict {
  return typeof value === 'object' && value !== null && !Array.isArray(value) && !(value instanceof Date) && !(value instanceof Uint8Array);
}

function readJob(root: string, templateFile: string, log: string): LaunchdJob {
  const template = parse(fs.readFileSync(path.join(root, templateFile), 'utf8'));
  if (!isDict(template) || typeof template.Label !== 'string') throw new Error(`${templateFile}: a launchd job template needs a Label`);
  return { label: template.Label, log, template };
}

export interface LaunchdJobs {
  bridge: LaunchdJob;
  update: LaunchdJob;
  all: readonly LaunchdJob[];
}

export function launchdJobs(paths: ProjectPaths): LaunchdJobs {
  const bridge = readJob(paths.root, JOB_TEMPLATES.bridge, paths.bridgeLog);
  const update = readJob(paths.root, JOB_TEMPLATES.update, paths.updateLog);
  return { bridge, update, all: [bridge, update] };
}

export function launchAgentsDir(home: string): string {
  return path.join(home, 'Library', 'LaunchAgents');
}

export function installedPlist(home: string, job: ServiceJob): string {
  return path.join(launchAgentsDir(home), `${job.label}.plist`);
}
