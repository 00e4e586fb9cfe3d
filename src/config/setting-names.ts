/**
 * Every VALOR_* and TELEGRAM_* name that means something here, so that a
 * mistyped one is pointed out instead of silently ignored. VALOR_ is this
 * project's own: any other VALOR_* name is a mistake. TELEGRAM_ is shared
 * with other Telegram tools (a bot's token, a test server's port): such a
 * name is pointed out only when it is near one of ours. Pure.
 */

/** The bridge's own settings, read in settings.ts. */
export const BRIDGE_SETTINGS = [
  'TELEGRAM_API_ID',
  'TELEGRAM_API_HASH',
  'TELEGRAM_SESSION',
  'VALOR_PROJECTS',
  'VALOR_AGENT_CMD',
  'VALOR_MACHINE_NAME',
  'VALOR_UPDATE_USERS',
  'VALOR_NOTIFY_CHAT',
  'VALOR_CATCHUP_MESSAGES',
  'VALOR_CATCHUP_HOURS',
] as const;

/** Read from the same environment by the update script, the update job and its health check. */
export const OTHER_SETTINGS = [
  'VALOR_FETCH_TIMEOUT',
  'VALOR_ALERT_BOT_TOKEN',
  'VALOR_ALERT_CHAT',
  'VALOR_ALERT_API_URL',
  'VALOR_TRUSTED_SIGNERS',
  'VALOR_TRUSTED_GPG_KEYS',
  'VALOR_HEARTBEAT_URL',
] as const;

/** Set for each run by whoever starts a script (the bridge, the schedule): never in .env. VALOR_HOLD_BY: who asked for /update hold. */
export const PER_RUN_NAMES = ['VALOR_UPDATE_TRIGGER', 'VALOR_HOLD_BY'] as const;

const KNOWN: readonly string[] = [...BRIDGE_SETTINGS, ...OTHER_SETTINGS, ...PER_RUN_NAMES];
const SUGGESTIBLE: readonly string[] = [...BRIDGE_SETTINGS, ...OTHER_SETTINGS];

/** Edits (insert, delete, replace, swap two neighbours) to turn a into b. */
export function editDistance(a: string, b: string): number {
  const d: number[][] = Array.from({ length: a.length + 1 }, (_, i) => Array.from({ length: b.length + 1 }, (_, j) => (i === 0 ? j : j === 0 ? i : 0)));
  for (let i = 1; i <= a.length; i++) {
    for (let j = 1; j <= b.length; j++) {
      const cost = a[i - 1] === b[j - 1] ? 0 : 1;
      let best = Math.min(d[i - 1]![j]! + 1, d[i]![j - 1]! + 1, d[i - 1]![j - 1]! + cost);
      if (i > 1 && j > 1 && a[i - 1] === b[j - 2] && a[i - 2] === b[j - 1]) best = Math.min(best, d[i - 2]![j - 2]! + 1);
      d[i]![j] = best;
    }
  }
  return d[a.length]![b.length]!;
}

function nearestOf(name: string, candidates: readonly string[]): { known: string; distance: number } | undefined {
  let nearest: { known: string; distance: number } | undefined;
  for (const known of candidates) {
    const distance = editDistance(name, known);
    if (!nearest || distance < nearest.distance) nearest = { known, distance };
  }
  return nearest;
}

/**
 * A typo (at most 3 edits, fewer than a third of the name), or else a
 * setting of the same family (VALOR_AGENT_COMMAND: VALOR_AGENT_CMD).
 */
function nearestKnown(name: string): string | undefined {
  const nearest = nearestOf(name, SUGGESTIBLE);
  if (nearest && nearest.distance <= Math.min(3, Math.floor(name.length / 3))) return nearest.known;
  const family = name.split('_').slice(0, 2).join('_');
  return nearestOf(name, SUGGESTIBLE.filter((known) => known.split('_').slice(0, 2).join('_') === family))?.known;
}

/** One WARN line for each VALOR_* name that is not a setting, and each TELEGRAM_* name near one. */
export function unknownNameWarnings(names: Iterable<string>): string[] {
  const warnings: string[] = [];
  for (const name of [...new Set(names)].sort()) {
    if (!/^(VALOR|TELEGRAM)_/.test(name) || KNOWN.includes(name)) continue;
    const nearest = nearestKnown(name);
    if (nearest === undefined && name.startsWith('TELEGRAM_')) continue;
    warnings.push(
      nearest
        ? `WARN: ${name}: not a setting; did you mean ${nearest}?`
        : `WARN: ${name}: not a setting (the settings are listed in .env.example); it is ignored`,
    );
  }
  return warnings;
}
