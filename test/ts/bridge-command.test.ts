import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { checkoutRoot, projectPaths } from '../../src/config/paths.js';
import { bridgeCommand } from '../../src/service/bridge-command.js';
import { TemplateError } from '../../src/service/service-manager.js';

let dir: string | undefined;
afterEach(() => {
  if (dir) fs.rmSync(dir, { recursive: true, force: true });
});

function withStart(start: unknown): string[] {
  dir = fs.mkdtempSync(path.join(os.tmpdir(), 'valor-start-'));
  fs.writeFileSync(path.join(dir, 'package.json'), JSON.stringify({ scripts: { start } }));
  return bridgeCommand(projectPaths(dir));
}

describe("the bridge's start command", () => {
  it("is package.json's start, word by word: what the plist runs after /usr/bin/env", () => {
    expect(bridgeCommand(projectPaths(checkoutRoot()))).toEqual(['node', '--import', './src/require-dependencies.mjs', '--import', 'tsx', 'src/main.ts']);
  });

  it.each([['npm run build && node x.js'], ['node "src/main.ts"'], ['tsx src/main.ts'], [undefined]])('a start a service manager could not run as words (%s) is a template error', (start) => {
    expect(() => withStart(start)).toThrow(TemplateError);
  });

  it('no package.json: a template error naming it', () => {
    dir = fs.mkdtempSync(path.join(os.tmpdir(), 'valor-start-'));
    expect(() => bridgeCommand(projectPaths(dir!))).toThrow(/^package.json cannot be read: /);
  });
});
