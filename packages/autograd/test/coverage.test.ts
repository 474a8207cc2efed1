import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { gradRule, gradRuleNames, isKnownOp, NON_DIFFERENTIABLE } from '@tessera/autograd';
import { BINARY_OPS, opDeclarations, UNARY_OPS } from '@tessera/tensor';
import { describe, expect, it } from 'vitest';

const tensorSrc = fileURLToPath(new URL('../../tensor/src', import.meta.url));

/** Every literal op name passed to runOp in the tensor package's sources. */
function recordedOpNames(): string[] {
  const names = new Set<string>();
  const walk = (dir: string): void => {
    for (const e of readdirSync(dir, { withFileTypes: true })) {
      const p = join(dir, e.name);
      if (e.isDirectory()) walk(p);
      else if (e.name.endsWith('.ts')) {
        const text = readFileSync(p, 'utf8');
        for (const m of text.matchAll(/runOp\(\s*'([^']+)'/g)) names.add(m[1]!);
        // ops recorded under a variable: `const op = 'conv2d'` or `op: 'amax' | 'amin'` in a
        // function that calls `runOp(op, ...)`
        for (const fn of text.split(/\n(?=(?:export )?function )/)) {
          if (!/runOp\(\s*op\b/.test(fn)) continue;
          for (const m of fn.matchAll(/\bconst op = '([^']+)'/g)) names.add(m[1]!);
          for (const m of fn.matchAll(/\bop: ((?:'[^']+'\s*\|\s*)*'[^']+')/g)) {
            for (const n of m[1]!.matchAll(/'([^']+)'/g)) names.add(n[1]!);
          }
        }
      }
    }
  };
  walk(tensorSrc);
  return [...names].sort();
}

describe('op coverage', () => {
  it('every op recorded by @tessera/tensor has a gradient rule or is non-differentiable', () => {
    const recorded = recordedOpNames();
    expect(recorded).toEqual(
      expect.arrayContaining(['conv2d', 'amax', 'cumprod', 'softmax', 'scatterAdd', 'matmul']),
    );
    const ops = [...recorded, ...UNARY_OPS, ...BINARY_OPS];
    const missing = ops.filter((n) => !n.endsWith('_') && !isKnownOp(n));
    expect(missing).toEqual([]);
  });

  it('every declared op has a rule exactly when its declaration says it is differentiable', () => {
    const decls = opDeclarations().filter((d) => !d.extension);
    expect(decls.map((d) => d.name)).toEqual(expect.arrayContaining([...UNARY_OPS, ...BINARY_OPS]));
    const wrong = decls
      .filter((d) => (gradRule(d.name) !== undefined) !== d.differentiable)
      .map((d) => d.name);
    expect(wrong).toEqual([]);
    expect(decls.filter((d) => !d.differentiable).map((d) => d.name)).toEqual(
      expect.arrayContaining(['eq', 'xor', 'not', 'isnan', 'isinf']),
    );
  });

  it('rules and the non-differentiable list do not overlap', () => {
    expect(gradRuleNames().filter((n) => NON_DIFFERENTIABLE.has(n))).toEqual([]);
  });
});
