import { manualSeed, maxPool2dWithIndices, randn, tensor } from '@tessera/tensor';
import { describe, expect, it } from 'vitest';

// maxPool2d has an unrolled kernel for 2x2 windows with stride 2 over rows of stride 1. The same
// data laid out with a column stride other than 1 takes the general kernel: both must agree on
// values and indices, ties (first wins), NaN (wins) and -Infinity included.

describe('maxPool2d 2x2 / stride 2 kernel', () => {
  // W = 9 gives 4 windows per row (taken two at a time), W = 11 gives 5 (one left over).
  for (const [dtype, W] of [
    ['float32', 9],
    ['float32', 11],
    ['float64', 9],
    ['float64', 11],
    ['int32', 9],
  ] as const) {
    it(`agrees with the general kernel (${dtype}, odd sizes, width ${W}, special values)`, () => {
      manualSeed(4);
      const [N, C, H] = [2, 3, 7];
      const data = Array.from(randn([N * C * H * W]).dataSync(), (v) => Math.round(v * 2));
      if (dtype !== 'int32') {
        data[0] = Number.NaN;
        data[12] = Number.NaN;
        data[13] = Number.NaN;
        for (const i of [20, 21, 29, 30]) data[i] = Number.NEGATIVE_INFINITY;
      }
      const x = tensor(data, { dtype }).reshape(N, C, H, W);
      // Same values, stored [N, C, W, H] and viewed back: column stride H, so the general kernel.
      const xs = x.permute(0, 1, 3, 2).contiguous().permute(0, 1, 3, 2);
      expect(xs.strides[3]).toBe(H);
      const fast = maxPool2dWithIndices(x, 2);
      const slow = maxPool2dWithIndices(xs, 2);
      expect(fast.values.shape).toEqual([N, C, 3, (W - 1) / 2]);
      expect(Array.from(fast.values.dataSync())).toEqual(Array.from(slow.values.dataSync()));
      expect(Array.from(fast.indices.dataSync())).toEqual(Array.from(slow.indices.dataSync()));
    });
  }

  it('hand-worked plane: first of equal maxima, NaN wins, all -Infinity keeps the first tap', () => {
    const ninf = Number.NEGATIVE_INFINITY;
    const x = tensor(
      [
        [
          [
            [1, 3, 5, 5, ninf, ninf],
            [3, 2, 5, 5, ninf, ninf],
            [0, Number.NaN, 1, 1, 0, 0],
            [0, 0, 1, 9, 0, 0],
          ],
        ],
      ],
      {
        dtype: 'float32',
      },
    );
    const r = maxPool2dWithIndices(x, 2);
    expect(r.values.arraySync()).toEqual([
      [
        [
          [3, 5, ninf],
          [Number.NaN, 9, 0],
        ],
      ],
    ]);
    expect(r.indices.arraySync()).toEqual([
      [
        [
          [1, 2, 4],
          [13, 21, 16],
        ],
      ],
    ]);
  });
});
