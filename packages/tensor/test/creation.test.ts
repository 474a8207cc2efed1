import {
  arange,
  empty,
  emptyLike,
  eye,
  full,
  fullLike,
  linspace,
  ones,
  onesLike,
  tensor,
  zeros,
  zerosLike,
} from '@tessera/tensor';
import { describe, expect, it } from 'vitest';

describe('tensor()', () => {
  it('infers shape and dtype from nested arrays as PyTorch does', () => {
    const a = tensor([
      [1, 2, 3],
      [4, 5, 6],
    ]);
    expect(a.shape).toEqual([2, 3]);
    expect(a.strides).toEqual([3, 1]);
    expect(a.dtype).toBe('int32');
    expect(tensor([1, 2.5]).dtype).toBe('float32');
    expect(tensor([true, false]).dtype).toBe('bool');
    expect(tensor([true, 2]).dtype).toBe('int32');
    expect(tensor([true, 2]).arraySync()).toEqual([1, 2]);
    expect(tensor([true, 2.5]).dtype).toBe('float32');
    expect(tensor([Number.NaN, 1]).dtype).toBe('float32');
    expect(tensor([[[1], [2]]]).shape).toEqual([1, 2, 1]);
  });

  it('makes 0-d tensors from scalars and empty tensors from empty arrays', () => {
    const s = tensor(3.5);
    expect(s.shape).toEqual([]);
    expect(s.item()).toBe(3.5);
    expect(tensor(7).dtype).toBe('int32');
    expect(tensor(true).item()).toBe(true);
    const e = tensor([]);
    expect(e.shape).toEqual([0]);
    expect(e.dtype).toBe('float32');
    expect(tensor([[], []]).shape).toEqual([2, 0]);
  });

  it('copies typed arrays, keeping float types and mapping integer types to int32', () => {
    const src = new Float32Array([1.5, 2.5]);
    const t = tensor(src);
    src[0] = 100;
    expect(t.dtype).toBe('float32');
    expect(t.arraySync()).toEqual([1.5, 2.5]);
    expect(tensor(new Float64Array([0.1])).dtype).toBe('float64');
    expect(tensor(new Int32Array([1, -2])).dtype).toBe('int32');
    expect(tensor(new Uint8Array([1, 255])).arraySync()).toEqual([1, 255]);
    expect(tensor(new Int16Array([-3])).arraySync()).toEqual([-3]);
    expect(tensor(new Float32Array([1, 2, 3, 4]), { shape: [2, 2] }).arraySync()).toEqual([
      [1, 2],
      [3, 4],
    ]);
  });

  it('converts to an explicit dtype', () => {
    expect(tensor([1.7, -1.7], { dtype: 'int32' }).arraySync()).toEqual([1, -1]);
    expect(tensor([0, 2, -1], { dtype: 'bool' }).arraySync()).toEqual([false, true, true]);
    expect(tensor([true, false], { dtype: 'float64' }).arraySync()).toEqual([1, 0]);
    expect(tensor(new Float32Array([2.9]), { dtype: 'int32' }).arraySync()).toEqual([2]);
    expect(tensor([1, 2], { dtype: 'float64' }).dataSync()).toBeInstanceOf(Float64Array);
  });

  it('rejects ragged arrays, bad elements and mismatched shapes', () => {
    expect(() => tensor([[1, 2], [3]])).toThrow(
      'tensor: ragged nested array: at [1] expected 2 elements (from the first element at that depth) but got 1 (expected shape [2,2])',
    );
    expect(() => tensor([[1, 2], 3] as never)).toThrow(
      'tensor: ragged nested array: at [1] expected 2 elements',
    );
    expect(() => tensor([1, [2]] as never)).toThrow(
      'tensor: ragged nested array: element at [1] is an array but the first element at that depth is a scalar',
    );
    expect(() => tensor([[1, 'a']] as never)).toThrow(
      'tensor: element at [0,1] is the string "a", expected a number or boolean',
    );
    expect(() => tensor([null] as never)).toThrow('tensor: element at [0] is null');
    expect(() => tensor('x' as never)).toThrow(
      'tensor: expected nested arrays of numbers or booleans, got the string "x"',
    );
    expect(() => tensor([1, 2, 3], { shape: [2, 2] })).toThrow(
      'tensor: shape [2,2] does not match the 3 values given',
    );
    expect(() => tensor([1], { dtype: 'int64' as never })).toThrow('tensor: unknown dtype "int64"');
    expect(() => tensor([Number.NaN], { dtype: 'int32' })).toThrow('tensor: cannot convert NaN to int32');
  });
});

describe('filled tensors', () => {
  it('zeros, ones, full, empty', () => {
    expect(zeros([2, 2]).arraySync()).toEqual([
      [0, 0],
      [0, 0],
    ]);
    expect(zeros(3).shape).toEqual([3]);
    expect(zeros([]).shape).toEqual([]);
    expect(ones([2], { dtype: 'int32' }).arraySync()).toEqual([1, 1]);
    expect(ones([2]).dtype).toBe('float32');
    expect(full([2], 7).dtype).toBe('int32');
    expect(full([2], 0.5).arraySync()).toEqual([0.5, 0.5]);
    expect(full([1], true).dtype).toBe('bool');
    expect(full([2], 3, { dtype: 'bool' }).dataSync()).toEqual(Uint8Array.from([1, 1]));
    expect(full([2], 2.9, { dtype: 'int32' }).arraySync()).toEqual([2, 2]);
    expect(full([0, 3], 1).shape).toEqual([0, 3]);
    expect(empty([2, 3]).shape).toEqual([2, 3]);
    expect(empty([2], { dtype: 'int32' }).dtype).toBe('int32');
  });

  it('*Like take shape, dtype and device from a tensor', () => {
    const t = tensor([
      [1, 2],
      [3, 4],
    ]);
    expect(zerosLike(t).dtype).toBe('int32');
    expect(onesLike(t).arraySync()).toEqual([
      [1, 1],
      [1, 1],
    ]);
    expect(fullLike(t, 2.5, { dtype: 'float32' }).arraySync()).toEqual([
      [2.5, 2.5],
      [2.5, 2.5],
    ]);
    expect(emptyLike(t.T).shape).toEqual([2, 2]);
    expect(zerosLike(t).device).toBe('cpu');
  });

  it('rejects negative and non-integer sizes and unknown dtypes', () => {
    expect(() => zeros([2, -1])).toThrow('zeros: shape [2,-1] has a negative size at dim 1');
    expect(() => ones([1.5])).toThrow('ones: shape [1.5] has a non-integer size at dim 0');
    expect(() => full([2], 1, { dtype: 'uint8' as never })).toThrow('full: unknown dtype "uint8"');
    expect(() => empty(-3)).toThrow('empty: shape [-3] has a negative size at dim 0');
    expect(() => full([2], 'a' as never)).toThrow('full: value must be a number or boolean');
  });
});

describe('ranges', () => {
  it('arange follows Python range semantics with int32 or float32 results', () => {
    expect(arange(5).arraySync()).toEqual([0, 1, 2, 3, 4]);
    expect(arange(5).dtype).toBe('int32');
    expect(arange(2, 8, 3).arraySync()).toEqual([2, 5]);
    expect(arange(5, 0, -2).arraySync()).toEqual([5, 3, 1]);
    expect(arange(0).shape).toEqual([0]);
    expect(arange(3, 3).shape).toEqual([0]);
    const f = arange(0, 1, 0.25);
    expect(f.dtype).toBe('float32');
    expect(f.arraySync()).toEqual([0, 0.25, 0.5, 0.75]);
    expect(arange(0, 1, 0.1).shape).toEqual([10]);
    expect(arange(4, { dtype: 'float64' }).dtype).toBe('float64');
    expect(arange(1, 4, { dtype: 'float32' }).arraySync()).toEqual([1, 2, 3]);
    expect(arange(2.5).arraySync()).toEqual([0, 1, 2]);
    expect(() => arange(0, 5, -1)).toThrow('arange: step -1 has the wrong sign to go from start 0 to end 5');
    expect(() => arange(0, 5, 0)).toThrow('arange: step must be non-zero');
    expect(() => arange(Number.POSITIVE_INFINITY)).toThrow('arange: end must be a finite number');
  });

  it('linspace includes both ends exactly', () => {
    expect(linspace(0, 1, 5).arraySync()).toEqual([0, 0.25, 0.5, 0.75, 1]);
    expect(linspace(-1, 1, 3).arraySync()).toEqual([-1, 0, 1]);
    expect(linspace(3, 10, 1).arraySync()).toEqual([3]);
    expect(linspace(0, 1, 0).shape).toEqual([0]);
    const l = linspace(0.1, 0.7, 7, { dtype: 'float64' }).dataSync();
    expect(l[0]).toBe(0.1);
    expect(l[6]).toBe(0.7);
    expect(linspace(0, 10, 4, { dtype: 'int32' }).arraySync()).toEqual([0, 3, 6, 10]);
    expect(() => linspace(0, 1, -1)).toThrow('linspace: steps must be a non-negative integer, got -1');
  });

  it('eye builds identity and rectangular identity matrices', () => {
    expect(eye(2).arraySync()).toEqual([
      [1, 0],
      [0, 1],
    ]);
    expect(eye(2, 3).arraySync()).toEqual([
      [1, 0, 0],
      [0, 1, 0],
    ]);
    expect(eye(3, 1).arraySync()).toEqual([[1], [0], [0]]);
    expect(eye(2, { dtype: 'int32' }).dtype).toBe('int32');
    expect(eye(0).shape).toEqual([0, 0]);
    expect(() => eye(-1)).toThrow('eye: shape [-1,-1] has a negative size at dim 0');
  });
});
