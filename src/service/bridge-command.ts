import fs from 'node:fs';
import type { ProjectPaths } from '../config/paths.js';
import { TemplateError } from './service-manager.js';

/**
 * How the bridge is started: package.json's "start" script (what `npm
 * start` runs), the one place it is written. A service manager runs it
 * itself, word by word, without npm in between (npm would stand between the
 * manager's signals and the bridge), with node looked up on the job's PATH.
 */
export function bridgeCommand(paths: ProjectPaths): string[] {
  let start: unknown;
  try {
    start = (JSON.parse(fs.readFileSync(paths.packageJson, 'utf8')) as { scripts?: { start?: unknown } }).scripts?.start;
  } catch (error) {
    throw new TemplateError(`package.json cannot be read: ${error instanceof Error ? error.message : String(error)}`);
  }
  // Words only: a service manager starts a program with its arguments, no shell to read quotes or operators.
  if (typeof start !== 'string' || !/^node(\s+[\w./@:=-]+)+$/.test(start.trim())) {
    throw new TemplateError(`package.json's "start" must be node and plain arguments, got ${JSON.stringify(start)}`);
  }
  return start.trim().split(/\s+/);
}
