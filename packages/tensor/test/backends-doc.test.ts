import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { BINARY_OPS, builtinDecls, getOpDecl, UNARY_OPS } from '@tessera/tensor';
import { describe, expect, it } from 'vitest';
import { builtinOpTable, renderOpTable, withOpTable } from '../src/ops/op-table.js';

const doc = readFileSync(fileURLToPath(new URL('../BACKENDS.md', import.meta.url)), 'utf8');

describe("BACKENDS.md's declared op tables", () => {
  it('is what `pnpm gen:backends` writes from the declarations (run it after changing an op)', () => {
    expect(withOpTable(doc, builtinOpTable())).toBe(doc);
  });

  it('has one row per declared built-in op, with its defaults, in one table per kind', () => {
    for (const d of builtinDecls()) expect(doc).toContain(`| \`${d.name}\` `);
    for (const name of [...UNARY_OPS, ...BINARY_OPS]) expect(doc).toContain(`| \`${name}\` `);
    expect(doc).toMatch(/#### reduce: [^\n]*\n\n\| name +\| kind/);
    expect(doc).toMatch(/\| `sum` +\| reduce +\| [^|]+\| [^|]+\| dims \(dims\), keepdim: false +\| yes +\|/);
    expect(doc).toMatch(/\| `argmax` +\| reduce +\| int32 +\| [^|]+\| dim: null, keepdim: false +\| no +\|/);
    expect(doc).toMatch(/\| `leakyRelu` +\| unary +\| [^|]+\| [^|]+\| alpha: 0\.01 +\|/);
    expect(doc).toMatch(/\| `clamp` +\| unary +\| [^|]+\| refused +\| min: -Infinity, max: Infinity +\|/);
  });

  it('escapes pipes and lines columns up', () => {
    const t = renderOpTable([getOpDecl('abs')!, getOpDecl('eq')!]).split('\n');
    expect(t[2]).toContain('\\|x\\|');
    expect(new Set(t.map((l) => [...l].length)).size).toBe(1);
  });

  it('refuses a file without the markers', () => {
    expect(() => withOpTable('# no table here', 'x')).toThrow(/markers/);
  });
});
