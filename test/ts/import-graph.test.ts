import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { cycles, parseLayers, readImportGraph, upwardImports, type ImportGraph } from './fixtures/import-graph.js';

/**
 * No import cycle in src/, and nothing imports upward: the layers are
 * those of docs/architecture.md, lowest first.
 */

const layers = parseLayers(fs.readFileSync('docs/architecture.md', 'utf8'));

describe('the import graph of src/', () => {
  const graph = readImportGraph('src');

  it('has no cycle', () => {
    expect(cycles(graph)).toEqual([]);
  });

  it('imports only from its own layer or below, and every module is in a layer', () => {
    expect(upwardImports(graph, layers)).toEqual([]);
  });

  it('every entry of the layers names a folder or a file of src/', () => {
    const missing = layers.flat().filter((entry) => !fs.existsSync(`src/${entry}`));
    expect(missing).toEqual([]);
  });
});

describe('the checks themselves', () => {
  const graph: ImportGraph = new Map([
    ['lib/a.ts', []],
    ['config/b.ts', ['lib/a.ts', 'bridge/c.ts']],
    ['bridge/c.ts', ['config/b.ts']],
    ['main.ts', ['bridge/c.ts']],
    ['stray/d.ts', []],
  ]);
  const order = parseLayers('```layers\nlib/        helpers\nconfig/     settings\nbridge/ main.ts   the rest\n```\n');

  it('read the layers block, words up to the description', () => {
    expect(order).toEqual([['lib/'], ['config/'], ['bridge/', 'main.ts']]);
  });

  it('find a cycle, an import from above, and a module in no layer', () => {
    expect(cycles(graph)).toEqual(['bridge/c.ts → config/b.ts → bridge/c.ts']);
    expect(upwardImports(graph, order)).toEqual([
      'config/b.ts (layer config/) imports bridge/c.ts (layer bridge/, above it)',
      'stray/d.ts is in no layer: add it, or its folder, to the layers of docs/architecture.md',
    ]);
  });

  it('see type-only and dynamic imports, and none of the packages', () => {
    const src = fs.mkdtempSync(path.join(os.tmpdir(), 'valor-graph-'));
    try {
      fs.mkdirSync(path.join(src, 'x'));
      fs.writeFileSync(path.join(src, 'x/a.ts'), "import type { B } from './b.js';\nexport async function f() { return import('../c.js'); }\n");
      fs.writeFileSync(path.join(src, 'x/b.ts'), 'export type B = 1;\n');
      fs.writeFileSync(path.join(src, 'c.ts'), "import 'node:fs';\nimport { Api } from 'telegram';\nexport { Api };\n");
      expect(readImportGraph(src)).toEqual(new Map([['c.ts', []], ['x/a.ts', ['x/b.ts', 'c.ts']], ['x/b.ts', []]]));
    } finally {
      fs.rmSync(src, { recursive: true, force: true });
    }
  });
});
