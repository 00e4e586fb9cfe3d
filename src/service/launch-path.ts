import fs from 'node:fs';
import path from 'node:path';

/**
 * launchd starts jobs with PATH=/usr/bin:/bin:/usr/sbin:/sbin: no Homebrew,
 * no ~/.local/bin. The agents get, in the order of the installing shell's
 * PATH, the folders where git, node, npm, uv and the agent command were
 * found, as found (not resolved: Homebrew's bin/node link outlives `brew
 * upgrade node`, its Cellar folder does not), then Homebrew's folders as a
 * fallback, then launchd's defaults.
 */
export const LAUNCHD_DEFAULT_PATH = ['/usr/bin', '/bin', '/usr/sbin', '/sbin'];
export const FALLBACK_PATH = ['/opt/homebrew/bin', '/usr/local/bin'];
export const TOOLS = ['git', 'node', 'npm', 'uv'] as const;

export function findOnPath(command: string, searchPath: string): string | undefined {
  for (const dir of searchPath.split(':').filter(Boolean)) {
    const candidate = path.join(dir, command);
    try {
      fs.accessSync(candidate, fs.constants.X_OK);
      if (fs.statSync(candidate).isFile()) return candidate;
    } catch {
      // not here
    }
  }
  return undefined;
}

/** The program a shell command line starts: its first word that is not a VAR=value. */
export function programOf(commandLine: string): string | undefined {
  return commandLine.trim().split(/\s+/).find((word) => word !== '' && !/^[A-Za-z_][A-Za-z0-9_]*=/.test(word));
}

export interface LaunchPath {
  path: string;
  found: Record<string, string>;
  missing: string[];
}

export function launchPath(searchPath: string, extraCommands: readonly string[] = []): LaunchPath {
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
  return { path: [...new Set([...userOrder, ...FALLBACK_PATH, ...LAUNCHD_DEFAULT_PATH])].join(':'), found, missing };
}
