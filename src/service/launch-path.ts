import path from 'node:path';
import { findOnPath } from '../lib/find-on-path.js';

/**
 * A service manager starts jobs with a bare PATH (launchd's is
 * /usr/bin:/bin:/usr/sbin:/sbin): no Homebrew, no ~/.local/bin. The jobs
 * get, in the order of the installing shell's PATH, the folders where git,
 * node, npm, uv and the agent command were found, as found (not resolved:
 * Homebrew's bin/node link outlives `brew upgrade node`, its Cellar folder
 * does not), then Homebrew's folders as a fallback, then the manager's own.
 */
export const FALLBACK_PATH = ['/opt/homebrew/bin', '/usr/local/bin'];
export const TOOLS = ['git', 'node', 'npm', 'uv'] as const;

/** The program a shell command line starts: its first word that is not a VAR=value. */
export function programOf(commandLine: string): string | undefined {
  return commandLine.trim().split(/\s+/).find((word) => word !== '' && !/^[A-Za-z_][A-Za-z0-9_]*=/.test(word));
}

export interface LaunchPath {
  path: string;
  found: Record<string, string>;
  missing: string[];
}

export function launchPath(searchPath: string, extraCommands: readonly string[], managerPath: readonly string[]): LaunchPath {
  const found: Record<string, string> = {};
  const missing: string[] = [];
  for (const command of [...TOOLS, ...extraCommands]) {
    if (command.includes('/')) continue;
    const location = findOnPath(command, searchPath);
    if (location) found[command] = location;
    else missing.push(command);
  }
  const needed = new Set(Object.values(found).map((location) => path.dirname(location)));
  const userOrder = searchPath.split(':').filter((dir) => needed.has(dir));
  return { path: [...new Set([...userOrder, ...FALLBACK_PATH, ...managerPath])].join(':'), found, missing };
}
