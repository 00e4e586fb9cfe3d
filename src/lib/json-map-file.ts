import fs from 'node:fs';
import { writeAtomic } from './atomic-write.js';

/**
 * A small string-keyed map kept in a JSON file under data/, read once and
 * replaced whole (./atomic-write.ts) at every change.
 * An unreadable file (a power loss mid-write on an older version) starts
 * empty rather than stopping the bridge.
 */
export class JsonMapFile<T> {
  private readonly entries: Map<string, T>;

  constructor(private readonly file: string) {
    let parsed: Record<string, T> = {};
    try {
      parsed = JSON.parse(fs.readFileSync(file, 'utf8')) as Record<string, T>;
    } catch {
      // none yet, or unreadable
    }
    this.entries = new Map(Object.entries(parsed));
  }

  get(key: string): T | undefined {
    return this.entries.get(key);
  }

  set(key: string, value: T): void {
    this.entries.set(key, value);
    writeAtomic(this.file, JSON.stringify(Object.fromEntries(this.entries), null, 2));
  }
}
