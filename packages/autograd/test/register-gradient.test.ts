import { autogradGrad, gradRule, isNonDifferentiable, registerGradient } from '@tessera/autograd';
import { callOp, getOpDecl, registerOp, tensor } from '@tessera/tensor';
import { describe, expect, it } from 'vitest';

// registerGradient: a gradient rule keyed by an op declaration (typed attrs), and
// isNonDifferentiable, which reads the declarations.

const CUBE_PLUS = registerOp(
  { name: 'testCubePlus', kind: 'unary', dtype: 'float', attrs: { c: 0 }, doc: 'x³ + c' },
  { cpu: (x, { c }) => x * x * x + c },
);
const SIGN_BIT = registerOp(
  { name: 'testSignBit', kind: 'unary', dtype: 'bool', doc: 'x < 0' },
  { cpu: (x) => x < 0 },
);
const NO_RULE = registerOp({ name: 'testNoRule', kind: 'unary', doc: 'x' }, { cpu: (x) => x });

describe('registerGradient', () => {
  it('gives an extension op its gradient, with the attrs the call resolved', () => {
    let seen: unknown;
    registerGradient(CUBE_PLUS, {
      saveInputs: true,
      backward: (ctx, g) => {
        seen = ctx.attrs;
        return [g.mul(ctx.input(0).square().mul(3))];
      },
    });
    const x = tensor([1, -2], { dtype: 'float64', requiresGrad: true });
    const [g] = autogradGrad(callOp(CUBE_PLUS, [x], { c: 5 }).sum(), [x]);
    expect(g!.arraySync()).toEqual([3, 12]);
    expect(seen).toEqual({ c: 5 });
    expect(gradRule('testCubePlus')).toBeDefined();
  });

  it('refuses what is not a declaration, non-differentiable ops and rules without backward', () => {
    expect(() => registerGradient({ ...CUBE_PLUS }, { backward: (_c, g) => [g] })).toThrow(
      /registerGradient: testCubePlus is not a declared op/,
    );
    expect(() => registerGradient(SIGN_BIT, { backward: (_c, g) => [g] })).toThrow(
      /registerGradient\(testSignBit\): the op is declared not differentiable/,
    );
    expect(() => registerGradient(CUBE_PLUS, {} as never)).toThrow(/needs a backward function/);
  });

  it('an op without a rule fails under recording, naming it; a bool op needs none', () => {
    const x = tensor([1.5, -2], { requiresGrad: true });
    expect(() => callOp(NO_RULE, [x])).toThrow(/no gradient rule for op 'testNoRule'/);
    expect(callOp(SIGN_BIT, [x]).arraySync()).toEqual([false, true]);
  });
});

describe('isNonDifferentiable', () => {
  it('reads the declarations (built-in and extension) and the list of undeclared ops', () => {
    expect(isNonDifferentiable('eq')).toBe(true);
    expect(isNonDifferentiable('isinf')).toBe(true);
    expect(isNonDifferentiable('testSignBit')).toBe(true);
    expect(isNonDifferentiable('argmax')).toBe(true);
    expect(isNonDifferentiable('exp')).toBe(false);
    expect(isNonDifferentiable('testCubePlus')).toBe(false);
    expect(getOpDecl('testCubePlus')?.differentiable).toBe(true);
  });
});
