import { existsSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { measureSource, type ShapeRules, shapeViolations, sourceFiles } from './code-shape.js';

const root = fileURLToPath(new URL('../..', import.meta.url));

/** Sources the limits apply to: every package's src, the demo's src and the examples' src (not tests). */
const sourceDirs = [
  ...readdirSync(join(root, 'packages'))
    .map((p) => `packages/${p}/src`)
    .filter((d) => existsSync(join(root, d))),
  'apps/demo/src',
  'examples/src',
];

/** Issue #18 item 8: no source file over 500 lines, no function over 150 lines. */
const RULES: ShapeRules = {
  maxFileLines: 500,
  maxFunctionLines: 150,
  // Nothing is excused: an entry ('path' or 'path#function') needs a reason and an issue.
  allowlist: {},
};

describe('code shape (issue #18 item 8)', () => {
  const files = sourceDirs.flatMap((d) => sourceFiles(root, d));

  it('finds the sources it checks', () => {
    expect(files).toContain('packages/nn/src/module.ts');
    expect(files).toContain('apps/demo/src/main.ts');
    expect(files.some((f) => f.endsWith('.generated.ts') || f.includes('/test/'))).toBe(false);
  });

  it('no file over 500 lines, no function over 150 lines', () => {
    expect(shapeViolations(root, files, RULES)).toEqual([]);
  });

  it('every allowlisted file still exists (a renamed or deleted one is a stale entry)', () => {
    // Whether an entry still breaks a limit is not checked: the splits land in this tree before
    // the lead removes their entries.
    for (const entry of Object.keys(RULES.allowlist)) expect(files, entry).toContain(entry.split('#')[0]);
  });
});

describe('measureSource', () => {
  const fn = (name: string, bodyLines: number): string =>
    `function ${name}() {\n${'  x++;\n'.repeat(bodyLines)}}\n`;

  it('counts file lines, with or without a trailing newline', () => {
    expect(measureSource('a.ts', 'a\nb\nc\n').lines).toBe(3);
    expect(measureSource('a.ts', 'a\nb\nc').lines).toBe(3);
    expect(measureSource('a.ts', '').lines).toBe(0);
  });

  it('measures declarations, methods, accessors, constructors, arrows and function expressions', () => {
    const text = [
      '/** doc comments are not counted */',
      fn('decl', 2).trimEnd(),
      'class C {',
      '  constructor() {',
      '  }',
      '  method(): void {',
      '    const inner = () => {',
      '      return 1;',
      '    };',
      '  }',
      '  get size(): number { return 1; }',
      '}',
      'const expr = function () {',
      '};',
      'const obj = { prop: (a: number) => a };',
      'declare function noBody(): void;',
    ].join('\n');
    const spans = measureSource('a.ts', text).functions.map((f) => [f.name, f.line, f.lines]);
    expect(spans).toEqual([
      ['decl', 2, 4],
      ['constructor', 7, 2],
      ['method', 9, 5],
      ['inner', 10, 3],
      ['size', 14, 1],
      ['expr', 16, 2],
      ['prop', 18, 1],
    ]);
  });

  it('counts a nested function inside its parent', () => {
    const text = `function outer() {\n${fn('inner', 5)}}\n`;
    const [outer, inner] = measureSource('a.ts', text).functions;
    expect(outer?.lines).toBe(9);
    expect(inner?.lines).toBe(7);
  });
});

describe('shapeViolations', () => {
  it('reports files and functions over the limits by path, line and name, and skips the allowlist', () => {
    const dir = 'tests/repo/fixtures/code-shape';
    const files = sourceFiles(root, dir);
    expect(files).toEqual([`${dir}/long-function.ts`]);
    const rules: ShapeRules = { maxFileLines: 10, maxFunctionLines: 5, allowlist: {} };
    expect(shapeViolations(root, files, rules)).toEqual([
      `${dir}/long-function.ts: 12 lines (max 10)`,
      `${dir}/long-function.ts:4 tooLong: 7 lines (max 5)`,
    ]);
    expect(shapeViolations(root, files, { ...rules, allowlist: { [files[0]!]: 'test' } })).toEqual([]);
    // A function entry excuses that function only, not the file or another function.
    expect(
      shapeViolations(root, files, { ...rules, allowlist: { [`${files[0]!}#tooLong`]: 'test' } }),
    ).toEqual([`${dir}/long-function.ts: 12 lines (max 10)`]);
    expect(
      shapeViolations(root, files, { ...rules, allowlist: { [`${files[0]!}#short`]: 'test' } }),
    ).toHaveLength(2);
    expect(shapeViolations(root, files, { ...rules, maxFileLines: 12, maxFunctionLines: 7 })).toEqual([]);
  });
});
