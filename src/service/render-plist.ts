import { parse, type PlistValue } from 'plist';

/** Fills a launchd template for one checkout and checks the result with a plist parser. Pure. */

export interface PlistValues {
  PROJECT_DIR: string;
  PATH: string;
  HOME: string;
}

export class PlistError extends Error {}

function escapeXml(value: string): string {
  return value.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;');
}

export function renderTemplate(template: string, values: PlistValues): string {
  const rendered = template.replace(/\{\{([A-Z_]+)\}\}/g, (placeholder, name: string) => {
    if (!(name in values)) throw new PlistError(`template has an unknown placeholder ${placeholder}`);
    return escapeXml(values[name as keyof PlistValues]);
  });
  return rendered.replace(/^<!-- Template:.*-->\n/m, '');
}

type Dict = Record<string, PlistValue>;

function isDict(value: PlistValue | undefined): value is Dict {
  return typeof value === 'object' && value !== null && !Array.isArray(value) && !(value instanceof Date) && !(value instanceof Uint8Array);
}

/** What launchd needs from every agent here; throws naming the first thing missing. */
export function checkAgentPlist(xml: string, label: string): Dict {
  let parsed: PlistValue;
  try {
    parsed = parse(xml);
  } catch (error) {
    throw new PlistError(`${label}: rendered plist does not parse: ${String(error)}`);
  }
  if (!isDict(parsed)) throw new PlistError(`${label}: plist is not a dictionary`);
  if (parsed.Label !== label) throw new PlistError(`${label}: Label is ${String(parsed.Label)}`);
  const args = parsed.ProgramArguments;
  if (!Array.isArray(args) || args.length === 0 || typeof args[0] !== 'string' || !args[0].startsWith('/')) {
    throw new PlistError(`${label}: ProgramArguments must start with an absolute path`);
  }
  for (const key of ['WorkingDirectory', 'StandardOutPath', 'StandardErrorPath']) {
    const value = parsed[key];
    if (typeof value !== 'string' || !value.startsWith('/')) throw new PlistError(`${label}: ${key} must be an absolute path`);
  }
  const env = parsed.EnvironmentVariables;
  if (!isDict(env) || typeof env.PATH !== 'string' || typeof env.HOME !== 'string') {
    throw new PlistError(`${label}: EnvironmentVariables needs PATH and HOME`);
  }
  return parsed;
}
