// Preloaded before tsx (node --import ./src/require-dependencies.mjs --import tsx src/main.ts):
// before `npm ci`, one line instead of Node's ERR_MODULE_NOT_FOUND stack. Plain JavaScript
// with no imports of its own, so it runs when nothing is installed; it starts no process, so
// signals and the exit code stay the bridge's own.
import { existsSync } from 'node:fs';

if (!existsSync(new URL('../node_modules/tsx/package.json', import.meta.url))) {
  process.stderr.write('The dependencies are not installed (no node_modules/tsx): run npm ci first\n');
  process.exit(1);
}
