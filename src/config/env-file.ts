import fs from 'node:fs';
import { parseEnv } from 'node:util';
import { projectPaths } from './paths.js';

export interface EnvFileContent {
  values: Record<string, string>;
  /** One WARN line for each line that is not NAME=value, a comment or blank. */
  warnings: string[];
}

const ENTRY = /^\s*(?:export\s+)?[A-Za-z_][A-Za-z0-9_]*\s*=(.*)$/;

/** How many lines the entry starting at `lines[at]` takes: a quoted value may span lines, as Node reads it. */
function entryLength(lines: readonly string[], at: number, value: string): number {
  const quote = /^\s*(["'`])/.exec(value)?.[1];
  if (quote === undefined || value.trimStart().slice(1).includes(quote)) return 1;
  const closing = lines.findIndex((line, index) => index > at && line.includes(quote));
  return closing < 0 ? 1 : closing - at + 1;
}

/**
 * The settings of a .env file, read line by line with Node's own parser, so
 * that a line that is not NAME=value is reported by its number and cannot
 * run into the next setting (Node alone would join them). Pure.
 */
export function parseEnvFile(text: string, fileName = '.env'): EnvFileContent {
  const lines = text.split(/\r?\n/);
  const values: Record<string, string> = {};
  const warnings: string[] = [];
  for (let at = 0; at < lines.length; ) {
    const line = lines[at]!;
    const entry = ENTRY.exec(line);
    if (!entry) {
      if (line.trim() && !line.trimStart().startsWith('#')) {
        warnings.push(`WARN: ${fileName} line ${at + 1} is not NAME=value and is ignored: write NAME=value, or start the line with # for a comment`);
      }
      at += 1;
      continue;
    }
    const length = entryLength(lines, at, entry[1]!);
    Object.assign(values, parseEnv(lines.slice(at, at + length).join('\n')));
    at += length;
  }
  return { values, warnings };
}

/**
 * Loads the project's .env, when there is one, into process.env (values
 * already set win). Returns what is wrong with its lines, for the caller to
 * log.
 */
export function loadEnvFile(root: string): string[] {
  const { envFile } = projectPaths(root);
  if (!fs.existsSync(envFile)) return [];
  const { values, warnings } = parseEnvFile(fs.readFileSync(envFile, 'utf8'));
  for (const [name, value] of Object.entries(values)) {
    if (process.env[name] === undefined) process.env[name] = value;
  }
  return warnings;
}
