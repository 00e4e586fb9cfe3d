/**
 * Reads systemd unit files (the installed ones, and the templates in
 * systemd/) as systemd does: [Section] headers, Key=value lines, # and ;
 * comments, a trailing backslash continuing a line. Pure.
 */
export interface UnitEntry {
  section: string;
  key: string;
  value: string;
}

export function parseUnit(text: string): UnitEntry[] {
  const entries: UnitEntry[] = [];
  let section = '';
  const lines = text.split('\n');
  for (let i = 0; i < lines.length; i++) {
    let line = lines[i]!.trim();
    if (line === '' || line.startsWith('#') || line.startsWith(';')) continue;
    while (line.endsWith('\\') && i + 1 < lines.length) line = `${line.slice(0, -1)} ${lines[++i]!.trim()}`;
    const header = /^\[(.+)\]$/.exec(line);
    if (header) {
      section = header[1]!;
      continue;
    }
    const equals = line.indexOf('=');
    if (equals <= 0) continue;
    entries.push({ section, key: line.slice(0, equals).trim(), value: line.slice(equals + 1).trim() });
  }
  return entries;
}

/** Every value of a key that may be given more than once (OnCalendar=, Environment=), in order. */
export function unitValues(entries: readonly UnitEntry[], section: string, key: string): string[] {
  return entries.filter((entry) => entry.section === section && entry.key === key).map((entry) => entry.value);
}

/** A single-valued key: the last assignment wins, as in systemd. */
export function unitValue(entries: readonly UnitEntry[], section: string, key: string): string | undefined {
  return unitValues(entries, section, key).at(-1);
}

/** The words of an Environment= value as systemd splits it: on spaces, "…" quoting, C escapes inside quotes, %% for %. */
export function unitWords(value: string): string[] {
  const words: string[] = [];
  let word: string | undefined;
  let quoted = false;
  for (let i = 0; i < value.length; i++) {
    const char = value[i]!;
    if (quoted && char === '\\' && i + 1 < value.length) {
      word = (word ?? '') + value[++i];
    } else if (char === '"') {
      quoted = !quoted;
      word ??= '';
    } else if (!quoted && /\s/.test(char)) {
      if (word !== undefined) words.push(word);
      word = undefined;
    } else if (char === '%' && value[i + 1] === '%') {
      word = `${word ?? ''}%`;
      i++;
    } else {
      word = (word ?? '') + char;
    }
  }
  if (word !== undefined) words.push(word);
  return words;
}

/** The variables of a unit's Environment= lines. */
export function unitEnvironment(entries: readonly UnitEntry[]): Record<string, string> {
  const env: Record<string, string> = {};
  for (const value of unitValues(entries, 'Service', 'Environment')) {
    for (const word of unitWords(value)) {
      const equals = word.indexOf('=');
      if (equals > 0) env[word.slice(0, equals)] = word.slice(equals + 1);
    }
  }
  return env;
}
