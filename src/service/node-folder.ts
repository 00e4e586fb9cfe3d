import fs from 'node:fs';
import path from 'node:path';

/**
 * Version managers put each Node version in a folder of its own, which
 * `nvm uninstall` (or fnm's, asdf's, volta's) deletes: agents whose PATH
 * names it can no longer start node. Pure but for the existence checks.
 */
const VERSIONED = [
  { manager: 'nvm', removal: 'nvm uninstall', pattern: /\/\.nvm\/versions\/node\/([^/]+)\/bin$/ },
  { manager: 'fnm', removal: 'fnm uninstall', pattern: /\/fnm\/node-versions\/([^/]+)\/installation\/bin$/ },
  { manager: 'fnm', removal: 'fnm cleaning up the shell of', pattern: /\/fnm_multishells\/([^/]+)\/bin$/ },
  { manager: 'asdf', removal: 'asdf uninstall nodejs', pattern: /\/\.asdf\/installs\/nodejs\/([^/]+)\/bin$/ },
  { manager: 'volta', removal: 'volta removing', pattern: /\/\.volta\/tools\/image\/node\/([^/]+)\/bin$/ },
] as const;

export interface VersionedFolder {
  manager: string;
  version: string;
  removal: string;
}

export function versionedFolder(dir: string): VersionedFolder | undefined {
  for (const { manager, removal, pattern } of VERSIONED) {
    const match = pattern.exec(dir);
    if (match) return { manager, version: match[1]!, removal };
  }
  return undefined;
}

/** install's one-line warning when the jobs' node lives in such a folder; `jobs`: the manager's word for them ("agents", "units"). */
export function versionedNodeWarning(nodePath: string, jobs: string): string | undefined {
  const dir = path.dirname(nodePath);
  const found = versionedFolder(dir);
  if (!found) return undefined;
  const keep = found.manager === 'nvm' ? ' (with nvm, choose the version you keep: nvm alias default <version>)' : '';
  return `WARN: the ${jobs}' node is in ${found.manager}'s folder for ${found.version} (${dir}): after ${found.removal} ${found.version} the bridge cannot start. Then run scripts/valor-service.sh install again from a shell whose node you keep${keep}, or put a node that outlives upgrades (Homebrew's) first on PATH.`;
}

/**
 * For status: a version folder on the jobs' PATH that is gone (after
 * `nvm uninstall`, the jobs find another node or none), or no node at all.
 */
export function missingNode(agentPath: string, jobs: string, exists: (file: string) => boolean = fs.existsSync): string | undefined {
  const dirs = agentPath.split(':').filter(Boolean);
  for (const dir of dirs) {
    const found = versionedFolder(dir);
    if (found && !exists(dir)) {
      return `the ${jobs}' node folder ${dir} no longer exists (${found.manager}'s ${found.version} was removed): run scripts/valor-service.sh install again`;
    }
  }
  if (dirs.some((dir) => exists(path.join(dir, 'node')))) return undefined;
  return `the ${jobs}' PATH (${agentPath}) holds no node: run scripts/valor-service.sh install again`;
}
