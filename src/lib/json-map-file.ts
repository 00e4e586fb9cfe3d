import fs from 'node:fs';
import path from 'node:path';

/**
 * A small string-keyed map kept in a JSON file under data/, read once and
 * replaced whole (write to a temporary file, then rename) at every change.
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
    fs.mkdirSync(path.dirname(this.file), { recursive: true });
    fs.writeFileSync(`${this.file}.tmp`, JSON.stringify(Object.fromEntries(this.entries), null, 2));
    fs.renameSync(`${this.file}.tmp`, this.file);
  }
}
