import fs from 'node:fs';
import path from 'node:path';
import { logFiles, type ProjectPaths } from '../config/paths.js';

export const LOG_LINES = 20;

/** `valor-service.sh logs`: the last lines of each log; any machine, with or without a service manager. */
export function logs(paths: ProjectPaths, print: (line: string) => void): number {
  for (const file of logFiles(paths)) {
    const name = path.relative(paths.root, file);
    if (!fs.existsSync(file)) {
      print(`${name}: none yet`);
      continue;
    }
    const lines = fs.readFileSync(file, 'utf8').trimEnd().split('\n').slice(-LOG_LINES);
    print(`${name} (last ${lines.length} lines):`);
    for (const line of lines) console.log(line);
  }
  return 0;
}
