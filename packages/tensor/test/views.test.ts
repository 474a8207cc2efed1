import {
  arange,
  broadcastTo,
  contiguous,
  diagonal,
  expand,
  flatten,
  narrow,
  permute,
  reshape,
  select,
  slice,
  squeeze,
  type Tensor,
  tensor,
  transpose,
  unflatten,
  unsqueeze,
  view,
  zeros,
} from '@tessera/tensor';
import { describe, expect, it } from 'vitest';
import { build, nested, permute as refPermute, slice as refSlice } from './core-ref.js';

// Views share their base's buffer; these tests check shapes, strides and values against index
// arithmetic done in the test, and that writes through a view show in the base (and through a
// copy do not).

/** 0..n-1 as float32 in `shape`. */
const iota = (shape: number[]): Tensor =>
  arange(
    shape.reduce((a, b) => a * b, 1),
    { dtype: 'float32' },
  ).reshape(shape);
/** Reference 0..n-1 in `shape`. */
const refIota = (shape: number[]) => build(shape, (idx) => idx.reduce((p, v, d) => p * shape[d]! + v, 0));
const sharesBuffer = (a: Tensor, b: Tensor): boolean => a._storage === b._storage;

describe('reshape and view', () => {
  it('is a view of a contiguous tensor, with -1 inferred', () => {
    const x = iota([2, 3, 4]);
    const y = x.reshape(4, -1);
    expect(y.shape).toEqual([4, 6]);
    expect(y.strides).toEqual([6, 1]);
    expect(sharesBuffer(x, y)).toBe(true);
    expect(y.arraySync()).toEqual(nested({ shape: [4, 6], data: refIota([2, 3, 4]).data }));
    expect(reshape(x, [24]).shape).toEqual([24]);
    expect(x.reshape([-1]).shape).toEqual([24]);
    expect(view(x, [2, 12]).strides).toEqual([12, 1]);
  });

  it('copies when the strides make a view impossible, and view() refuses', () => {
    const x = iota([3, 4]);
    const t = x.T; // [4, 3], strides [1, 4]
    const r = t.reshape(12);
    expect(sharesBuffer(r, x)).toBe(false);
    expect(r.arraySync()).toEqual(refPermute(refIota([3, 4]), [1, 0]).data);
    expect(() => t.view(12)).toThrow(
      'view: cannot view a tensor of shape [4,3] and strides [1,4] as [12] without a copy; use reshape()',
    );
  });

  it('views non-contiguous tensors when the dims being merged are contiguous together', () => {
    const x = iota([4, 6]);
    const s = x.slice(1, 0, 6, 2); // [4, 3], strides [6, 2]
    const r = s.reshape(2, 2, 3); // splits dim 0 only: still a view
    expect(sharesBuffer(r, x)).toBe(true);
    expect(r.strides).toEqual([12, 6, 2]);
    const p = iota([2, 3, 4]).permute(1, 0, 2); // [3,2,4] strides [4,12,1]
    const v = p.view(3, 2, 2, 2);
    expect(v.strides).toEqual([4, 12, 2, 1]);
    expect(v.contiguous().arraySync()).toEqual(
      nested({ shape: [3, 2, 2, 2], data: refPermute(refIota([2, 3, 4]), [1, 0, 2]).data }),
    );
  });

  it('handles 0-d and empty tensors', () => {
    const s = tensor(5);
    expect(s.reshape(1, 1).arraySync()).toEqual([[5]]);
    expect(s.view(1).shape).toEqual([1]);
    expect(tensor([5]).reshape([]).shape).toEqual([]);
    expect(zeros([0, 3]).reshape(3, 0).shape).toEqual([3, 0]);
    expect(zeros([0, 3]).reshape(-1).shape).toEqual([0]);
  });

  it('rejects incompatible shapes', () => {
    expect(() => iota([2, 3]).reshape(4, 2)).toThrow(
      'reshape: shape [4,2] is invalid for input of shape [2,3] (6 elements)',
    );
    expect(() => iota([2, 3]).reshape(-1, -1)).toThrow('reshape: only one dim can be -1 in [-1,-1]');
    expect(() => iota([2, 3]).reshape(4, -1)).toThrow(
      'reshape: shape [4,-1] is invalid for input of shape [2,3]',
    );
    expect(() => zeros([0]).reshape(0, -1)).toThrow(/reshape: cannot infer the -1 in \[0,-1\]/);
  });
});

describe('squeeze, unsqueeze, flatten, unflatten', () => {
  it('squeezes all or chosen size-1 dims', () => {
    const x = zeros([1, 3, 1, 2]);
    expect(x.squeeze().shape).toEqual([3, 2]);
    expect(x.squeeze(2).shape).toEqual([1, 3, 2]);
    expect(x.squeeze([0, -2]).shape).toEqual([3, 2]);
    expect(x.squeeze(1).shape).toEqual([1, 3, 1, 2]); // size 3: left alone, as PyTorch
    expect(squeeze(tensor(1)).shape).toEqual([]);
    expect(sharesBuffer(x.squeeze(), x)).toBe(true);
  });

  it('unsqueezes at any position including the end and negative dims', () => {
    const x = zeros([2, 3]);
    expect(x.unsqueeze(0).shape).toEqual([1, 2, 3]);
    expect(x.unsqueeze(2).shape).toEqual([2, 3, 1]);
    expect(x.unsqueeze(-1).shape).toEqual([2, 3, 1]);
    expect(unsqueeze(x, -3).shape).toEqual([1, 2, 3]);
    expect(unsqueeze(tensor(1), 0).shape).toEqual([1]);
  });

  it('flattens ranges of dims and unflattens them back', () => {
    const x = iota([2, 3, 4]);
    expect(x.flatten().shape).toEqual([24]);
    expect(x.flatten(1).shape).toEqual([2, 12]);
    expect(flatten(x, 0, 1).shape).toEqual([6, 4]);
    expect(flatten(tensor(3)).shape).toEqual([1]);
    expect(x.flatten(1).unflatten(1, [3, 4]).arraySync()).toEqual(x.arraySync());
    expect(unflatten(x, -1, [2, -1]).shape).toEqual([2, 3, 2, 2]);
    expect(() => x.flatten(2, 1)).toThrow('flatten: startDim 2 comes after endDim 1');
    expect(() => x.unflatten(1, [2, 2])).toThrow(
      'unflatten: sizes [2,2] do not multiply to 3 (dim 1 of [2,3,4])',
    );
  });
});

describe('permute, transpose, T, mT', () => {
  it('reorders dims as a view', () => {
    const x = iota([2, 3, 4]);
    const p = x.permute(2, 0, 1);
    expect(p.shape).toEqual([4, 2, 3]);
    expect(p.strides).toEqual([1, 12, 4]);
    expect(sharesBuffer(p, x)).toBe(true);
    expect(p.arraySync()).toEqual(nested(refPermute(refIota([2, 3, 4]), [2, 0, 1])));
    expect(permute(x, [-1, 0, 1]).shape).toEqual([4, 2, 3]);
    expect(p.isContiguous()).toBe(false);
  });

  it('transposes, reverses dims with T and swaps the last two with mT', () => {
    const x = iota([2, 3, 4]);
    expect(transpose(x, 0, 2).arraySync()).toEqual(nested(refPermute(refIota([2, 3, 4]), [2, 1, 0])));
    expect(x.transpose(-1, -2).shape).toEqual([2, 4, 3]);
    expect(x.mT.arraySync()).toEqual(nested(refPermute(refIota([2, 3, 4]), [0, 2, 1])));
    expect(iota([2, 3]).T.arraySync()).toEqual([
      [0, 3],
      [1, 4],
      [2, 5],
    ]);
    expect(iota([3]).T.shape).toEqual([3]);
    expect(tensor(1).T.shape).toEqual([]);
    expect(() => iota([3]).mT).toThrow('mT: needs a matrix or a batch of matrices, got shape [3]');
  });
});

describe('expand and broadcastTo', () => {
  it('broadcasts size-1 and new leading dims with stride 0', () => {
    const x = tensor([[1], [2], [3]]);
    const e = x.expand(2, 3, 4);
    expect(e.shape).toEqual([2, 3, 4]);
    expect(e.strides).toEqual([0, 1, 0]);
    expect(sharesBuffer(e, x)).toBe(true);
    expect(e.arraySync()).toEqual(nested(build([2, 3, 4], (i) => i[1]! + 1)));
    expect(x.expand(-1, 2).arraySync()).toEqual([
      [1, 1],
      [2, 2],
      [3, 3],
    ]);
    expect(expand(tensor(7), [2]).arraySync()).toEqual([7, 7]);
    expect(broadcastTo(tensor([1, 2]), [2, 2]).arraySync()).toEqual([
      [1, 2],
      [1, 2],
    ]);
    expect(x.expandAs(zeros([3, 2])).shape).toEqual([3, 2]);
    expect(x.expand(3, 1)).not.toBe(x);
  });

  it('refuses non-singleton dims and bad sizes', () => {
    const x = zeros([3, 1]);
    expect(() => x.expand(4, 2)).toThrow(
      'expand: shape [3,1] cannot be expanded to [4,2] (dim 0 has size 3, not 1 or 4)',
    );
    expect(() => broadcastTo(x, [2])).toThrow(
      "broadcastTo: target shape [2] has fewer dims than the tensor's shape [3,1]",
    );
    expect(() => x.expand(2, 2)).toThrow(
      'expand: shape [3,1] cannot be expanded to [2,2] (dim 0 has size 3, not 1 or 2)',
    );
    expect(() => x.expand(-1, 3, 1)).toThrow(/expand: size -1 is not allowed for new leading dim 0/);
    expect(() => x.expand(3, 1.5)).toThrow('expand: shape [3,1.5] has a non-integer size 1.5 at dim 1');
  });
});

describe('slice, narrow, select, diagonal', () => {
  const cases: [number | undefined, number | undefined, number][] = [
    [undefined, undefined, 1],
    [1, 4, 1],
    [-3, undefined, 1],
    [undefined, -1, 2],
    [0, 100, 3],
    [5, 2, 1],
    [undefined, undefined, -1],
    [4, 1, -1],
    [-1, -4, -2],
    [10, undefined, -2],
    [undefined, -10, -1],
    [2, 2, -1],
  ];
  for (const [start, end, step] of cases) {
    it(`slices like Python [${start ?? ''}:${end ?? ''}:${step}]`, () => {
      const base = iota([2, 5]);
      const s = slice(base, 1, start, end, step);
      const want = refSlice(refIota([2, 5]), 1, start, end, step);
      expect(s.shape).toEqual(want.shape);
      expect(s.arraySync()).toEqual(nested(want));
      if (s.numel() > 0) expect(sharesBuffer(s, base)).toBe(true);
    });
  }

  it('slices along dim 0 with negative dims and chains views', () => {
    const x = iota([6, 4]);
    const s = x.slice(0, 1, undefined, 2).slice(-1, undefined, undefined, -1);
    expect(s.strides).toEqual([8, -1]);
    expect(s.arraySync()).toEqual(
      nested(refSlice(refSlice(refIota([6, 4]), 0, 1, undefined, 2), 1, undefined, undefined, -1)),
    );
  });

  it('narrows, selects and takes diagonals as views', () => {
    const x = iota([3, 4]);
    expect(narrow(x, 1, 1, 2).arraySync()).toEqual([
      [1, 2],
      [5, 6],
      [9, 10],
    ]);
    expect(x.narrow(0, -1, 1).arraySync()).toEqual([[8, 9, 10, 11]]);
    expect(select(x, 1, -1).arraySync()).toEqual([3, 7, 11]);
    expect(x.select(0, 2).arraySync()).toEqual([8, 9, 10, 11]);
    expect(sharesBuffer(x.select(0, 1), x)).toBe(true);
    expect(x.diagonal().arraySync()).toEqual([0, 5, 10]);
    expect(diagonal(x, 1).arraySync()).toEqual([1, 6, 11]);
    expect(x.diagonal(-1).arraySync()).toEqual([4, 9]);
    expect(x.diagonal(4).arraySync()).toEqual([]);
    expect(x.diagonal(-5).shape).toEqual([0]);
    const y = iota([2, 3, 3]);
    // diagonal of dims 1, 2 moved last: [2, 3]
    expect(y.diagonal(0, 1, 2).arraySync()).toEqual([
      [0, 4, 8],
      [9, 13, 17],
    ]);
    expect(y.diagonal(0, -1, 0).arraySync()).toEqual(nested(build([3, 2], ([k, i]) => i! * 9 + k! * 3 + i!)));
  });

  it('refuses bad bounds and dims', () => {
    const x = iota([3, 4]);
    expect(() => x.select(1, 4)).toThrow('select: index 4 is out of range for dim 1 of size 4 (shape [3,4])');
    expect(() => x.select(2, 0)).toThrow(
      'select: dim 2 is out of range for a tensor of 2 dims (expected -2..1)',
    );
    expect(() => x.narrow(1, 2, 3)).toThrow(
      'narrow: start 2 and length 3 are out of range for dim 1 of size 4 (shape [3,4])',
    );
    expect(() => x.slice(0, 0, 2, 0)).toThrow('slice: step must be a non-zero integer, got 0');
    expect(() => x.slice(0, 0.5)).toThrow('slice: bound 0.5 is not an integer');
    expect(() => x.diagonal(0, 1, 1)).toThrow('diagonal: dim1 and dim2 must differ (both 1)');
    expect(() => iota([3]).diagonal()).toThrow('diagonal: needs at least 2 dims, got shape [3]');
    expect(() => tensor(1).select(0, 0)).toThrow('select: cannot select from a 0-d tensor');
  });
});

describe('writes through views', () => {
  it('a view writes into its base; a copy does not', () => {
    const x = iota([3, 4]);
    x.select(0, 1).fill_(-1);
    x.slice(1, undefined, undefined, -2).mul_(10); // columns 3 and 1
    x.diagonal().add_(100);
    const want = build([3, 4], ([i, j]) => {
      let v = i! === 1 ? -1 : i! * 4 + j!;
      if (j === 3 || j === 1) v *= 10;
      if (i === j) v += 100;
      return v;
    });
    expect(x.arraySync()).toEqual(nested(want));
    const c = x.clone();
    c.fill_(0);
    expect(x.arraySync()).toEqual(nested(want));
    const r = x.T.reshape(12); // a copy
    r.fill_(0);
    expect(x.arraySync()).toEqual(nested(want));
  });
});

describe('contiguous and clone', () => {
  it('contiguous copies only when needed', () => {
    const x = iota([3, 4]);
    expect(x.contiguous()).toBe(x);
    expect(contiguous(x.slice(0, 0, 2))).not.toBe(undefined);
    expect(x.slice(0, 0, 2).isContiguous()).toBe(true);
    expect(x.unsqueeze(1).isContiguous()).toBe(true);
    const t = x.T;
    const c = t.contiguous();
    expect(c).not.toBe(t);
    expect(c.isContiguous()).toBe(true);
    expect(c.strides).toEqual([3, 1]);
    expect(sharesBuffer(c, x)).toBe(false);
    expect(c.arraySync()).toEqual(t.arraySync());
    const s = x.slice(1, 0, 4, 2);
    expect(s.isContiguous()).toBe(false);
    expect(s.contiguous().arraySync()).toEqual([
      [0, 2],
      [4, 6],
      [8, 10],
    ]);
  });

  it('clone always copies, keeping values and dtype', () => {
    const x = tensor([1, 2, 3]);
    const c = x.clone();
    expect(sharesBuffer(c, x)).toBe(false);
    expect(c.dtype).toBe('int32');
    expect(c.arraySync()).toEqual([1, 2, 3]);
    expect(tensor([true]).clone().arraySync()).toEqual([true]);
  });
});
