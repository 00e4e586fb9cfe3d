import fs from 'node:fs';
import path from 'node:path';
import { pathToFileURL } from 'node:url';
import { dependencyProblem } from './installed-dependencies.js';
import { SELF_TEST_FAILED, SELF_TEST_PASSED } from './self-test-output.js';

/**
 * `npm start -- --self-test`: could this checkout start? Without network or
 * Telegram: the installed dependencies match package-lock.json, every module
 * of src/ loads, the bridge's own modules run their top level, and the
 * settings pass the checks of a real start. Only node's own modules are
 * imported statically here, so that a broken module of src/ is reported in
 * one line rather than stopping this one from loading.
 */

const LINKED = 'valor self-test: linked, not run';
const moduleUrl = (source: string): string => `data:text/javascript,${encodeURIComponent(source)}`;
/** Evaluated first in every graph it is part of: it stops that graph's evaluation. */
const STOP = moduleUrl(`throw ${JSON.stringify(LINKED)};`);

/** Every TypeScript module under src/, sorted, as absolute paths. */
export function sourceModules(root: string): string[] {
  const found: string[] = [];
  const visit = (dir: string): void => {
    for (const entry of fs.readdirSync(dir, { withFileTypes: true })) {
      const full = path.join(dir, entry.name);
      if (entry.isDirectory()) visit(full);
      else if (entry.name.endsWith('.ts')) found.push(full);
    }
  };
  visit(path.join(root, 'src'));
  return found.sort();
}

/**
 * Parses, resolves and links the modules and all they import without running
 * any of it: some (main.ts, login.ts, service/cli.ts) start a program when
 * run. A module that imports STOP first and then these: linking covers the
 * whole graph, and evaluation ends at STOP.
 */
async function link(files: readonly string[]): Promise<void> {
  const imports = [STOP, ...files.map((file) => pathToFileURL(file).href)].map((url) => `import ${JSON.stringify(url)};`);
  try {
    await import(moduleUrl(imports.join(' ')));
  } catch (error) {
    if (error === LINKED) return;
    throw error;
  }
}

/** An error as one line, paths relative to the checkout. esbuild's first line only says that it failed. */
export function errorLine(error: unknown, root: string): string {
  const message = error instanceof Error ? error.message : String(error);
  const lines = message.split('\n').map((line) => line.trim()).filter(Boolean);
  const line = (/^Transform failed with/.test(lines[0] ?? '') ? lines[1] : lines[0]) ?? 'unknown error';
  return line.split(`${pathToFileURL(root).href}/`).join('').split(`${root}${path.sep}`).join('');
}

class Failure extends Error {}

/**
 * All of src/ linked as one graph: each module is loaded once either way, and
 * one graph spares a round of tsx's resolve and load per module. When it
 * fails, module by module, to name the one at fault as the error alone may not.
 */
async function linkSources(root: string): Promise<void> {
  const files = sourceModules(root);
  try {
    await link(files);
    return;
  } catch (error) {
    for (const file of files) {
      try {
        await link([file]);
      } catch (fileError) {
        const line = errorLine(fileError, root);
        // esbuild and node name the module at fault, maybe one that this one imports.
        throw new Failure(line.includes('src/') ? line : `${path.relative(root, file)}: ${line}`);
      }
    }
    throw error;
  }
}

async function check(root: string, consoleMode: boolean): Promise<string> {
  const dependencies = dependencyProblem(root);
  if (dependencies) throw new Failure(dependencies);
  await linkSources(root);
  await import('../bridge/run-bridge.js');
  const { loadSettings } = await import('../config/load-settings.js');
  loadSettings(root, consoleMode, () => {});
  const { requireHead } = await import('../git/checkout.js');
  return (await requireHead(root)).short;
}

/** Runs the checks, prints the one line, and gives the exit status. */
export async function runSelfTest(root: string, consoleMode: boolean, out: NodeJS.WritableStream, err: NodeJS.WritableStream): Promise<number> {
  try {
    const sha = await check(root, consoleMode);
    out.write(`${SELF_TEST_PASSED}${sha}\n`);
    return 0;
  } catch (error) {
    err.write(`${SELF_TEST_FAILED}${error instanceof Failure ? error.message : errorLine(error, root)}\n`);
    return 1;
  }
}
