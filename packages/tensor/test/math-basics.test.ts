import {
  addcdiv,
  allclose,
  allcloseAsync,
  asin,
  atanh,
  clamp,
  clip,
  cross,
  diag,
  diff,
  isclose,
  isinf,
  isneginf,
  isposinf,
  lerp,
  log10,
  median,
  movedim,
  nonzero,
  nonzeroAsync,
  scatter,
  scatterAdd,
  scatterReduce,
  tensor,
  trace,
  unbind,
  unique,
  uniqueAsync,
  zeros,
} from '@tessera/tensor';
import { describe, expect, it } from 'vitest';

// Hand-worked cases, edge cases and every error of the ops added for issue #19. Values and
// gradients against PyTorch are in packages/train/test/torch-reference.test.ts.

const I = (v: number[][] | number[]) => tensor(v, { dtype: 'int32' });
const f32 = (v: number | number[] | number[][]) => tensor(v, { dtype: 'float32' });

describe('unary math', () => {
  it('specials: domains, infinities, integer inputs', () => {
    expect(asin(tensor([2, -1], { dtype: 'float64' })).arraySync()).toEqual([Number.NaN, -Math.PI / 2]);
    expect(atanh(f32([1, -1, 0])).arraySync()).toEqual([Infinity, -Infinity, 0]);
    expect(log10(tensor([1000, 0.001], { dtype: 'float64' })).arraySync()).toEqual([3, -3]);
    const li = log10(I([100]));
    expect([li.dtype, li.arraySync()]).toEqual(['float32', [2]]);
    const x = f32([1, Infinity, -Infinity, Number.NaN]);
    expect(isinf(x).arraySync()).toEqual([false, true, true, false]);
    expect(isposinf(x).arraySync()).toEqual([false, true, false, false]);
    expect(isneginf(x).arraySync()).toEqual([false, false, true, false]);
    expect(isinf(I([1, 2])).arraySync()).toEqual([false, false]);
    expect(x.isinf().dtype).toBe('bool');
    expect(f32([0.5]).asin().sinh().cosh().atan().item()).toBeCloseTo(
      Math.atan(Math.cosh(Math.sinh(Math.asin(0.5)))),
      6,
    );
  });
});

describe('isclose / allclose', () => {
  it('tolerances, infinities, NaN', () => {
    const a = f32([1, Infinity, Number.NaN, 1]);
    const b = f32([1 + 1e-7, Infinity, Number.NaN, 1.1]);
    expect(isclose(a, b).arraySync()).toEqual([true, true, false, false]);
    expect(isclose(a, b, { equalNan: true, rtol: 0.2 }).arraySync()).toEqual([true, true, true, true]);
    expect(a.isclose(b, { rtol: 0, atol: 0 }).arraySync()).toEqual([false, true, false, false]);
    expect(isclose(I([3, 5]), I([3, 6]), { atol: 1 }).arraySync()).toEqual([true, true]);
    // Beyond 2^24 float32 cannot tell these apart; the comparison must still be exact.
    expect(
      isclose(I([16777217, -2147483647]), I([16777216, 2147483647]), { atol: 0.5, rtol: 0 }).arraySync(),
    ).toEqual([false, false]);
    expect(allclose(f32([1, 2]), f32([1, 2 + 1e-6]))).toBe(true);
    expect(f32([1, 2]).allclose(f32([1, 2.1]))).toBe(false);
  });
  it('allcloseAsync', async () => {
    expect(await allcloseAsync(f32([1]), f32([1.5]), { atol: 1 })).toBe(true);
  });
  it('errors', () => {
    expect(() => isclose(f32([1]), tensor([1], { dtype: 'float64' }))).toThrow(
      'isclose: the inputs must have the same dtype, got float32 and float64',
    );
    expect(() => isclose(f32([1]), f32([1]), { rtol: -1 })).toThrow(
      'isclose: rtol must be a number >= 0, got number -1',
    );
    expect(() => isclose(f32([1]), f32([1]), { equal_nan: true } as never)).toThrow(
      "isclose: unknown option 'equal_nan', did you mean 'equalNan'?",
    );
    expect(() => allclose(f32([1]), f32([1]), { rtl: 0.1 } as never)).toThrow(
      "allclose: unknown option 'rtl', did you mean 'rtol'?",
    );
    expect(() => isclose(f32([1]), f32([1]), { equalNan: 1 } as never)).toThrow(
      "isclose: option 'equalNan' must be a boolean, got 1",
    );
    expect(() => allclose(f32([1, 2]), f32([1, 2, 3]))).toThrow(/isclose/);
  });
});

describe('lerp, addcmul, addcdiv, clip', () => {
  it('lerp reaches end exactly at weight 1, and takes tensor weights', () => {
    const s = f32([0.1, -3]);
    const e = f32([0.7, 5]);
    expect(lerp(s, e, 1).arraySync()).toEqual(e.arraySync());
    expect(s.lerp(e, f32([0, 1])).arraySync()).toEqual([Math.fround(0.1), 5]);
    expect(() => lerp(s, tensor([1, 2], { dtype: 'float64' }), 0.5)).toThrow(
      'lerp: the input (float32) and end (float64) must have the same dtype',
    );
    expect(() => lerp(I([1]), I([2]), 0.5)).toThrow('lerp: expected floating-point inputs, got int32');
  });
  it('addcmul / addcdiv', () => {
    expect(
      f32([1, 2])
        .addcmul(f32([2, 3]), f32([4]), 0.5)
        .arraySync(),
    ).toEqual([5, 8]);
    expect(addcdiv(f32([1]), f32([3]), f32([2]), 2).arraySync()).toEqual([4]);
    expect(() => addcdiv(f32([1]), I([3]), I([2]))).toThrow(
      /addcdiv: integer division of tensors is not supported/,
    );
    expect(() =>
      f32([1])
        .addcmul(I([3]), I([2]), 0.5)
        .arraySync(),
    ).not.toThrow();
    expect(() => I([1]).addcmul(I([3]), I([2]), 0.5)).toThrow(
      'addcmul: value must be an integer for int32 inputs, got 0.5',
    );
  });
  it('clip is clamp; tensor bounds broadcast, propagate NaN, min > max gives max', () => {
    expect(clip(f32([-2, 0, 2]), -1, 1).arraySync()).toEqual([-1, 0, 1]);
    const x = f32([-2, 0, 2, 5]);
    expect(clamp(x, f32([-1, 1, Number.NaN, 0]), f32([3])).arraySync()).toEqual([-1, 1, Number.NaN, 3]);
    expect(x.clip(f32([2]), f32([1])).arraySync()).toEqual([1, 1, 1, 1]);
    expect(clamp(I([1, 9]), I([2]), null).arraySync()).toEqual([2, 9]);
    expect(clamp(I([1, 9]), f32([2.5])).dtype).toBe('float32');
    expect(() => clamp(x, f32([1, 2]))).toThrow(/broadcast/);
    const y = f32([-2, 0, 2, 5]);
    expect(y.clamp_(f32([-1]), f32([1, 1, 1, 4])).arraySync()).toEqual([-1, 0, 1, 4]);
    expect(() => I([1, 2]).clamp_(f32([1.5]))).toThrow(
      "clamp_: result type float32 can't be cast to the int32 tensor being written in place",
    );
    expect(() => f32([1, 2]).clamp_(f32([[0], [1]]))).toThrow(/copy_|broadcast/);
    expect(() => clamp(x, f32([1]), 'a' as never)).toThrow(
      'clamp: max must be a number or a tensor, got string a',
    );
  });
});

describe('unbind, movedim, diff, trace, diag, cross', () => {
  it('unbind', () => {
    const parts = unbind(
      f32([
        [1, 2],
        [3, 4],
      ]),
      1,
    );
    expect(parts.map((p) => p.arraySync())).toEqual([
      [1, 3],
      [2, 4],
    ]);
    expect(() => unbind(f32(1))).toThrow('unbind: a 0-d tensor has no dim to unbind');
  });
  it('movedim', () => {
    const x = zeros(2, 3, 4);
    expect(movedim(x, 0, -1).shape).toEqual([3, 4, 2]);
    expect(x.movedim([0, 1], [2, 0]).shape).toEqual([3, 4, 2]);
    expect(() => movedim(x, [0, 1], [1])).toThrow('movedim: source (2 dims) and destination (1 dims)');
    expect(() => movedim(x, [0, 0], [1, 2])).toThrow('movedim: repeated dim in source [0, 0]');
    expect(() => movedim(x, 3, 0)).toThrow(/movedim/);
  });
  it('diff', () => {
    expect(diff(f32([1, 4, 9, 16])).arraySync()).toEqual([3, 5, 7]);
    expect(diff(f32([1, 4, 9, 16]), 2).arraySync()).toEqual([2, 2]);
    expect(diff(f32([1, 4]), 0).arraySync()).toEqual([1, 4]);
    expect(diff(f32([1, 2]), 5).arraySync()).toEqual([]);
    expect(diff(tensor([true, true, false])).arraySync()).toEqual([false, true]);
    expect(diff(I([1, 3]), 1, 0, I([0]), I([10])).arraySync()).toEqual([1, 2, 7]);
    expect(() => diff(f32(1))).toThrow('diff: expects input to be at least one-dimensional');
    expect(() => diff(f32([1]), -1)).toThrow('diff: n must be a non-negative integer, got -1');
    expect(() => diff(f32([1]), 1, 0, f32([[1]]))).toThrow('diff: prepend must have the same number of dims');
  });
  it('trace and diag', () => {
    expect(
      trace(
        f32([
          [1, 2, 3],
          [4, 5, 6],
        ]),
      ).item(),
    ).toBe(6);
    expect(() => trace(f32([1]))).toThrow('trace: expected a 2-D tensor, got shape [1]');
    expect(diag(f32([1, 2]), 1).arraySync()).toEqual([
      [0, 1, 0],
      [0, 0, 2],
      [0, 0, 0],
    ]);
    expect(
      f32([
        [1, 2],
        [3, 4],
      ])
        .diag(-1)
        .arraySync(),
    ).toEqual([3]);
    expect(diag(I([5])).dtype).toBe('int32');
    expect(() => diag(zeros(1, 1, 1))).toThrow('diag: expected a 1-D or 2-D tensor, got shape [1,1,1]');
  });
  it('cross', () => {
    expect(cross(f32([1, 0, 0]), f32([0, 1, 0])).arraySync()).toEqual([0, 0, 1]);
    expect(cross(I([[1, 2, 3]]), I([[4, 5, 6]])).arraySync()).toEqual([[-3, 6, -3]]);
    expect(() => cross(zeros(2), zeros(2))).toThrow('cross: dim -1 must have size 3 in both inputs');
    expect(() => cross(zeros(3), zeros(1, 3))).toThrow('cross: inputs must have the same number of dims');
  });
});

describe('median, nonzero, unique', () => {
  it('median: lower median, NaN propagates, dims, empty', () => {
    expect(median(f32([4, 1, 3, 2])).item()).toBe(2);
    expect(median(f32([4, Number.NaN, 3])).item()).toBeNaN();
    const r = median(
      f32([
        [5, 1, 3],
        [Number.NaN, 0, Number.NaN],
      ]),
      1,
    );
    expect([r.values.arraySync(), r.indices.arraySync()]).toEqual([
      [3, Number.NaN],
      [2, 0],
    ]);
    expect(
      median(
        I([
          [7, 1],
          [3, 3],
        ]),
        0,
        true,
      ).values.arraySync(),
    ).toEqual([[3, 1]]);
    expect(f32(2).median(0).values.arraySync()).toBe(2);
    expect(median(zeros(0)).item()).toBeNaN();
    expect(() => median(zeros(2, 0), 1)).toThrow('median: dim 1 of the input (shape [2,0]) has size 0');
    expect(() => median(tensor([true]))).toThrow('median: bool tensors are not supported');
  });
  it('nonzero', async () => {
    const x = f32([
      [0, 2],
      [Number.NaN, 0],
    ]);
    expect(nonzero(x).arraySync()).toEqual([
      [0, 1],
      [1, 0],
    ]);
    expect((await nonzeroAsync(x)).arraySync()).toEqual([
      [0, 1],
      [1, 0],
    ]);
    expect(nonzero(f32(0)).shape).toEqual([0, 0]);
    expect(tensor([false, true]).nonzero().arraySync()).toEqual([[1]]);
  });
  it('unique', async () => {
    const x = f32([3, 1, Number.NaN, 3, Number.NaN]);
    expect(unique(x).arraySync()).toEqual([1, 3, Number.NaN, Number.NaN]);
    const r = unique(
      I([
        [2, 1],
        [2, 5],
      ]),
      { returnInverse: true, returnCounts: true },
    );
    expect(r.values.arraySync()).toEqual([1, 2, 5]);
    expect(r.inverse!.arraySync()).toEqual([
      [1, 0],
      [1, 2],
    ]);
    expect(r.counts!.arraySync()).toEqual([1, 2, 1]);
    expect((await uniqueAsync(I([2, 2]))).arraySync()).toEqual([2]);
    expect(I([4, 4]).unique({ returnCounts: true }).counts!.arraySync()).toEqual([2]);
    expect(() => unique(x, { return_counts: true } as never)).toThrow(
      "unique: unknown option 'return_counts', did you mean 'returnCounts'?",
    );
    expect(() => unique(x, { sorted: 1 } as never)).toThrow(
      "unique: option 'sorted' must be a boolean, got 1",
    );
    await expect(uniqueAsync(x, { dims: 0 } as never)).rejects.toThrow(
      "uniqueAsync: unknown option 'dims', did you mean 'dim'?",
    );
    const rows = unique(
      I([
        [3, 1],
        [0, 2],
        [3, 1],
      ]),
      { dim: 0, returnInverse: true, returnCounts: true },
    );
    expect([rows.values.arraySync(), rows.inverse!.arraySync(), rows.counts!.arraySync()]).toEqual([
      [
        [0, 2],
        [3, 1],
      ],
      [1, 0, 1],
      [1, 2],
    ]);
    expect(() => unique(I([1]), { dim: 1 })).toThrow(/unique/);
  });
});

describe('scatterReduce and scatter with reduce', () => {
  const x = f32([[1, 2, 3]]);
  const index = I([[0, 0, 2]]);
  const src = f32([[5, -1, 7]]);
  it('every reduction, with and without self', () => {
    const run = (reduce: 'sum' | 'prod' | 'mean' | 'amax' | 'amin', includeSelf: boolean) =>
      scatterReduce(x, 1, index, src, reduce, { includeSelf }).arraySync();
    expect(run('sum', true)).toEqual([[5, 2, 10]]);
    expect(run('sum', false)).toEqual([[4, 2, 7]]);
    expect(run('prod', true)).toEqual([[-5, 2, 21]]);
    expect(run('mean', true)).toEqual([[Math.fround(5 / 3), 2, 5]]);
    expect(run('mean', false)).toEqual([[2, 2, 7]]);
    expect(run('amax', true)).toEqual([[5, 2, 7]]);
    expect(run('amin', false)).toEqual([[-1, 2, 7]]);
    expect(x.scatterReduce(1, index, src, 'amin').arraySync()).toEqual([[-1, 2, 3]]);
  });
  it("scatter's reduce option", () => {
    expect(scatter(x, 1, index, src, { reduce: 'add' }).arraySync()).toEqual(
      scatterAdd(x, 1, index, src).arraySync(),
    );
    expect(x.scatter(1, index, 2, { reduce: 'multiply' }).arraySync()).toEqual([[4, 2, 6]]);
    expect(scatter(x, 1, index, src, {}).arraySync()).toEqual(scatter(x, 1, index, src).arraySync());
  });
  it('errors', () => {
    expect(() => scatterReduce(x, 1, index, src, 'max' as never)).toThrow(
      "scatterReduce: reduce must be 'sum', 'prod', 'mean', 'amax' or 'amin', got string max",
    );
    // An index error from an internal kernel names the op the user called, then the internal op.
    expect(() => scatterReduce(x, 1, I([[3]]), src, 'amax')).toThrow(
      /^scatterReduce: index 3 is out of range for dim 1 of size 3 \(valid range 0\.\.2\) in its internal scatterAdd \(x \[1,3\], index \[1,1\], src \[1,\d\]\)$/,
    );
    expect(() => scatterReduce(x, 1, index, src, 'sum', { include_self: false } as never)).toThrow(
      "scatterReduce: unknown option 'include_self', did you mean 'includeSelf'?",
    );
    expect(() => scatterReduce(x, 1, index, tensor([[1, 2, 3]], { dtype: 'float64' }), 'sum')).toThrow(
      /dtype/,
    );
    expect(() => scatterReduce(tensor([true]), 0, I([0]), tensor([true]), 'sum')).toThrow(
      'scatterReduce: bool tensors are not supported',
    );
  });
});
