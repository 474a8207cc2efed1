import { arange, diagonalScatter, selectScatter, sliceScatter, tensor, zeros } from '@tessera/tensor';
import { describe, expect, it } from 'vitest';
import { iota, layouts, make, type Ref, ravel, recordOps, toRef, unravel } from './shaping-ref.js';

/** base with src written at positions mapped by `place(srcIndex) -> baseIndex`. */
function refScatter(base: Ref, src: Ref, place: (idx: number[]) => number[]): Ref {
  const data = [...base.data];
  for (let i = 0; i < src.data.length; i++)
    data[ravel(place(unravel(i, src.shape)), base.shape)] = src.data[i]!;
  return { shape: [...base.shape], data };
}

describe('sliceScatter', () => {
  it('hand-worked', () => {
    const base = zeros([2, 4]);
    const src = tensor([
      [1, 2],
      [3, 4],
    ]).float();
    expect(sliceScatter(base, src, 1, 0, 4, 2).arraySync()).toEqual([
      [1, 0, 2, 0],
      [3, 0, 4, 0],
    ]);
    expect(sliceScatter(base, tensor([[5, 6, 7, 8]]).float(), 0, 1).arraySync()).toEqual([
      [0, 0, 0, 0],
      [5, 6, 7, 8],
    ]);
    expect(sliceScatter(base, src, 1, undefined, undefined, -2).arraySync()).toEqual([
      [0, 2, 0, 1],
      [0, 4, 0, 3],
    ]);
    expect(sliceScatter(base, zeros([2, 0]), 1, 3, 1).arraySync()).toEqual(base.arraySync());
    expect(base.arraySync()).toEqual([
      [0, 0, 0, 0],
      [0, 0, 0, 0],
    ]);
  });

  it('matches the reference on every layout of base and src, casting src to the base dtype', () => {
    const b = iota([3, 5]);
    const s = make([3, 2], (idx) => -1 - ravel(idx, [3, 2]));
    for (const [bn, bt] of layouts(b)) {
      for (const [sn, st] of layouts(s, 'int32')) {
        const got = sliceScatter(bt, st, 1, -1, 0, -3);
        expect(got.dtype).toBe('float32');
        expect(toRef(got), `${bn}/${sn}`).toEqual(refScatter(b, s, ([i, j]) => [i!, 4 - 3 * j!]));
      }
    }
  });

  it('records normalised attrs and errors on a shape mismatch', () => {
    const calls = recordOps(() => sliceScatter(zeros([4, 6]), zeros([4, 2]), -1, -4, undefined, 2));
    const c = calls.find((x) => x.name === 'sliceScatter')!;
    expect(c.attrs).toEqual({ dim: 1, start: 2, length: 2, step: 2 });
    expect(() => sliceScatter(zeros([4, 6]), zeros([4, 2]), 1, 0, 6, 2)).toThrow(
      'sliceScatter: src of shape [4,2] must have the shape [4,3] of slice(1, start 0, length 3, step 2) of the base of shape [4,6]',
    );
    expect(() => sliceScatter(zeros([4]), zeros([4]), 0, 0, 4, 0)).toThrow(
      'sliceScatter: step must be a non-zero integer, got 0',
    );
    expect(() => sliceScatter(zeros([4]), zeros([4]), 1)).toThrow(/sliceScatter: dim 1 is out of range/);
  });
});

describe('selectScatter', () => {
  it('hand-worked', () => {
    const base = zeros([2, 3]);
    expect(selectScatter(base, tensor([1, 2, 3]).float(), 0, 1).arraySync()).toEqual([
      [0, 0, 0],
      [1, 2, 3],
    ]);
    expect(selectScatter(base, tensor([7, 8]).float(), 1, -1).arraySync()).toEqual([
      [0, 0, 7],
      [0, 0, 8],
    ]);
    expect(selectScatter(tensor([1, 2, 3]), tensor(9), 0, 0).arraySync()).toEqual([9, 2, 3]);
  });

  it('matches the reference on every layout (broadcast src included)', () => {
    const b = iota([2, 3, 4]);
    for (const [bn, bt] of layouts(b)) {
      const src = tensor([10, 20, 30, 40]).float().expand(2, 4);
      const ref = refScatter(
        b,
        make([2, 4], ([, k]) => 10 * (k! + 1)),
        ([i, k]) => [i!, 2, k!],
      );
      expect(toRef(selectScatter(bt, src, 1, 2)), bn).toEqual(ref);
    }
  });

  it('records normalised attrs; errors', () => {
    const calls = recordOps(() => selectScatter(zeros([2, 3]), zeros([2]), -1, -1));
    expect(calls.find((x) => x.name === 'selectScatter')!.attrs).toEqual({ dim: 1, index: 2 });
    expect(() => selectScatter(zeros([2, 3]), zeros([2]), 1, 3)).toThrow(
      'selectScatter: index 3 is out of range for dim 1 of size 3 (shape [2,3]; valid range -3..2)',
    );
    expect(() => selectScatter(zeros([2, 3]), zeros([3]), 1, 0)).toThrow(
      'selectScatter: src of shape [3] must have the shape [2] of select(1, 0) of the base of shape [2,3]',
    );
    expect(() => selectScatter(tensor(1), tensor(2), 0, 0)).toThrow(
      'selectScatter: cannot select from a 0-d base',
    );
  });
});

describe('diagonalScatter', () => {
  it('hand-worked', () => {
    const base = zeros([3, 3]);
    expect(diagonalScatter(base, tensor([1, 2, 3]).float()).arraySync()).toEqual([
      [1, 0, 0],
      [0, 2, 0],
      [0, 0, 3],
    ]);
    expect(diagonalScatter(base, tensor([1, 2]).float(), 1).arraySync()).toEqual([
      [0, 1, 0],
      [0, 0, 2],
      [0, 0, 0],
    ]);
    expect(diagonalScatter(base, tensor([1]).float(), -2).arraySync()).toEqual([
      [0, 0, 0],
      [0, 0, 0],
      [1, 0, 0],
    ]);
    expect(diagonalScatter(zeros([2, 3]), zeros([0]), 3).shape).toEqual([2, 3]);
  });

  it('batched dims and non-contiguous base match the reference', () => {
    const b = iota([2, 3, 4]);
    const s = make([3, 2], (idx) => -ravel(idx, [3, 2]) - 1);
    for (const [bn, bt] of layouts(b)) {
      // dims (0, 2), offset 1: diagonal elements base[j, i, j + 1] for j < 2, shape [3, 2]
      const got = diagonalScatter(bt, tensor(s.data, { shape: s.shape }).float(), 1, 0, 2);
      expect(toRef(got), bn).toEqual(refScatter(b, s, ([i, j]) => [j!, i!, j! + 1]));
    }
    const calls = recordOps(() => diagonalScatter(zeros([2, 3, 4]), zeros([3, 2]), 1, 0, -1));
    expect(calls.find((x) => x.name === 'diagonalScatter')!.attrs).toEqual({ offset: 1, dim1: 0, dim2: 2 });
  });

  it('errors', () => {
    expect(() => diagonalScatter(zeros([3]), zeros([3]))).toThrow(
      'diagonalScatter: base needs at least 2 dims, got shape [3]',
    );
    expect(() => diagonalScatter(zeros([3, 3]), zeros([2]))).toThrow(
      'diagonalScatter: src of shape [2] must have the shape [3] of diagonal(0, 0, 1) of the base of shape [3,3]',
    );
    expect(() => diagonalScatter(zeros([3, 3]), zeros([3]), 0, 1, -1)).toThrow(
      'diagonalScatter: dim1 and dim2 must differ (both 1)',
    );
  });

  it('rejects a non-tensor src', () => {
    expect(() => sliceScatter(arange(3), 'x' as never)).toThrow(/sliceScatter: src must be a tensor/);
  });
});
