import fs from 'node:fs';

/**
 * Caps a log that the service manager appends to. The writer keeps its
 * file open, so the log is copied to <name>.1 and truncated in place rather
 * than renamed. One previous generation is kept.
 */
export const LOG_LIMIT_BYTES = 5 * 1024 * 1024;

export function rotateLog(file: string, limitBytes = LOG_LIMIT_BYTES): boolean {
  let size: number;
  try {
    size = fs.statSync(file).size;
  } catch {
    return false;
  }
  if (size <= limitBytes) return false;
  fs.copyFileSync(file, `${file}.1`);
  fs.truncateSync(file, 0);
  return true;
}
