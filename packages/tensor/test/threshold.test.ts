import {
  CpuBackend,
  randn,
  registerBackend,
  relu,
  type Tensor,
  tensor,
  thresholdBackward,
} from '@tessera/tensor';
import { describe, expect, it } from 'vitest';

/** A CPU backend without the fused kernel, to exercise the fallback from primitives. */
const plain = new CpuBackend();
Object.assign(plain, { name: 'cpu-nothreshold', thresholdBackward: undefined });
registerBackend('cpu-nothreshold', () => plain);

/** Reference: x <= t ? +0 : g, elementwise on flat arrays. */
function ref(g: ArrayLike<number>, x: ArrayLike<number>, t: number): number[] {
  return Array.from(x, (v, i) => (v <= t ? 0 : g[i]!));
}

/** Elements as numbers, with -0 kept distinct (Object.is comparison via toEqual on arrays). */
const values = (t: Tensor): number[] => Array.from(t.dataSync());

// Lengths on both sides of the branch-free float32 loop's threshold (64 elements).
const SPECIAL = [Number.NaN, -0, 0, Number.POSITIVE_INFINITY, Number.NEGATIVE_INFINITY, 1e-40, -1e-40];

for (const device of ['cpu', 'cpu-nothreshold']) {
  describe(`thresholdBackward on ${device}`, () => {
    for (const dtype of ['float32', 'float64'] as const) {
      for (const n of [5, 64, 300]) {
        it(`${dtype}, ${n} elements, special values included`, () => {
          const xs = randn([n], { dtype }).dataSync() as Float64Array | Float32Array;
          const gs = randn([n], { dtype }).dataSync() as Float64Array | Float32Array;
          SPECIAL.forEach((v, i) => {
            if (i < n) xs[i] = v;
            if (i + 1 < n) gs[i + 1] = v;
          });
          const x = tensor(Array.from(xs), { dtype, device });
          const g = tensor(Array.from(gs), { dtype, device });
          const r = thresholdBackward(g, x, 0);
          expect(r.dtype).toBe(dtype);
          expect(values(r)).toEqual(ref(g.dataSync(), x.dataSync(), 0));
          // A non-zero threshold.
          expect(values(thresholdBackward(g, x, 0.5))).toEqual(ref(g.dataSync(), x.dataSync(), 0.5));
        });
      }
    }

    it('reads strided and broadcast operands', () => {
      const x = randn([6, 70], { device }).mT;
      const g = randn([1, 6], { device }).expand(70, 6);
      const r = thresholdBackward(g, x, 0);
      expect(r.isContiguous()).toBe(true);
      expect(values(r)).toEqual(ref(g.contiguous().dataSync(), x.contiguous().dataSync(), 0));
    });
  });
}

describe('thresholdBackward errors', () => {
  it('names the op, the shapes and the dtypes', () => {
    const a = randn([2, 3]);
    expect(() => thresholdBackward(a, randn([3, 2]), 0)).toThrow(
      /thresholdBackward: grad \[2,3\] and input \[3,2\]/,
    );
    expect(() => thresholdBackward(a, randn([2, 3], { dtype: 'float64' }), 0)).toThrow(
      /thresholdBackward: .*float32 and float64/,
    );
    expect(() => thresholdBackward(tensor([1, 2]), tensor([1, 2]), 0)).toThrow(/floating dtype, got int32/);
    expect(() => thresholdBackward(a, a, '0' as unknown as number)).toThrow(/threshold must be a number/);
  });
});

describe('relu (float32, branch-free path)', () => {
  it('keeps NaN, maps -0 and negatives to +0, on rows of every length', () => {
    for (const n of [3, 64, 257]) {
      const data = Array.from(randn([n]).dataSync());
      SPECIAL.forEach((v, i) => {
        if (i < n) data[i] = v;
      });
      const r = relu(tensor(data, { dtype: 'float32' }));
      const want = Array.from(Float32Array.from(data), (v) => (v > 0 || Number.isNaN(v) ? v : 0));
      expect(values(r)).toEqual(want);
      // In place, and on a slice (non-zero offset).
      const t = tensor(data, { dtype: 'float32' });
      t.slice(0, 1).relu_();
      expect(values(t).slice(1)).toEqual(want.slice(1));
    }
  });
});
