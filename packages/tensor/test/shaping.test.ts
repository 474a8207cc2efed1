import {
  arange,
  cat,
  chunk,
  flip,
  randn,
  repeat,
  roll,
  split,
  stack,
  tensor,
  tile,
  tril,
  triu,
  zeros,
} from '@tessera/tensor';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { iota, layouts, make, numel, type Ref, ravel, recordOps, toRef } from './shaping-ref.js';

// ---- float64 references --------------------------------------------------------------------

function refCat(rs: Ref[], d: number): Ref {
  const kept = rs.filter((r) => !(r.shape.length === 1 && r.shape[0] === 0));
  const shape = [...kept[0]!.shape];
  shape[d] = kept.reduce((a, r) => a + r.shape[d]!, 0);
  return make(shape, (idx) => {
    let p = idx[d]!;
    for (const r of kept) {
      if (p < r.shape[d]!) {
        const j = [...idx];
        j[d] = p;
        return r.data[ravel(j, r.shape)]!;
      }
      p -= r.shape[d]!;
    }
    throw new Error('unreachable');
  });
}

function refFlip(r: Ref, dims: number[]): Ref {
  return make(
    r.shape,
    (idx) =>
      r.data[
        ravel(
          idx.map((i, d) => (dims.includes(d) ? r.shape[d]! - 1 - i : i)),
          r.shape,
        )
      ]!,
  );
}

function refRepeat(r: Ref, reps: number[]): Ref {
  const lead = reps.length - r.shape.length;
  const sizes = [...new Array<number>(lead).fill(1), ...r.shape];
  return make(
    sizes.map((s, i) => s * reps[i]!),
    (idx) =>
      r.data[
        ravel(
          idx.slice(lead).map((v, k) => v % r.shape[k]!),
          r.shape,
        )
      ] ?? r.data[0]!,
  );
}

function refRoll(r: Ref, shifts: number[], dims: number[]): Ref {
  return make(r.shape, (idx) => {
    const j = [...idx];
    dims.forEach((d, k) => {
      const n = r.shape[d]!;
      j[d] = (((j[d]! - shifts[k]!) % n) + n) % n;
    });
    return r.data[ravel(j, r.shape)]!;
  });
}

function refTri(r: Ref, k: number, lower: boolean): Ref {
  const nd = r.shape.length;
  return make(r.shape, (idx) => {
    const diff = idx[nd - 1]! - idx[nd - 2]!;
    return (lower ? diff <= k : diff >= k) ? r.data[ravel(idx, r.shape)]! : 0;
  });
}

// ---- cat / stack ------------------------------------------------------------------------------

describe('cat', () => {
  it('hand-worked: rows and columns', () => {
    const a = tensor([
      [1, 2],
      [3, 4],
    ]);
    const b = tensor([[5, 6]]);
    expect(cat([a, b]).arraySync()).toEqual([
      [1, 2],
      [3, 4],
      [5, 6],
    ]);
    expect(cat([a, a.mul(10)], 1).arraySync()).toEqual([
      [1, 2, 10, 20],
      [3, 4, 30, 40],
    ]);
    expect(cat([a, tensor([[7], [8]])], -1).arraySync()).toEqual([
      [1, 2, 7],
      [3, 4, 8],
    ]);
  });

  it('matches the reference for every layout and dim', () => {
    const shapes = [
      [2, 3, 4],
      [2, 1, 4],
      [2, 2, 4],
    ];
    for (const [name, t0] of layouts(iota([2, 3, 4]))) {
      for (let d = 0; d < 3; d++) {
        const sa = [2, 3, 4];
        const sb = [2, 3, 4];
        sb[d] = shapes[1]![1]!;
        const ra = iota(sa);
        const rb = make(sb, (idx) => -ravel(idx, sb) - 0.5);
        const [, tb] = layouts(rb)[2]!; // stepped
        const got = cat([t0, tb], d);
        expect(toRef(got), `${name} dim ${d}`).toEqual(refCat([ra, rb], d));
      }
    }
  });

  it('reads broadcast (stride-0) inputs', () => {
    const a = tensor([1, 2, 3]).expand(2, 3);
    const got = cat([a, tensor([[9, 9, 9]])]);
    expect(got.arraySync()).toEqual([
      [1, 2, 3],
      [1, 2, 3],
      [9, 9, 9],
    ]);
  });

  it('promotes dtypes', () => {
    const r = cat([tensor([1, 2]), tensor([0.5])]);
    expect(r.dtype).toBe('float32');
    expect(r.arraySync()).toEqual([1, 2, 0.5]);
    expect(cat([tensor([true]), tensor([3])]).dtype).toBe('int32');
    expect(cat([tensor([1], { dtype: 'float64' }), tensor([2])]).dtype).toBe('float64');
  });

  it('skips 1-D empty tensors (legacy) and handles empty dims', () => {
    const a = tensor([[1, 2]]);
    expect(cat([zeros([0]), a, zeros([0])]).arraySync()).toEqual([[1, 2]]);
    expect(cat([zeros([0]), zeros([0])]).shape).toEqual([0]);
    expect(cat([zeros([0, 2]), a]).arraySync()).toEqual([[1, 2]]);
    expect(cat([zeros([2, 0]), zeros([2, 3])], 1).shape).toEqual([2, 3]);
    expect(cat([zeros([0, 3]), zeros([0, 3])]).shape).toEqual([0, 3]);
  });

  it('always returns a new tensor (even for one input)', () => {
    const a = tensor([1, 2]);
    const c = cat([a]);
    c.fill_(0);
    expect(a.arraySync()).toEqual([1, 2]);
  });

  it('errors name the shapes and the dim', () => {
    expect(() => cat([zeros([2, 3]), zeros([3, 3])], 1)).toThrow(
      'cat: sizes of tensors must match except in dim 1, but tensor 0 has shape [2,3] and tensor 1 has shape [3,3] (dim 0: 2 vs 3)',
    );
    expect(() => cat([zeros([2, 3]), zeros([3])])).toThrow(/cat: .*same number of dims.*\[2,3\].*\[3\]/);
    expect(() => cat([])).toThrow('cat: expected a non-empty array of tensors');
    expect(() => cat([tensor(1), tensor(2)])).toThrow(
      'cat: zero-dimensional tensor (at position 0) cannot be concatenated',
    );
    expect(() => cat([zeros([2]), zeros([2])], 1)).toThrow(/cat: dim 1 is out of range/);
    expect(() => cat([zeros([2]), 3 as never])).toThrow(/cat: tensor 1 must be a tensor/);
  });

  it('is recorded as cat with sizes (skipped inputs left out)', () => {
    const a = zeros([2, 3]);
    const b = zeros([2, 1]);
    const calls = recordOps(() => cat([a, zeros([0]), b], -1));
    const c = calls.find((x) => x.name === 'cat')!;
    expect(c.attrs).toEqual({ dim: 1, sizes: [3, 1] });
    expect(c.inputs).toHaveLength(2);
  });
});

describe('stack', () => {
  it('hand-worked', () => {
    const a = tensor([1, 2]);
    const b = tensor([3, 4]);
    expect(stack([a, b]).arraySync()).toEqual([
      [1, 2],
      [3, 4],
    ]);
    expect(stack([a, b], 1).arraySync()).toEqual([
      [1, 3],
      [2, 4],
    ]);
    expect(stack([a, b], -1).arraySync()).toEqual([
      [1, 3],
      [2, 4],
    ]);
    expect(stack([tensor(1), tensor(2)]).arraySync()).toEqual([1, 2]);
    expect(stack([zeros([0]), zeros([0])]).shape).toEqual([2, 0]);
  });

  it('non-contiguous inputs match the reference', () => {
    const r = iota([3, 2]);
    for (const [name, t] of layouts(r)) {
      const got = stack([t, t.neg()], 1);
      const ref = make([3, 2, 2], ([i, k, j]) => (k === 0 ? 1 : -1) * r.data[i! * 2 + j!]!);
      expect(toRef(got), name).toEqual(ref);
    }
  });

  it('errors', () => {
    expect(() => stack([zeros([2]), zeros([3])])).toThrow(
      'stack: expects each tensor to be equal size, but tensor 0 has shape [2] and tensor 1 has shape [3]',
    );
    expect(() => stack([zeros([2])], 2)).toThrow(/stack: dim 2 is out of range/);
    expect(() => stack([])).toThrow('stack: expected a non-empty array');
  });
});

// ---- split / chunk ----------------------------------------------------------------------------

describe('split and chunk', () => {
  it('split by size and by sizes', () => {
    const x = arange(7);
    expect(split(x, 3).map((t) => t.arraySync())).toEqual([[0, 1, 2], [3, 4, 5], [6]]);
    expect(x.split([2, 0, 5]).map((t) => t.arraySync())).toEqual([[0, 1], [], [2, 3, 4, 5, 6]]);
    const m = arange(6).reshape(2, 3);
    expect(split(m, 2, 1).map((t) => t.arraySync())).toEqual([
      [
        [0, 1],
        [3, 4],
      ],
      [[2], [5]],
    ]);
    expect(split(zeros([0]), 2).map((t) => t.shape)).toEqual([[0]]);
  });

  it('pieces are views', () => {
    const x = arange(4);
    const [a] = split(x, 2);
    a!.fill_(9);
    expect(x.arraySync()).toEqual([9, 9, 2, 3]);
  });

  it('chunk follows PyTorch (may return fewer pieces)', () => {
    expect(chunk(arange(5), 3).map((t) => t.arraySync())).toEqual([[0, 1], [2, 3], [4]]);
    expect(chunk(arange(6), 4).map((t) => t.arraySync())).toEqual([
      [0, 1],
      [2, 3],
      [4, 5],
    ]);
    expect(
      arange(2)
        .chunk(5)
        .map((t) => t.arraySync()),
    ).toEqual([[0], [1]]);
    expect(chunk(zeros([0, 2]), 3).map((t) => t.shape)).toEqual([
      [0, 2],
      [0, 2],
      [0, 2],
    ]);
  });

  it('errors', () => {
    expect(() => split(arange(4), [1, 2])).toThrow(
      'split: split sizes [1,2] sum to 3, but dim 0 has size 4 (shape [4])',
    );
    expect(() => split(arange(4), 0)).toThrow(/split: split size can only be 0/);
    expect(() => split(arange(4), -1)).toThrow('split: split size must be a non-negative integer, got -1');
    expect(() => split(tensor(1), 1)).toThrow(/split: expects at least a 1-dimensional tensor/);
    expect(() => chunk(arange(4), 0)).toThrow('chunk: chunks must be a positive integer, got 0');
  });
});

// ---- flip / repeat / tile / roll / tril / triu ------------------------------------------------

describe('flip', () => {
  it('hand-worked', () => {
    const m = tensor([
      [1, 2, 3],
      [4, 5, 6],
    ]);
    expect(flip(m, 0).arraySync()).toEqual([
      [4, 5, 6],
      [1, 2, 3],
    ]);
    expect(m.flip(-1).arraySync()).toEqual([
      [3, 2, 1],
      [6, 5, 4],
    ]);
    expect(m.flip([0, 1]).arraySync()).toEqual([
      [6, 5, 4],
      [3, 2, 1],
    ]);
    expect(flip(tensor(5), []).item()).toBe(5);
    expect(flip(zeros([0, 2]), 0).shape).toEqual([0, 2]);
  });

  it('matches the reference on every layout', () => {
    const r = iota([2, 3, 4]);
    for (const [name, t] of layouts(r, 'int32')) {
      for (const dims of [[0], [1, 2], [0, 2], [0, 1, 2]]) {
        const got = flip(t, dims);
        expect(got.isContiguous()).toBe(true);
        expect(toRef(got), `${name} ${dims}`).toEqual(refFlip(r, dims));
      }
    }
  });

  it('is recorded with sorted, non-negative dims; errors on repeated dims', () => {
    const calls = recordOps(() => flip(zeros([2, 3]), [-1, 0]));
    expect(calls.map((c) => [c.name, c.attrs])).toEqual([['flip', { dims: [0, 1] }]]);
    expect(() => flip(zeros([2, 3]), [1, -1])).toThrow(/flip: dim 1 appears more than once/);
    expect(() => flip(zeros([2, 3]), 2)).toThrow(/flip: dim 2 is out of range/);
  });
});

describe('repeat and tile', () => {
  it('hand-worked', () => {
    const x = tensor([1, 2, 3]);
    expect(repeat(x, [2]).arraySync()).toEqual([1, 2, 3, 1, 2, 3]);
    expect(x.repeat(2, 2).arraySync()).toEqual([
      [1, 2, 3, 1, 2, 3],
      [1, 2, 3, 1, 2, 3],
    ]);
    expect(x.repeat(2, 1, 1).shape).toEqual([2, 1, 3]);
    expect(tensor(7).repeat(3).arraySync()).toEqual([7, 7, 7]);
    expect(x.repeat(0).shape).toEqual([0]);
  });

  it('matches the reference on every layout', () => {
    const r = iota([2, 3]);
    for (const [name, t] of layouts(r)) {
      for (const reps of [
        [1, 1],
        [2, 3],
        [3, 1, 2],
        [1, 0],
      ]) {
        expect(toRef(repeat(t, reps)), `${name} ${reps}`).toEqual(refRepeat(r, reps));
      }
    }
  });

  it('always copies', () => {
    const x = tensor([[1, 2]]);
    const r = x.repeat(1, 1);
    r.fill_(0);
    expect(x.arraySync()).toEqual([[1, 2]]);
    const y = tensor([5]);
    const s = y.repeat(3);
    s.fill_(0);
    expect(y.arraySync()).toEqual([5]);
  });

  it('tile pads reps with leading ones (NumPy)', () => {
    const m = tensor([
      [1, 2],
      [3, 4],
    ]);
    expect(tile(m, [2]).arraySync()).toEqual([
      [1, 2, 1, 2],
      [3, 4, 3, 4],
    ]);
    expect(m.tile(2, 1).arraySync()).toEqual([
      [1, 2],
      [3, 4],
      [1, 2],
      [3, 4],
    ]);
    expect(tile(tensor([1, 2]), [2, 2]).arraySync()).toEqual([
      [1, 2, 1, 2],
      [1, 2, 1, 2],
    ]);
  });

  it('errors', () => {
    expect(() => repeat(zeros([2, 3]), [2])).toThrow(
      /repeat: number of repeats \(1, \[2\]\) can not be smaller .*\(2, shape \[2,3\]\)/,
    );
    expect(() => repeat(zeros([2]), [-1])).toThrow(
      'repeat: each repeat must be a non-negative integer, got -1',
    );
    expect(() => tile(zeros([2]), [1.5])).toThrow('tile: each rep must be a non-negative integer, got 1.5');
  });
});

describe('roll', () => {
  it('hand-worked', () => {
    const x = arange(5);
    expect(roll(x, 2).arraySync()).toEqual([3, 4, 0, 1, 2]);
    expect(roll(x, -1).arraySync()).toEqual([1, 2, 3, 4, 0]);
    expect(roll(x, 7).arraySync()).toEqual([3, 4, 0, 1, 2]);
    const m = arange(6).reshape(2, 3);
    expect(m.roll(1).arraySync()).toEqual([
      [5, 0, 1],
      [2, 3, 4],
    ]);
    expect(m.roll(1, 1).arraySync()).toEqual([
      [2, 0, 1],
      [5, 3, 4],
    ]);
    expect(m.roll([1, 1], [0, 1]).arraySync()).toEqual([
      [5, 3, 4],
      [2, 0, 1],
    ]);
    expect(roll(tensor(3), 1).item()).toBe(3);
    expect(roll(zeros([0, 2]), 1, 0).shape).toEqual([0, 2]);
  });

  it('matches the reference on every layout', () => {
    const r = iota([3, 4]);
    for (const [name, t] of layouts(r)) {
      expect(toRef(roll(t, [1, -3], [0, 1])), name).toEqual(refRoll(r, [1, -3], [0, 1]));
      const flat = refRoll({ shape: [12], data: r.data }, [5], [0]);
      expect(toRef(roll(t, 5)).data, name).toEqual(flat.data);
    }
  });

  it('returns a copy even for a zero shift', () => {
    const x = arange(3);
    roll(x, 3).fill_(0);
    expect(x.arraySync()).toEqual([0, 1, 2]);
  });

  it('errors', () => {
    expect(() => roll(arange(3), [1, 2])).toThrow(
      'roll: without dims, shifts must be a single number, got [1,2]',
    );
    expect(() => roll(arange(6).reshape(2, 3), [1, 2], [0])).toThrow(
      'roll: shifts and dims must have the same length, got shifts [1,2] and dims [0]',
    );
    expect(() => roll(arange(3), 1, 1)).toThrow(/roll: dim 1 is out of range/);
  });
});

describe('tril and triu', () => {
  it('hand-worked', () => {
    const m = tensor([
      [1, 2, 3],
      [4, 5, 6],
      [7, 8, 9],
    ]);
    expect(tril(m).arraySync()).toEqual([
      [1, 0, 0],
      [4, 5, 0],
      [7, 8, 9],
    ]);
    expect(triu(m).arraySync()).toEqual([
      [1, 2, 3],
      [0, 5, 6],
      [0, 0, 9],
    ]);
    expect(m.tril(-1).arraySync()).toEqual([
      [0, 0, 0],
      [4, 0, 0],
      [7, 8, 0],
    ]);
    expect(m.triu(1).arraySync()).toEqual([
      [0, 2, 3],
      [0, 0, 6],
      [0, 0, 0],
    ]);
    expect(
      tensor([
        [true, true],
        [true, true],
      ])
        .tril()
        .arraySync(),
    ).toEqual([
      [true, false],
      [true, true],
    ]);
    expect(tril(m).dtype).toBe('int32');
  });

  it('batched, rectangular, non-contiguous match the reference', () => {
    const r = iota([2, 3, 4]);
    for (const [name, t] of layouts(r)) {
      for (const k of [-2, 0, 1, 5]) {
        expect(toRef(tril(t, k)), `${name} tril ${k}`).toEqual(refTri(r, k, true));
        expect(toRef(triu(t, k)), `${name} triu ${k}`).toEqual(refTri(r, k, false));
      }
    }
  });

  it('errors', () => {
    expect(() => tril(zeros([3]))).toThrow('tril: input tensor must have at least 2 dims, got shape [3]');
    expect(() => triu(zeros([2, 2]), 0.5)).toThrow('triu: diagonal must be an integer, got 0.5');
  });
});

// ---- properties -------------------------------------------------------------------------------

const smallShape = fc.array(fc.integer({ min: 0, max: 4 }), { minLength: 1, maxLength: 3 });

describe('properties', () => {
  it('split then cat is the identity', () => {
    fc.assert(
      fc.property(smallShape, fc.nat(), fc.integer({ min: 1, max: 5 }), (shape, dseed, size) => {
        const d = dseed % shape.length;
        const x = randn(shape);
        const back = cat(split(x, size, d), d);
        expect(toRef(back)).toEqual(toRef(x));
      }),
      { numRuns: 60 },
    );
  });

  it('flip twice is the identity', () => {
    fc.assert(
      fc.property(smallShape, fc.array(fc.nat(), { maxLength: 3 }), (shape, ds) => {
        const dims = [...new Set(ds.map((d) => d % shape.length))];
        const x = randn(shape);
        expect(toRef(flip(flip(x, dims), dims))).toEqual(toRef(x));
      }),
      { numRuns: 60 },
    );
  });

  it('roll by n then -n is the identity (with and without dims)', () => {
    fc.assert(
      fc.property(smallShape, fc.integer({ min: -20, max: 20 }), fc.nat(), (shape, n, dseed) => {
        const x = randn(shape);
        expect(toRef(roll(roll(x, n), -n))).toEqual(toRef(x));
        const d = dseed % shape.length;
        expect(toRef(roll(roll(x, n, d), -n, d))).toEqual(toRef(x));
        expect(numel(x.shape)).toBe(numel(shape));
      }),
      { numRuns: 60 },
    );
  });
});
