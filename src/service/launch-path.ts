import fs from 'node:fs';
import path from 'node:path';

/**
 * launchd starts jobs with PATH=/usr/bin:/bin:/usr/sbin:/sbin: no Homebrew,
 * no ~/.local/bin. The agents get the folders where git, node, npm and uv
 * were found when the installer ran, then launchd's defaults.
 */
export const LAUNCHD_DEFAULT_PATH = ['/usr/bin', '/bin', '/usr/sbin', '/sbin'];
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

export interface LaunchPath {
  path: string;
  found: Partial<Record<(typeof TOOLS)[number], string>>;
  missing: string[];
}

export function launchPath(searchPath: string, nodeBinary: string): LaunchPath {
  const found: LaunchPath['found'] = {};
  const missing: string[] = [];
  for (const tool of TOOLS) {
    const location = tool === 'node' ? nodeBinary : findOnPath(tool, searchPath);
    if (location) found[tool] = location;
    else missing.push(tool);
  }
  const dirs = [...Object.values(found).map((location) => path.dirname(location)), ...LAUNCHD_DEFAULT_PATH];
  return { path: [...new Set(dirs)].join(':'), found, missing };
}
