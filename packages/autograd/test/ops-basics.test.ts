import { autogradGrad, gradcheck, gradgradcheck } from '@tessera/autograd';
import {
  acos,
  acosh,
  addcdiv,
  addcmul,
  asin,
  asinh,
  atan,
  atanh,
  clamp,
  cosh,
  cross,
  diag,
  diff,
  lerp,
  log10,
  median,
  movedim,
  scatterReduce,
  sinc,
  sinh,
  type Tensor,
  tensor,
  trace,
  unbind,
} from '@tessera/tensor';
import { describe, expect, it } from 'vitest';
import { type GradCase, itGradchecks } from './gradcheck-cases.js';
import { positive, rnd, rndStrided } from './inputs.js';

// gradcheck (float64 finite differences), gradgradcheck and non-contiguous inputs for the ops of
// issue #19: the unary primitives' rules and the composites (which autograd differentiates
// through their parts).

const unit = (t: Tensor): Tensor => t.tanh().mul(0.9); // (-0.9, 0.9)
const aboveOne = (t: Tensor): Tensor => t.abs().add(1.2);

describe('unary primitives', () => {
  const cases: [string, (x: Tensor) => Tensor, ((t: Tensor) => Tensor) | undefined][] = [
    ['asin', asin, unit],
    ['acos', acos, unit],
    ['atan', atan, undefined],
    ['sinh', sinh, undefined],
    ['cosh', cosh, undefined],
    ['asinh', asinh, undefined],
    ['acosh', acosh, aboveOne],
    ['atanh', atanh, unit],
    ['log10', log10, positive],
    ['sinc', sinc, undefined],
  ];
  for (const [name, f, domain] of cases) {
    it(`${name}: gradcheck, gradgradcheck, non-contiguous`, () => {
      const x = rnd([3, 4], domain);
      expect(gradcheck(f, [x])).toBe(true);
      expect(gradgradcheck(f, [x])).toBe(true);
      expect(gradcheck(f, [rndStrided([3, 4], domain)])).toBe(true);
    });
  }
});

describe('sinc at 0', () => {
  it('has gradient 0 there and a finite second derivative (no 0/0 in the discarded branch)', () => {
    const x = tensor([0, 1e-3, -2.5], { dtype: 'float64', requiresGrad: true });
    const [g] = autogradGrad(sinc(x).sum(), [x], null, { createGraph: true });
    const gv = Array.from(g!.dataSync());
    expect(gv[0]).toBe(0);
    // d/dx sinc at 1e-3 is -(π²/3)·x to first order; at -2.5 it is (cos(-2.5π) - sinc(-2.5)) / -2.5.
    expect(gv[1]).toBeCloseTo((-(Math.PI ** 2) / 3) * 1e-3, 7);
    const s25 = Math.sin(-2.5 * Math.PI) / (-2.5 * Math.PI);
    expect(gv[2]).toBeCloseTo((Math.cos(-2.5 * Math.PI) - s25) / -2.5, 12);
    const [gg] = autogradGrad(g!.sum(), [x]);
    expect(Array.from(gg!.dataSync()).every(Number.isFinite)).toBe(true);
  });
});

describe('composites', () => {
  const idx = tensor(
    [
      [0, 1, 0, 2],
      [2, 2, 1, 0],
    ],
    { dtype: 'int32' },
  );
  const cases: GradCase[] = [
    [
      'lerp number weight < 0.5',
      (a, b) => lerp(a, b, 0.3),
      [
        [3, 4],
        [3, 4],
      ],
    ],
    ['lerp number weight >= 0.5', (a, b) => lerp(a, b, 0.7), [[3, 4], [4]]],
    ['lerp tensor weight', (a, b, w) => lerp(a, b, w), [[3, 4], [3, 4], [4]]],
    ['addcmul', (x, a, b) => addcmul(x, a, b, 0.5), [[3, 4], [4], [3, 1]]],
    ['addcdiv', (x, a, b) => addcdiv(x, a, b.abs().add(1), 2), [[3, 4], [3, 4], [4]]],
    ['unbind', (x) => unbind(x, 1)[2]!, [[3, 4]]],
    ['movedim', (x) => movedim(x, [0, 1], [2, 0]), [[2, 3, 4]]],
    ['diff n=2', (x) => diff(x, 2, 0), [[4, 3]]],
    [
      'diff prepend/append',
      (x, p, a) => diff(x, 1, 1, p, a),
      [
        [3, 4],
        [3, 1],
        [3, 2],
      ],
    ],
    ['trace', (x) => trace(x), [[4, 4]]],
    ['diag of a vector', (x) => diag(x, 1), [[3]]],
    ['diag of a matrix', (x) => diag(x, -1), [[4, 3]]],
    [
      'cross',
      (a, b) => cross(a, b),
      [
        [4, 3],
        [1, 3],
      ],
    ],
    ['median', (x) => median(x), [[3, 5]]],
    ['median dim', (x) => median(x, 1).values, [[3, 5]]],
    ['clamp tensor bounds', (x, lo, hi) => clamp(x, lo!.sub(0.5), hi!.add(0.5)), [[3, 4], [4], [3, 1]]],
    [
      'scatterReduce sum',
      (x, s) => scatterReduce(x, 1, idx, s, 'sum'),
      [
        [2, 3],
        [2, 4],
      ],
    ],
    [
      'scatterReduce mean',
      (x, s) => scatterReduce(x, 1, idx, s, 'mean', { includeSelf: false }),
      [
        [2, 3],
        [2, 4],
      ],
    ],
    [
      'scatterReduce amax',
      (x, s) => scatterReduce(x, 1, idx, s, 'amax'),
      [
        [2, 3],
        [2, 4],
      ],
    ],
    [
      'scatterReduce amin',
      (x, s) => scatterReduce(x, 1, idx, s, 'amin', { includeSelf: false }),
      [
        [2, 3],
        [2, 4],
      ],
    ],
    [
      'scatterReduce prod',
      (x, s) => scatterReduce(x, 1, idx, s, 'prod'),
      [
        [2, 3],
        [2, 4],
      ],
    ],
  ];
  itGradchecks(cases);
});
