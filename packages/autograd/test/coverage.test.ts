import { gradRule, gradRuleNames, isKnownOp, isNonDifferentiable } from '@tessera/autograd';
import { BINARY_OPS, builtinDecls, CORE_DECLS, opDeclarations, UNARY_OPS } from '@tessera/tensor';
import { describe, expect, it } from 'vitest';

// Coverage by declaration: every op @tessera/tensor records is declared (runOp takes a
// declaration, so the compiler checks the call sites); here the declarations are checked against
// the rule table at run time too.

describe('op coverage', () => {
  it('every built-in op is declared, elementwise and the other families alike', () => {
    const names = builtinDecls().map((d) => d.name);
    expect(names).toEqual(expect.arrayContaining([...UNARY_OPS, ...BINARY_OPS]));
    expect(names).toEqual(
      expect.arrayContaining([
        'conv2d',
        'amax',
        'cumprod',
        'softmax',
        'scatterAdd',
        'matmul',
        'add_',
        'copy_',
      ]),
    );
    expect(new Set(names).size).toBe(names.length);
  });

  it('every declared op has a rule exactly when its declaration says it is differentiable', () => {
    const decls = opDeclarations().filter((d) => !d.extension);
    expect(decls.length).toBe(builtinDecls().length);
    const wrong = decls
      .filter((d) => (gradRule(d.name) !== undefined) !== d.differentiable)
      .map((d) => `${d.name} (differentiable: ${d.differentiable})`);
    expect(wrong).toEqual([]);
    expect(decls.filter((d) => !d.differentiable).map((d) => d.name)).toEqual(
      expect.arrayContaining(['eq', 'xor', 'not', 'isnan', 'isinf', 'argmax', 'argsort', 'bernoulli', 'any']),
    );
    for (const d of decls) expect(isKnownOp(d.name)).toBe(true);
  });

  it('every rule belongs to a declared op, and no non-differentiable one has a rule', () => {
    const declared = new Set(opDeclarations().map((d) => d.name));
    expect(gradRuleNames().filter((n) => !declared.has(n))).toEqual([]);
    expect(gradRuleNames().filter((n) => isNonDifferentiable(n))).toEqual([]);
  });

  it('in-place ops are declared not differentiable, with their out-of-place op’s attributes', () => {
    const inplace = builtinDecls().filter((d) => d.kind === 'inplace');
    expect(inplace.every((d) => !d.differentiable && d.name.endsWith('_'))).toBe(true);
    const clamp = CORE_DECLS.find((d) => d.name === 'clamp')!;
    expect(inplace.find((d) => d.name === 'clamp_')?.attrs).toEqual(clamp.attrs);
    // add_: add's attributes (scalar, scalarFirst for a JS-number operand) and alpha
    const add = CORE_DECLS.find((d) => d.name === 'add')!;
    expect(Object.keys(add.attrs)).toEqual(['scalar', 'scalarFirst']);
    expect(inplace.find((d) => d.name === 'add_')?.attrs).toEqual({ ...add.attrs, alpha: 1 });
  });
});
