import fs from 'node:fs';
import path from 'node:path';

/** The executable file `command` names in the folders of a PATH, as a shell would find it; undefined when none has it. */
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
