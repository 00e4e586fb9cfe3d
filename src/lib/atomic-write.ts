import { randomBytes } from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';

/**
 * Replaces a file whole: the content is written beside it under a name of
 * this writer's own, then renamed over it, so that a reader finds the old
 * content or the new, never half of either, and two writers never write
 * into one temporary file. The folder is created when missing.
 */

/** `<file>.tmp.<pid>.<random>`: unique to this writer, and never taken for the file itself. */
export function temporaryName(file: string): string {
  return `${file}.tmp.${process.pid}.${randomBytes(4).toString('hex')}`;
}

export function writeAtomic(file: string, content: string): void {
  fs.mkdirSync(path.dirname(file), { recursive: true });
  const temporary = temporaryName(file);
  try {
    fs.writeFileSync(temporary, content);
    fs.renameSync(temporary, file);
  } catch (error) {
    fs.rmSync(temporary, { force: true });
    throw error;
  }
}

/** writeAtomic, without blocking the event loop. */
export async function writeAtomicAsync(file: string, content: string): Promise<void> {
  await fs.promises.mkdir(path.dirname(file), { recursive: true });
  const temporary = temporaryName(file);
  try {
    await fs.promises.writeFile(temporary, content);
    await fs.promises.rename(temporary, file);
  } catch (error) {
    await fs.promises.rm(temporary, { force: true });
    throw error;
  }
}
