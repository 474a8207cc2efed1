import { type Tensor, tensor } from '@tessera/tensor';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';

// Property tests. Integer-valued float32 data keeps sums exact, so results compare with toEqual.

/** A random shape (1-4 dims of size 1-4), integer data of that size, and a permutation of its dims. */
const shaped = fc.array(fc.integer({ min: 1, max: 4 }), { minLength: 1, maxLength: 4 }).chain((shape) => {
  const n = shape.reduce((a, b) => a * b, 1);
  const dims = shape.map((_, i) => i);
  return fc.record({
    shape: fc.constant(shape),
    data: fc.array(fc.integer({ min: -9, max: 9 }), { minLength: n, maxLength: n }),
    perm: fc.shuffledSubarray(dims, { minLength: dims.length, maxLength: dims.length }),
    subset: fc.subarray(dims, { minLength: 1 }),
  });
});

const make = (s: { shape: number[]; data: number[] }): Tensor =>
  tensor(s.data, { dtype: 'float32' }).reshape(s.shape);

describe('reduction properties', () => {
  it('summing dims one at a time, in any order, equals the full sum', () => {
    fc.assert(
      fc.property(shaped, (s) => {
        const x = make(s);
        let y = x;
        for (const d of s.perm) y = y.sum(d, true); // keepdim keeps later dim numbers valid
        expect(y.shape).toEqual(s.shape.map(() => 1));
        expect(y.item()).toBe(x.sum().item());
        // Removing dims from the highest down, without keepdim, also works.
        let z = x;
        for (const d of [...s.subset].sort((a, b) => b - a)) z = z.sum(d);
        expect(z.arraySync()).toEqual(x.sum(s.subset).arraySync());
      }),
      { numRuns: 150 },
    );
  });

  it('reducing a permuted tensor equals reducing over the permuted dims', () => {
    fc.assert(
      fc.property(shaped, (s) => {
        const x = make(s);
        const y = x.permute(s.perm); // y's dim i is x's dim perm[i]
        const xd = s.subset.map((i) => s.perm[i]!);
        const ops = [
          (t: Tensor, d: number[]) => t.sum(d, true),
          (t: Tensor, d: number[]) => t.amax(d, true),
          (t: Tensor, d: number[]) => t.amin(d, true),
          (t: Tensor, d: number[]) => t.prod(d, true),
          (t: Tensor, d: number[]) => t.gt(0).any(d, true),
          (t: Tensor, d: number[]) => t.gt(-5).all(d, true),
        ];
        for (const op of ops) {
          expect(op(y, s.subset).arraySync()).toEqual(op(x, xd).permute(s.perm).arraySync());
        }
      }),
      { numRuns: 150 },
    );
  });

  it('argmax of a permuted tensor along dim i equals argmax of the original along perm[i]', () => {
    fc.assert(
      fc.property(shaped, (s) => {
        const x = make(s);
        const y = x.permute(s.perm);
        const i = s.subset[0]!;
        expect(y.argmax(i, true).arraySync()).toEqual(x.argmax(s.perm[i]!, true).permute(s.perm).arraySync());
      }),
      { numRuns: 100 },
    );
  });
});

describe('softmax properties', () => {
  const rows = fc.record({
    shape: fc.array(fc.integer({ min: 1, max: 5 }), { minLength: 1, maxLength: 3 }),
    seed: fc.array(fc.double({ min: -50, max: 50, noNaN: true }), { minLength: 125, maxLength: 125 }),
    dim: fc.nat(),
  });

  it('softmax rows sum to 1 and logSoftmax equals log(softmax)', () => {
    fc.assert(
      fc.property(rows, ({ shape, seed, dim }) => {
        const n = shape.reduce((a, b) => a * b, 1);
        const x = tensor(seed.slice(0, n), { dtype: 'float64' }).reshape(shape);
        const d = dim % shape.length;
        const s = x.softmax(d);
        for (const v of s.sum(d).dataSync()) expect(v).toBeCloseTo(1, 12);
        for (const v of s.dataSync()) expect(v >= 0 && v <= 1).toBe(true);
        const ls = x.logSoftmax(d).dataSync();
        const logS = s.log().dataSync();
        for (let i = 0; i < n; i++) {
          // Where softmax underflows to 0 its log is -inf; logSoftmax stays finite there.
          if (logS[i] === -Infinity) expect(ls[i]!).toBeLessThan(-700);
          else expect(ls[i]!).toBeCloseTo(logS[i]!, 9);
        }
        // Shifting a line by a constant does not change softmax.
        const shifted = x.add(123.25).softmax(d).dataSync();
        const base = s.dataSync();
        for (let i = 0; i < n; i++) expect(shifted[i]!).toBeCloseTo(base[i]!, 10);
      }),
      { numRuns: 150 },
    );
  });
});

describe('sort properties', () => {
  it('sorted values are ordered, indices are a permutation, and ties keep their order', () => {
    fc.assert(
      fc.property(
        fc.array(fc.integer({ min: -3, max: 3 }), { minLength: 0, maxLength: 60 }),
        fc.boolean(),
        (v, descending) => {
          const x = tensor(v, { dtype: 'float32', shape: [v.length] });
          const { values, indices } = x.sort(0, descending);
          const val = Array.from(values.dataSync());
          const idx = Array.from(indices.dataSync());
          expect([...idx].sort((a, b) => a - b)).toEqual(v.map((_, i) => i));
          for (let i = 1; i < val.length; i++) {
            if (descending) expect(val[i - 1]!).toBeGreaterThanOrEqual(val[i]!);
            else expect(val[i - 1]!).toBeLessThanOrEqual(val[i]!);
            if (val[i - 1] === val[i]) expect(idx[i - 1]!).toBeLessThan(idx[i]!);
          }
          expect(idx.map((i) => v[i])).toEqual(val);
        },
      ),
      { numRuns: 200 },
    );
  });
});
