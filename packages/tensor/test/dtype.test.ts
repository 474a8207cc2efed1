import {
  add,
  atan2,
  DTYPES,
  type DType,
  div,
  maximum,
  minimum,
  mul,
  pow,
  promoteTypes,
  remainder,
  sub,
  type Tensor,
  tensor,
  where,
  zeros,
} from '@tessera/tensor';
import { describe, expect, it } from 'vitest';

// Dtype promotion and casting, checked against PyTorch's rules (with int64 → int32 and the
// default float dtype float32).

const make = (dtype: DType, shape: number[] = [2]): Tensor => zeros(shape, { dtype });

describe('promoteTypes', () => {
  it('follows bool < int32 < float32 < float64 for every pair', () => {
    const order: DType[] = ['bool', 'int32', 'float32', 'float64'];
    for (const a of order) {
      for (const b of order) {
        const want = order[Math.max(order.indexOf(a), order.indexOf(b))];
        expect(promoteTypes(a, b)).toBe(want);
        expect(add(make(a), make(b)).dtype).toBe(want === 'bool' ? 'int32' : want);
      }
    }
    expect(DTYPES).toEqual(['float32', 'float64', 'int32', 'bool']);
  });
});

describe('tensor with scalar', () => {
  it('a JS number only raises the category, never the width', () => {
    expect(add(make('int32'), 2).dtype).toBe('int32');
    expect(add(make('int32'), 2.5).dtype).toBe('float32');
    expect(add(make('float64'), 2.5).dtype).toBe('float64');
    expect(add(make('float32'), 2).dtype).toBe('float32');
    expect(add(make('bool'), 2).dtype).toBe('int32');
    expect(add(make('bool'), 2.5).dtype).toBe('float32');
    expect(mul(3, make('int32')).dtype).toBe('int32');
    expect(add(make('int32'), true).dtype).toBe('int32');
    expect(add(make('float64'), true).dtype).toBe('float64');
  });

  it('computes scalar operands in the result dtype', () => {
    expect(add(tensor([1, 2]), 0.5).arraySync()).toEqual([1.5, 2.5]);
    expect(sub(10, tensor([1, 2])).arraySync()).toEqual([9, 8]);
    expect(add(tensor([true, false]), true).arraySync()).toEqual([2, 1]);
  });
});

describe('0-d tensors promote like scalars within a category', () => {
  it('do not widen a dimensioned tensor of the same category', () => {
    expect(add(make('float32'), zeros([], { dtype: 'float64' })).dtype).toBe('float32');
    expect(add(zeros([], { dtype: 'float64' }), make('float32')).dtype).toBe('float32');
    expect(add(make('int32'), zeros([], { dtype: 'bool' })).dtype).toBe('int32');
  });
  it('raise the category of a dimensioned tensor', () => {
    expect(add(make('int32'), zeros([], { dtype: 'float64' })).dtype).toBe('float64');
    expect(add(make('bool'), zeros([], { dtype: 'int32' })).dtype).toBe('int32');
    expect(add(make('bool'), zeros([], { dtype: 'float32' })).dtype).toBe('float32');
  });
  it('two 0-d tensors promote normally', () => {
    expect(add(zeros([], { dtype: 'float32' }), zeros([], { dtype: 'float64' })).dtype).toBe('float64');
  });
});

describe('division and comparisons', () => {
  it('true division of integers gives float32', () => {
    const q = div(tensor([7, -7]), tensor([2, 2]));
    expect(q.dtype).toBe('float32');
    expect(q.arraySync()).toEqual([3.5, -3.5]);
    expect(div(tensor([1, 2]), 4).arraySync()).toEqual([0.25, 0.5]);
    expect(div(tensor([true, false]), tensor([true, true])).dtype).toBe('float32');
    expect(div(make('float64'), 2).dtype).toBe('float64');
  });

  it('trunc and floor rounding keep integer dtypes, exactly', () => {
    const a = tensor([7, -7, 7, -7]);
    const b = tensor([2, 2, -2, -2]);
    const t = div(a, b, 'trunc');
    const f = div(a, b, 'floor');
    expect(t.dtype).toBe('int32');
    expect(t.arraySync()).toEqual([3, -3, -3, 3]);
    expect(f.dtype).toBe('int32');
    expect(f.arraySync()).toEqual([3, -4, -4, 3]);
    // Beyond 2^24 a float32 quotient would be off by one; the result is exact.
    expect(div(tensor([16777217, 2147483647]), 1, 'floor').arraySync()).toEqual([16777217, 2147483647]);
    expect(div(tensor([7.5, -7.5]), 2, 'floor').arraySync()).toEqual([3, -4]);
    expect(div(tensor([7.5, -7.5]), 2, 'trunc').arraySync()).toEqual([3, -3]);
  });

  it('integer trunc and floor division match exact arithmetic over signs, magnitudes and broadcasting', () => {
    const edge = [-2147483648, -2147483647, -16777217, -100, -7, -1, 0, 1, 6, 7, 16777217, 2147483647];
    const divisors = [-2147483648, -16777216, -7, -3, -2, -1, 1, 2, 3, 7, 16777216, 2147483647];
    const a = tensor(edge, { dtype: 'int32' }).reshape(-1, 1);
    const b = tensor(divisors, { dtype: 'int32' }).reshape(1, -1);
    const t = div(a, b, 'trunc').arraySync() as number[][];
    const f = div(a, b, 'floor').arraySync() as number[][];
    edge.forEach((x, i) => {
      divisors.forEach((y, j) => {
        // -2^31 / -1 overflows int32 and wraps to -2^31, as in C and WGSL.
        const wrap = (v: number) => v | 0;
        expect(t[i]![j], `${x} trunc/ ${y}`).toBe(wrap(Math.trunc(x / y)));
        expect(f[i]![j], `${x} floor/ ${y}`).toBe(wrap(Math.floor(x / y)));
      });
    });
  });

  it('comparisons give bool and compare in the promoted dtype', () => {
    const c = tensor([1, 2, 3]).lt(2.5);
    expect(c.dtype).toBe('bool');
    expect(c.arraySync()).toEqual([true, true, false]);
    expect(
      tensor([1, 2])
        .eq(tensor([1.0, 2.5]))
        .arraySync(),
    ).toEqual([true, false]);
    expect(tensor([true, false]).eq(1).arraySync()).toEqual([true, false]);
  });

  it('bool arithmetic computes in int32; minimum/maximum keep bool', () => {
    const a = tensor([true, true, false]);
    const b = tensor([true, false, false]);
    expect(add(a, b).dtype).toBe('int32');
    expect(add(a, b).arraySync()).toEqual([2, 1, 0]);
    expect(mul(a, b).arraySync()).toEqual([1, 0, 0]);
    expect(minimum(a, b).dtype).toBe('bool');
    expect(maximum(a, b).arraySync()).toEqual([true, true, false]);
    expect(() => sub(a, b)).toThrow('sub: subtracting two bool tensors is not supported');
    expect(remainder(a, tensor([true, true, true])).dtype).toBe('int32');
  });

  it('float-only ops promote integers to float32', () => {
    expect(tensor([1, 2]).exp().dtype).toBe('float32');
    expect(tensor([1, 4]).sqrt().arraySync()).toEqual([1, 2]);
    expect(atan2(tensor([1]), tensor([1])).dtype).toBe('float32');
    expect(tensor([true]).sigmoid().dtype).toBe('float32');
    expect(tensor([1, 2]).neg().dtype).toBe('int32');
    expect(tensor([-1, 2]).abs().arraySync()).toEqual([1, 2]);
    expect(tensor([true, false]).square().dtype).toBe('int32');
    expect(tensor([1, 2]).floor().dtype).toBe('int32');
    expect(tensor([3, 4]).clamp(0.5, 3.5).arraySync()).toEqual([3, 3.5]);
    expect(tensor([3, 4]).clamp(0, 3).dtype).toBe('int32');
  });

  it('integer pow wraps exactly and refuses negative scalar exponents', () => {
    expect(pow(tensor([3]), 20).arraySync()).toEqual([(3 ** 20) | 0]);
    expect(pow(tensor([2, -3]), tensor([10, 3])).arraySync()).toEqual([1024, -27]);
    expect(() => pow(tensor([2]), -1)).toThrow('pow: integers to negative integer powers are not allowed');
    expect(pow(tensor([2, 4], { dtype: 'float32' }), -1).arraySync()).toEqual([0.5, 0.25]);
  });

  it('integer mul wraps modulo 2^32 exactly', () => {
    const big = 123456789;
    expect(mul(tensor([big]), tensor([big])).arraySync()).toEqual([Math.imul(big, big)]);
  });

  it('where picks a common dtype for its branches', () => {
    const c = tensor([true, false]);
    expect(where(c, 1, 0).dtype).toBe('int32');
    expect(where(c, 1, 0.5).dtype).toBe('float32');
    expect(where(c, true, false).dtype).toBe('bool');
    expect(where(c, tensor([1, 2]), 2.5).arraySync()).toEqual([1, 2.5]);
    expect(where(c, make('int32'), make('float64')).dtype).toBe('float64');
  });
});

describe('cast', () => {
  it('float → int truncates toward zero', () => {
    const x = tensor([1.9, -1.9, 0.5, -0.5, 2147483647.0], { dtype: 'float64' });
    expect(x.int().arraySync()).toEqual([1, -1, 0, 0, 2147483647]);
    expect(tensor([2.7, -2.7]).to('int32').arraySync()).toEqual([2, -2]);
  });
  it('→ bool is != 0 (NaN is true)', () => {
    expect(tensor([0, 0.1, -3, Number.NaN]).bool().arraySync()).toEqual([false, true, true, true]);
    expect(tensor([0, 5]).bool().arraySync()).toEqual([false, true]);
  });
  it('bool → numbers is 0/1; float64 → float32 rounds to nearest', () => {
    expect(tensor([true, false]).float().arraySync()).toEqual([1, 0]);
    expect(tensor([true, false]).int().arraySync()).toEqual([1, 0]);
    const d = tensor([0.1], { dtype: 'float64' });
    expect(d.float().dataSync()[0]).toBe(Math.fround(0.1));
    expect(tensor([16777217]).float().dataSync()[0]).toBe(16777216);
  });
  it('casts strided views and returns the same tensor for the same dtype', () => {
    const x = tensor([
      [1.5, 2.5],
      [3.5, 4.5],
    ]);
    expect(x.T.int().arraySync()).toEqual([
      [1, 3],
      [2, 4],
    ]);
    expect(x.cast('float32')).toBe(x);
    expect(x.double().dtype).toBe('float64');
    expect(() => x.cast('int64' as DType)).toThrow(/cast: unknown dtype "int64"/);
  });
});
