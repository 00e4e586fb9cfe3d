import fs from 'node:fs';
import path from 'node:path';

/**
 * Does node_modules hold what package-lock.json asks for? Each package at the
 * lockfile's top level (node_modules/<name>) must be installed at the locked
 * version. Development-only packages are not needed to run, and an optional
 * one (another platform's binary) may be absent. No network, no npm.
 */
interface LockedPackage {
  version?: string;
  dev?: boolean;
  optional?: boolean;
  link?: boolean;
}

const TOP_LEVEL = /^node_modules\/((?:@[^/]+\/)?[^/]+)$/;

/** The first installed package that does not match the lockfile, as one line; undefined when all do. */
export function dependencyProblem(root: string): string | undefined {
  let lock: { packages?: Record<string, LockedPackage> };
  try {
    lock = JSON.parse(fs.readFileSync(path.join(root, 'package-lock.json'), 'utf8')) as typeof lock;
  } catch (error) {
    return `package-lock.json cannot be read: ${error instanceof Error ? error.message : String(error)}`;
  }
  for (const [key, locked] of Object.entries(lock.packages ?? {})) {
    const name = TOP_LEVEL.exec(key)?.[1];
    if (name === undefined || locked.dev || locked.link) continue;
    let installed: string | undefined;
    try {
      installed = (JSON.parse(fs.readFileSync(path.join(root, key, 'package.json'), 'utf8')) as { version?: string }).version;
    } catch {
      if (locked.optional) continue;
      return `${name}${locked.version === undefined ? '' : ` ${locked.version}`} is not installed: run npm ci`;
    }
    if (locked.version !== undefined && installed !== locked.version) {
      return `${name} is ${installed ?? 'of no version'} in node_modules but ${locked.version} in package-lock.json: run npm ci`;
    }
  }
  return undefined;
}
