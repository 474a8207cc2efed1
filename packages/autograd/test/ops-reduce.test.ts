import { gradcheck, gradgradcheck } from '@tessera/autograd';
import { type Tensor, tensor } from '@tessera/tensor';
import { describe, expect, it } from 'vitest';
import { expectClose } from './helpers.js';
import { positive, rnd, rndStrided } from './inputs.js';

type Case = [name: string, f: (x: Tensor) => Tensor, shape: number[], domain?: (t: Tensor) => Tensor];

const CASES: Case[] = [
  ['sum all', (x) => x.sum(), [2, 3]],
  ['sum dims', (x) => x.sum([0, 2]), [2, 3, 2]],
  ['sum keepdim', (x) => x.sum(1, true), [2, 3]],
  ['sum 0-d', (x) => x.sum(), []],
  ['mean', (x) => x.mean(1), [2, 3]],
  ['mean all', (x) => x.mean(), [2, 2, 2]],
  ['prod all', (x) => x.prod(), [2, 3]],
  ['prod dims', (x) => x.prod([0, 2], true), [2, 2, 3]],
  ['amax', (x) => x.amax(1), [3, 4]],
  ['amin keepdim', (x) => x.amin([0, 1], true), [2, 3, 2]],
  ['max all', (x) => x.max(), [2, 3]],
  ['max dim', (x) => x.max(1).values, [3, 4]],
  ['min dim keepdim', (x) => x.min(0, true).values, [3, 2]],
  ['var', (x) => x.var(1), [2, 4]],
  ['std', (x) => x.std(), [2, 3]],
  ['var correction 0', (x) => x.var([0, 1], { correction: 0, keepdim: true }), [2, 3]],
  ['logsumexp', (x) => x.logsumexp(1), [3, 4]],
  ['norm 2', (x) => x.norm(), [2, 3]],
  ['norm 1', (x) => x.norm(1, 1), [2, 3]],
  ['norm 3', (x) => x.norm(3, 0, true), [3, 2]],
  ['norm 0.5', (x) => x.norm(0.5, 1), [2, 3]],
  ['norm inf', (x) => x.norm(Number.POSITIVE_INFINITY, 1), [2, 3]],
  ['norm -inf', (x) => x.norm(Number.NEGATIVE_INFINITY), [2, 3]],
  ['norm fro', (x) => x.norm('fro', [0, 1]), [2, 3]],
  ['cumsum', (x) => x.cumsum(1), [2, 4]],
  ['cumprod', (x) => x.cumprod(0), [4, 2]],
  ['softmax', (x) => x.softmax(1), [2, 4]],
  ['softmax dim 0', (x) => x.softmax(0), [3, 2]],
  ['logSoftmax', (x) => x.logSoftmax(-1), [2, 4]],
  ['sort values', (x) => x.sort(1).values, [2, 4]],
  ['sort descending', (x) => x.sort(0, true).values, [3, 2]],
  ['topk values', (x) => x.topk(2, 1).values, [2, 4]],
];

describe('reductions: gradcheck and gradgradcheck', () => {
  for (const [name, f, shape, domain] of CASES) {
    it(name, () => {
      const x = rnd(shape, domain);
      expect(gradcheck(f, [x])).toBe(true);
      expect(gradgradcheck(f, [x])).toBe(true);
    });
    if (shape.length >= 1) {
      it(`${name} non-contiguous`, () => {
        expect(gradcheck(f, [rndStrided(shape, domain)])).toBe(true);
      });
    }
  }
  it('positive-domain cumprod and prod', () => {
    expect(gradgradcheck((x) => x.cumprod(1).prod(1), [rnd([2, 3], positive)])).toBe(true);
  });
});

describe('reductions at special points', () => {
  const f64 = (data: number[] | number[][]) => tensor(data, { dtype: 'float64', requiresGrad: true });

  it('prod with one zero and with two zeros', () => {
    // Row 0 has one zero, row 1 two.
    const zeros = () =>
      f64([
        [2, 0, 3],
        [0, 4, 0],
      ]);
    const x = zeros();
    x.prod(1).sum().backward();
    expectClose(x.grad, [
      [0, 6, 0],
      [0, 0, 0],
    ]);
    expect(gradcheck((t) => t.prod(1), [zeros()])).toBe(true);
    expect(gradgradcheck((t) => t.prod(1), [zeros()])).toBe(true);
    expect(
      gradgradcheck(
        (t) => t.prod([0, 1]),
        [
          f64([
            [2, 0],
            [0, 4],
            [1.5, -1],
          ]),
        ],
      ),
    ).toBe(true);
  });

  it('cumprod with zeros', () => {
    const x = f64([2, 0, 3, 0, 5]);
    expect(gradcheck((t) => t.cumprod(0), [x])).toBe(true);
    // second order: exact before the first zero (see the rule's comment)
    expect(gradgradcheck((t) => t.cumprod(0), [f64([2, 3, 0, 4])], { raiseException: false })).toBe(false);
    expect(gradgradcheck((t) => t.cumprod(0).narrow(0, 0, 3), [f64([2, 3, 0, 4])])).toBe(true);
    const y = f64([2, 0, 3]);
    y.cumprod(0).sum().backward();
    // d/dx0 (x0 + x0 x1 + x0 x1 x2) = 1 + x1 + x1 x2; d/dx1 = x0 + x0 x2; d/dx2 = x0 x1
    expectClose(y.grad, [1, 2 + 6, 0]);
  });

  it('amax / amin split the gradient evenly between ties', () => {
    const x = f64([
      [1, 3, 3],
      [2, 2, 2],
    ]);
    x.amax(1).sum().backward();
    expectClose(x.grad, [
      [0, 0.5, 0.5],
      [1 / 3, 1 / 3, 1 / 3],
    ]);
    const y = f64([1, 1, 5]);
    y.amin().backward();
    expectClose(y.grad, [0.5, 0.5, 0]);
  });

  it('norm is 0-gradient at the origin', () => {
    const x = f64([0, 0, 0]);
    x.norm().backward();
    expectClose(x.grad, [0, 0, 0]);
    const y = f64([0, 3, 0]);
    y.norm(3).backward();
    expectClose(y.grad, [0, 1, 0]);
  });

  it('softmax rows sum to one, so gradients of the sum vanish', () => {
    const x = rnd([2, 3]);
    x.softmax(1).sum().backward();
    expectClose(x.grad, [
      [0, 0, 0],
      [0, 0, 0],
    ]);
  });
});
