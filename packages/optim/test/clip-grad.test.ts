import { clipGradNorm_, clipGradValue_, type ParamSlot } from '@tessera/optim';
import { getOpObserver, type Tensor, tensor } from '@tessera/tensor';
import { describe, expect, it } from 'vitest';
import { observing } from './observer.js';

const G1 = [3, -4, 1, 2];
const G2 = [
  [0.5, -6],
  [2, 1],
];

function params(dtype: 'float32' | 'float64' = 'float64'): ParamSlot[] {
  return [
    { value: tensor([0, 0, 0, 0], { dtype }), grad: tensor(G1, { dtype }) },
    {
      value: tensor(
        [
          [0, 0],
          [0, 0],
        ],
        { dtype },
      ),
      grad: tensor(G2, { dtype }),
    },
    { value: tensor([1, 2], { dtype }), grad: null },
  ];
}

const all = [...G1, ...G2.flat()];
const pnorm = (p: number) =>
  p === Infinity ? Math.max(...all.map(Math.abs)) : all.reduce((s, v) => s + Math.abs(v) ** p, 0) ** (1 / p);

describe('clipGradNorm_', () => {
  it.each([1, 2, 3, Infinity])(
    'p = %s: returns the total norm and rescales every gradient by maxNorm/(norm + 1e-6)',
    (p) => {
      const ps = params();
      const total = clipGradNorm_(ps, 2, p);
      const expected = pnorm(p);
      expect(total.shape).toEqual([]);
      expect(total.item()).toBeCloseTo(expected, 12);
      const coef = 2 / (expected + 1e-6);
      const got = [...ps[0]!.grad!.dataSync(), ...ps[1]!.grad!.dataSync()];
      got.forEach((g, i) => {
        expect(g).toBeCloseTo(all[i]! * coef, 12);
      });
      expect(ps[2]!.grad).toBeNull();
      // The clipped gradients have (almost exactly) norm maxNorm.
      const after =
        p === Infinity
          ? Math.max(...got.map(Math.abs))
          : got.reduce((s, v) => s + Math.abs(v) ** p, 0) ** (1 / p);
      expect(after).toBeCloseTo(2, 5);
    },
  );

  it("accepts 'inf' for the infinity norm", () => {
    expect(clipGradNorm_(params(), 100, 'inf').item()).toBe(6);
  });

  it('leaves gradients unchanged when the norm is below maxNorm', () => {
    const ps = params('float32');
    const total = clipGradNorm_(ps, 100);
    expect(total.item()).toBeCloseTo(pnorm(2), 5);
    expect(Array.from(ps[0]!.grad!.dataSync())).toEqual(G1);
    expect(ps[1]!.grad!.arraySync()).toEqual(G2);
  });

  it('accepts a single tensor with a grad property, and mixed float32/float64 gradients', () => {
    const t = tensor([0, 0], { dtype: 'float32' }) as Tensor & { grad: Tensor | null };
    t.grad = tensor([3, 4], { dtype: 'float32' });
    expect(clipGradNorm_(t, 1).item()).toBeCloseTo(5, 6);
    expect(Array.from(t.grad.dataSync()).map((v) => +v.toFixed(6))).toEqual([0.6, 0.8]);
    const mixed: ParamSlot[] = [
      { value: tensor([0], { dtype: 'float32' }), grad: tensor([3], { dtype: 'float32' }) },
      { value: tensor([0], { dtype: 'float64' }), grad: tensor([4], { dtype: 'float64' }) },
    ];
    const total = clipGradNorm_(mixed, 1);
    expect(total.dtype).toBe('float64');
    expect(total.item()).toBe(5);
    expect(mixed[0]!.grad!.dtype).toBe('float32');
    expect(mixed[1]!.grad!.item()).toBeCloseTo(0.8, 6);
  });

  it('returns 0 when no parameter has a gradient', () => {
    const t = clipGradNorm_([{ value: tensor([1.5]), grad: null }], 1);
    expect(t.item()).toBe(0);
  });

  it('errorIfNonfinite throws on an infinite or NaN norm; by default the norm is returned', () => {
    const bad = (): ParamSlot[] => [{ value: tensor([0, 0]), grad: tensor([Infinity, 1]) }];
    expect(() => clipGradNorm_(bad(), 1, 2, { errorIfNonfinite: true })).toThrow(
      /clipGradNorm_: the total norm of order 2 of the gradients is non-finite \(Infinity\)/,
    );
    expect(() =>
      clipGradNorm_([{ value: tensor([0]), grad: tensor([Number.NaN]) }], 1, 2, { errorIfNonfinite: true }),
    ).toThrow(/non-finite \(NaN\)/);
    expect(clipGradNorm_(bad(), 1).item()).toBe(Infinity);
    // PyTorch's spelling is not silently ignored (it would skip the check).
    expect(() => clipGradNorm_(bad(), 1, 2, { error_if_nonfinite: true } as never)).toThrow(
      "clipGradNorm_: unknown option 'error_if_nonfinite', did you mean 'errorIfNonfinite'?",
    );
  });

  it('records nothing and restores the op observer', () => {
    observing((calls, obs) => {
      clipGradNorm_(params(), 1);
      clipGradValue_(params(), 1);
      expect(calls).toEqual([]);
      expect(getOpObserver()).toBe(obs);
    });
  });
});

describe('clipGradValue_', () => {
  it('clamps every gradient to [-clipValue, clipValue] in place', () => {
    const ps = params();
    const g0 = ps[0]!.grad!;
    clipGradValue_(ps, 2.5);
    expect(ps[0]!.grad).toBe(g0);
    expect(Array.from(g0.dataSync())).toEqual([2.5, -2.5, 1, 2]);
    expect(ps[1]!.grad!.arraySync()).toEqual([
      [0.5, -2.5],
      [2, 1],
    ]);
  });
});
