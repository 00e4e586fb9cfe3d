import { loadEnvFile } from './env-file.js';
import { thisMachinesName } from './machine-name.js';
import { unknownNameWarnings } from './setting-names.js';
import { parseSettings, type Settings } from './settings.js';

/**
 * The settings as every start reads them: .env loaded into process.env
 * (the environment wins), a WARN for each name that is not a setting, then
 * parsed. The self-test checks a checkout's settings through it too.
 */
export function loadSettings(root: string, consoleMode: boolean, warn: (line: string) => void): Settings {
  for (const warning of [...loadEnvFile(root), ...unknownNameWarnings(Object.keys(process.env))]) warn(warning);
  return parseSettings(process.env, { console: consoleMode, defaultName: thisMachinesName() });
}
