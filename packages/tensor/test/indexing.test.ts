import {
  arange,
  CpuBackend,
  gather,
  indexAdd,
  indexSelect,
  scatter,
  scatterAdd,
  tensor,
  zeros,
} from '@tessera/tensor';
import { describe, expect, it } from 'vitest';
import { iota, layouts, lcg, make, type Ref, ravel, recordOps, toRef, unravel } from './shaping-ref.js';

// ---- float64 references --------------------------------------------------------------------

function refGather(x: Ref, d: number, index: Ref): Ref {
  return make(index.shape, (idx) => {
    const j = [...idx];
    j[d] = index.data[ravel(idx, index.shape)]!;
    return x.data[ravel(j, x.shape)]!;
  });
}

function refScatter(x: Ref, d: number, index: Ref, src: Ref, add: boolean): Ref {
  const data = [...x.data];
  for (let p = 0; p < index.data.length; p++) {
    const idx = unravel(p, index.shape);
    const j = [...idx];
    j[d] = index.data[p]!;
    const v = src.data[ravel(idx, src.shape)]!;
    const q = ravel(j, x.shape);
    data[q] = add ? data[q]! + v : v;
  }
  return { shape: [...x.shape], data };
}

function refIndexSelect(x: Ref, d: number, index: number[]): Ref {
  const shape = [...x.shape];
  shape[d] = index.length;
  return make(shape, (idx) => {
    const j = [...idx];
    j[d] = index[idx[d]!]!;
    return x.data[ravel(j, x.shape)]!;
  });
}

function refIndexAdd(x: Ref, d: number, index: number[], src: Ref, alpha: number): Ref {
  const data = [...x.data];
  for (let p = 0; p < src.data.length; p++) {
    const idx = unravel(p, src.shape);
    idx[d] = index[idx[d]!]!;
    const q = ravel(idx, x.shape);
    data[q] = data[q]! + alpha * src.data[p]!;
  }
  return { shape: [...x.shape], data };
}

/** Random int32 index reference with values in [0, hi). */
function randIndex(shape: number[], hi: number, seed: number): Ref {
  const r = lcg(seed);
  return make(shape, () => r(0, hi));
}

// ---- gather --------------------------------------------------------------------------------

describe('gather', () => {
  it('hand-worked', () => {
    const x = tensor([
      [1, 2],
      [3, 4],
    ]);
    expect(
      gather(
        x,
        1,
        tensor([
          [0, 0],
          [1, 0],
        ]),
      ).arraySync(),
    ).toEqual([
      [1, 1],
      [4, 3],
    ]);
    expect(x.gather(0, tensor([[1, 0]])).arraySync()).toEqual([[3, 2]]);
    expect(gather(tensor([5, 6, 7]), 0, tensor([2, 2, 0, 1])).arraySync()).toEqual([7, 7, 5, 6]);
    expect(gather(tensor(5), 0, tensor(0)).item()).toBe(5);
    expect(gather(zeros([2, 3]), 1, tensor([[], []], { dtype: 'int32' })).shape).toEqual([2, 0]);
  });

  it('matches the reference for every layout of x and index, every dim', () => {
    const x = iota([3, 4, 5]);
    for (const [xn, xt] of layouts(x)) {
      for (let d = 0; d < 3; d++) {
        const ishape = [2, 3, 4];
        const index = randIndex(ishape, x.shape[d]!, 7 + d);
        for (const [iname, it] of layouts(index, 'int32')) {
          expect(toRef(gather(xt, d, it)), `${xn}/${iname} dim ${d}`).toEqual(refGather(x, d, index));
        }
      }
    }
  });

  it('reads a broadcast index and a broadcast input', () => {
    const idx = tensor([[2], [0]]).expand(2, 3);
    expect(gather(arange(12).reshape(4, 3), 0, idx).arraySync()).toEqual([
      [6, 7, 8],
      [0, 1, 2],
    ]);
    const x = tensor([1, 2, 3]).expand(2, 3);
    expect(
      gather(
        x,
        1,
        tensor([
          [2, 1],
          [0, 0],
        ]),
      ).arraySync(),
    ).toEqual([
      [3, 2],
      [1, 1],
    ]);
  });

  it('errors: out-of-range value with the valid range, dtype, shape', () => {
    const x = zeros([2, 3]);
    expect(() => gather(x, 1, tensor([[0, 3]]))).toThrow(
      'gather: index 3 is out of range for dim 1 of size 3 (valid range 0..2)',
    );
    expect(() => gather(x, 0, tensor([[-1]]))).toThrow(
      'gather: index -1 is out of range for dim 0 of size 2 (valid range 0..1)',
    );
    expect(() => gather(zeros([2, 0]), 1, tensor([[0]]))).toThrow(
      'gather: index 0 is out of range for dim 1 of size 0 (valid range none: the dim is empty)',
    );
    expect(() => gather(x, 1, tensor([[0.0, 1.5]]))).toThrow(
      'gather: index must be an int32 tensor, got float32',
    );
    expect(() => gather(x, 1, tensor([0, 1]))).toThrow(
      'gather: index of shape [2] must have as many dims as the input of shape [2,3]',
    );
    expect(() => gather(x, 1, tensor([[0], [0], [0]]))).toThrow(
      'gather: index of shape [3,1] is larger than the input of shape [2,3] in dim 0 (3 > 2)',
    );
    expect(() => gather(x, 2, tensor([[0]]))).toThrow(/gather: dim 2 is out of range/);
  });
});

// ---- scatter / scatterAdd ----------------------------------------------------------------------

describe('scatter and scatterAdd', () => {
  it('hand-worked', () => {
    const x = zeros([2, 3]);
    const src = tensor([
      [1, 2, 3],
      [4, 5, 6],
    ]).float();
    expect(
      scatter(
        x,
        1,
        tensor([
          [2, 0],
          [1, 1],
        ]),
        src,
      ).arraySync(),
    ).toEqual([
      [2, 0, 1],
      [0, 5, 0],
    ]);
    expect(x.scatter(0, tensor([[1, 0, 1]]), 7).arraySync()).toEqual([
      [0, 7, 0],
      [7, 0, 7],
    ]);
    expect(
      scatterAdd(
        x,
        1,
        tensor([
          [0, 0, 0],
          [2, 1, 2],
        ]),
        src,
      ).arraySync(),
    ).toEqual([
      [6, 0, 0],
      [0, 5, 10],
    ]);
    expect(x.arraySync()).toEqual([
      [0, 0, 0],
      [0, 0, 0],
    ]);
    expect(scatter(tensor([1, 2]), 0, tensor([0]), 9).arraySync()).toEqual([9, 2]);
    expect(scatter(tensor([true, false]), 0, tensor([1]), true).arraySync()).toEqual([true, true]);
    expect(scatter(tensor([1, 2]), 0, tensor([], { dtype: 'int32' }), 9).arraySync()).toEqual([1, 2]);
  });

  it('matches the reference for every layout of x, index and src', () => {
    const x = iota([3, 4]);
    const src = make([3, 4], (idx) => -10 - ravel(idx, [3, 4]));
    for (let d = 0; d < 2; d++) {
      const index = randIndex([2, 3], x.shape[d]!, 3 + d);
      const lx = layouts(x);
      const li = layouts(index, 'int32');
      const ls = layouts(src);
      for (let k = 0; k < 4; k++) {
        const [xn, xt] = lx[k]!;
        const [iname, it] = li[(k + 1) % 4]!;
        const [sn, st] = ls[(k + 2) % 4]!;
        const tag = `${xn}/${iname}/${sn} dim ${d}`;
        expect(toRef(scatterAdd(xt, d, it, st)), tag).toEqual(refScatter(x, d, index, src, true));
        // assign: make indices unique per slice so the result does not depend on write order
        const uniq = make([2, 3], (idx) => (d === 0 ? idx[0]! + (idx[1]! % 2) : (idx[1]! + idx[0]!) % 4));
        const ut = layouts(uniq, 'int32')[k]![1];
        expect(toRef(scatter(xt, d, ut, st)), tag).toEqual(refScatter(x, d, uniq, src, false));
      }
    }
  });

  it('scatter with repeated indices: the last write wins on the CPU backend', () => {
    expect(scatter(zeros([3]), 0, tensor([1, 1]), tensor([5, 6]).float()).arraySync()).toEqual([0, 6, 0]);
  });

  it('errors', () => {
    const x = zeros([2, 3]);
    expect(() => scatter(x, 1, tensor([[3]]), 1)).toThrow(
      'scatter: index 3 is out of range for dim 1 of size 3 (valid range 0..2)',
    );
    expect(() => scatterAdd(x, 0, tensor([[-2]]), zeros([1, 1]))).toThrow(
      'scatterAdd: index -2 is out of range for dim 0 of size 2 (valid range 0..1)',
    );
    expect(() => scatter(x, 0, tensor([[true]]), 1)).toThrow(
      'scatter: index must be an int32 tensor, got bool',
    );
    expect(() => scatter(x, 0, tensor([[0]]), tensor([[1]]))).toThrow(
      "scatter: src dtype int32 must equal the input's dtype float32",
    );
    expect(() => scatter(x, 0, tensor([[0, 0]]), zeros([1, 1]))).toThrow(
      'scatter: index of shape [1,2] is larger than src of shape [1,1] in dim 1 (2 > 1)',
    );
    expect(() => scatter(x, 0, tensor([[0, 0, 0, 0]]), 1)).toThrow(
      'scatter: index of shape [1,4] is larger than the input of shape [2,3] in dim 1 (4 > 3)',
    );
    expect(() => scatterAdd(x, 0, tensor([[0]]), 1 as never)).toThrow(
      'scatterAdd: src must be a tensor, got number 1',
    );
    expect(() => scatterAdd(tensor([true]), 0, tensor([0]), tensor([true]))).toThrow(
      'scatterAdd: bool tensors are not supported',
    );
  });
});

// ---- indexSelect / indexAdd ------------------------------------------------------------------

describe('indexSelect', () => {
  it('hand-worked', () => {
    const x = tensor([
      [1, 2, 3],
      [4, 5, 6],
    ]);
    expect(indexSelect(x, 0, tensor([1, 1, 0])).arraySync()).toEqual([
      [4, 5, 6],
      [4, 5, 6],
      [1, 2, 3],
    ]);
    expect(x.indexSelect(1, tensor([2, 0])).arraySync()).toEqual([
      [3, 1],
      [6, 4],
    ]);
    expect(x.indexSelect(-1, tensor(1)).arraySync()).toEqual([[2], [5]]);
    expect(indexSelect(x, 1, tensor([], { dtype: 'int32' })).shape).toEqual([2, 0]);
    expect(indexSelect(tensor(3), 0, tensor([0])).item()).toBe(3);
  });

  it('matches the reference on every layout, every dim', () => {
    const x = iota([3, 4, 2]);
    for (const [xn, xt] of layouts(x)) {
      for (let d = 0; d < 3; d++) {
        const index = randIndex([5], x.shape[d]!, 11 + d);
        for (const [iname, it] of layouts(index, 'int32')) {
          expect(toRef(indexSelect(xt, d, it)), `${xn}/${iname} ${d}`).toEqual(
            refIndexSelect(x, d, index.data),
          );
        }
      }
    }
  });

  it('errors: negative or too large indices name the value and range; wrong dtype; wrong rank', () => {
    const x = zeros([2, 3]);
    expect(() => indexSelect(x, 1, tensor([0, -1]))).toThrow(
      'indexSelect: index -1 is out of range for dim 1 of size 3 (valid range 0..2)',
    );
    expect(() => indexSelect(x, 0, tensor([2]))).toThrow(
      'indexSelect: index 2 is out of range for dim 0 of size 2 (valid range 0..1)',
    );
    expect(() => indexSelect(x, 0, tensor([0], { dtype: 'float32' }))).toThrow(
      'indexSelect: index must be an int32 tensor, got float32',
    );
    expect(() => indexSelect(x, 0, tensor([[0]]))).toThrow('indexSelect: index must be 1-D, got shape [1,1]');
    expect(() => indexSelect(tensor(1), 0, tensor([0, 0]))).toThrow(
      /indexSelect: index into a 0-d tensor must hold exactly 1 value/,
    );
  });
});

describe('indexAdd', () => {
  it('hand-worked (repeated indices accumulate, alpha scales)', () => {
    const x = zeros([3, 2]);
    const src = tensor([
      [1, 2],
      [3, 4],
      [5, 6],
    ]).float();
    expect(indexAdd(x, 0, tensor([0, 2, 0]), src).arraySync()).toEqual([
      [6, 8],
      [0, 0],
      [3, 4],
    ]);
    expect(
      x
        .indexAdd(
          1,
          tensor([1, 1]),
          tensor([
            [1, 1],
            [2, 2],
            [3, 3],
          ]).float(),
          -0.5,
        )
        .arraySync(),
    ).toEqual([
      [0, -1],
      [0, -2],
      [0, -3],
    ]);
    expect(indexAdd(tensor([1, 2]), 0, tensor([1]), tensor([5]), 2).arraySync()).toEqual([1, 12]);
    expect(x.arraySync()).toEqual([
      [0, 0],
      [0, 0],
      [0, 0],
    ]);
  });

  it('matches the reference on every layout', () => {
    const x = iota([3, 4]);
    const src = make([3, 5], (idx) => 0.5 * ravel(idx, [3, 5]) - 3);
    const index = randIndex([5], 4, 5);
    const lx = layouts(x, 'float64');
    const ls = layouts(src, 'float64');
    const li = layouts(index, 'int32');
    for (let k = 0; k < 4; k++) {
      const got = indexAdd(lx[k]![1], 1, li[(k + 1) % 4]![1], ls[(k + 3) % 4]![1], 1.5);
      expect(got.dtype).toBe('float64');
      expect(toRef(got), String(k)).toEqual(refIndexAdd(x, 1, index.data, src, 1.5));
    }
  });

  it('errors', () => {
    const x = zeros([3, 2]);
    expect(() => indexAdd(x, 0, tensor([3]), zeros([1, 2]))).toThrow(
      'indexAdd: index 3 is out of range for dim 0 of size 3 (valid range 0..2)',
    );
    expect(() => indexAdd(x, 0, tensor([0]), zeros([2, 2]))).toThrow(
      "indexAdd: source of shape [2,2] must have shape [1,2] (the input's [3,2] with dim 0 of the index's length 1)",
    );
    expect(() => indexAdd(x, 0, tensor([0]), zeros([1, 2], { dtype: 'float64' }))).toThrow(
      "indexAdd: source dtype float64 must equal the input's dtype float32",
    );
    expect(() => indexAdd(x, 0, tensor([0], { dtype: 'float32' }), zeros([1, 2]))).toThrow(
      'indexAdd: index must be an int32 tensor, got float32',
    );
    expect(() => indexAdd(tensor([1]), 0, tensor([0]), tensor([1]), 0.5)).toThrow(
      'indexAdd: alpha must be an integer for an int32 input, got 0.5',
    );
  });
});

// ---- recording ---------------------------------------------------------------------------------

describe('recorded ops', () => {
  it('name, inputs and attrs', () => {
    const x = zeros([2, 3]);
    const i2 = tensor([[0, 1]]);
    const i1 = tensor([1]);
    const calls = recordOps(() => {
      gather(x, -1, i2);
      scatter(x, -2, i2, 1);
      scatterAdd(x, 1, i2, zeros([1, 2]));
      indexSelect(x, -1, i1);
      indexAdd(x, 0, i1, zeros([1, 3]), 2);
    });
    const main = calls.filter((c) => c.name !== 'expand');
    expect(main.map((c) => [c.name, c.attrs, c.inputs.length])).toEqual([
      ['gather', { dim: 1 }, 2],
      ['scatter', { dim: 0 }, 3],
      ['scatterAdd', { dim: 1 }, 3],
      ['indexSelect', { dim: 1 }, 2],
      ['indexAdd', { dim: 0, alpha: 2 }, 3],
    ]);
    const sc = calls.find((c) => c.name === 'scatter')!;
    expect(sc.inputs[2]!.shape).toEqual([1, 2]);
  });
});

// ---- kernels directly: out views with a non-zero offset -----------------------------------------

describe('CPU index kernels', () => {
  const cpu = new CpuBackend();
  /** A view of `count` elements of `buf` starting at `offset` with the given shape. */
  const at = (buf: ReturnType<typeof zeros>, offset: number, shape: number[]) => ({
    ...buf.viewFor('test'),
    shape,
    strides: shape.map((_, i) => shape.slice(i + 1).reduce((a, b) => a * b, 1)),
    offset,
  });

  it('write into an out view at a non-zero offset and leave the rest alone', () => {
    const x = tensor([
      [1, 2, 3],
      [4, 5, 6],
    ]).float();
    const buf = zeros([10]).fill_(-1);
    cpu.gather(
      at(buf, 3, [2, 2]),
      x.viewFor('t'),
      1,
      tensor([
        [2, 0],
        [1, 1],
      ]).viewFor('t'),
    );
    expect(buf.arraySync()).toEqual([-1, -1, -1, 3, 1, 5, 5, -1, -1, -1]);
    buf.fill_(-1);
    cpu.indexSelect(at(buf, 2, [2, 2]), x.T.viewFor('t'), 0, tensor([2, 0]).viewFor('t'));
    expect(buf.arraySync()).toEqual([-1, -1, 3, 6, 1, 4, -1, -1, -1, -1]);
    buf.fill_(0);
    cpu.indexAdd(at(buf, 4, [3]), 0, tensor([2, 2]).viewFor('t'), tensor([1.5, 2]).viewFor('t'));
    expect(buf.arraySync()).toEqual([0, 0, 0, 0, 0, 0, 3.5, 0, 0, 0]);
    buf.fill_(0);
    cpu.scatter(at(buf, 1, [2, 2]), 0, tensor([[1, 0]]).viewFor('t'), x.viewFor('t'), 'add');
    expect(buf.arraySync()).toEqual([0, 0, 2, 1, 0, 0, 0, 0, 0, 0]);
  });
});
