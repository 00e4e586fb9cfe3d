import fs from 'node:fs';
import path from 'node:path';

/** Loads the project's .env, when there is one, into process.env (values already set win). */
export function loadEnvFile(root: string): void {
  const envFile = path.join(root, '.env');
  if (fs.existsSync(envFile)) process.loadEnvFile(envFile);
}
