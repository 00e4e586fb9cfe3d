/**
 * Text of one `key=value` a line (data/last-update and data/hold, which the
 * scripts write; `systemctl show`'s output): each line split at its first
 * `=`; a later line for a key wins; lines without a key are skipped. Pure.
 */
export function keyValueLines(text: string): Map<string, string> {
  const found = new Map<string, string>();
  for (const line of text.split('\n')) {
    const equals = line.indexOf('=');
    if (equals > 0) found.set(line.slice(0, equals), line.slice(equals + 1));
  }
  return found;
}
