import { gradcheck } from '@tessera/autograd';
import { AdaptiveMaxPool1d, AdaptiveMaxPool2d, F } from '@tessera/nn';
import { arange, randn, type Tensor } from '@tessera/tensor';
import { describe, expect, it } from 'vitest';
import { AMP } from './fixtures/adaptive-max-pool-reference.js';
import { expectClose, flat } from './helpers/grad.js';

const f64 = { dtype: 'float64' as const };
type WithIndices = { values: Tensor; indices: Tensor };
type Ref = { shape: number[]; v: number[]; i: number[]; g: number[] };

/** Checks values, indices and the gradient of sum(values * (1..n)) against a reference. */
function check(x: Tensor, r: WithIndices, ref: Ref): void {
  expect(r.values.shape).toEqual(ref.shape);
  expectClose(flat(r.values), ref.v, 1e-10);
  expect(r.indices.dtype).toBe('int32');
  expect(flat(r.indices)).toEqual(ref.i);
  r.values
    .mul(arange(1, r.values.numel() + 1, 1, f64).reshape(r.values.shape))
    .sum()
    .backward();
  expectClose(flat(x.grad!), ref.g, 1e-10);
}

describe('AdaptiveMaxPool2d / AdaptiveMaxPool1d match PyTorch 1.13', () => {
  const sizes: [keyof typeof AMP, number | [number | null, number | null]][] = [
    ['a', [3, 4]],
    ['b', [5, 7]],
    ['c', [2, 3]],
    ['d', [4, null]],
  ];
  for (const [key, size] of sizes) {
    it(`2-D to ${JSON.stringify(size)}: values, indices, gradient (overlapping windows included)`, () => {
      const x = arange(1, 141, 1, f64).mul(1.7).sin().reshape(2, 2, 5, 7).requiresGrad_();
      check(x, new AdaptiveMaxPool2d(size, true).call(x), AMP[key] as Ref);
    });
  }

  it('1-D to 3', () => {
    const x = arange(1, 43, 1, f64).mul(2.3).cos().reshape(2, 3, 7).requiresGrad_();
    check(x, new AdaptiveMaxPool1d(3, true).call(x), AMP.one as Ref);
  });

  it('without returnIndices returns the values; unbatched input works; gradcheck', () => {
    const x = randn([2, 5, 6], f64);
    const y = new AdaptiveMaxPool2d(3).call(x);
    expect(y.shape).toEqual([2, 3, 3]);
    expectClose(flat(y), flat(new AdaptiveMaxPool2d(3).call(x.unsqueeze(0)).squeeze(0)));
    expect(new AdaptiveMaxPool1d(4).call(randn([3, 9])).shape).toEqual([3, 4]);
    expect(gradcheck((t) => F.adaptiveMaxPool2d(t, [2, 3]), [randn([1, 2, 3, 5], f64).requiresGrad_()])).toBe(
      true,
    );
  });

  it('rejects bad inputs and sizes', () => {
    expect(() => F.adaptiveMaxPool2d(randn([4, 4]), 2)).toThrow(
      /adaptiveMaxPool2d: input must be 4-D \[N, C, H, W\] or 3-D \[C, H, W\], got shape \[4,4\]/,
    );
    expect(() => F.adaptiveMaxPool2d(randn([1, 4, 4]), 0)).toThrow(
      /outputSize entries must be positive integers/,
    );
    expect(() => F.adaptiveMaxPool1d(randn([1, 4, 4]), 1.5)).toThrow(
      /adaptiveMaxPool1d: outputSize must be a positive integer/,
    );
    expect(() => F.adaptiveMaxPool1d(randn([4]), 2)).toThrow(/adaptiveMaxPool1d: input must be 3-D/);
  });
});
