import {
  arange,
  bernoulli,
  empty,
  eye,
  full,
  linspace,
  ones,
  rand,
  randint,
  randn,
  randperm,
  tensor,
  zeros,
  zerosLike,
} from '@tessera/tensor';
import { describe, expect, it } from 'vitest';

describe('sizes as separate arguments (PyTorch) or one array', () => {
  it('zeros, ones, empty, rand and randn accept both forms, options last', () => {
    expect(zeros(2, 3).shape).toEqual([2, 3]);
    expect(ones(2, 3, 4).shape).toEqual([2, 3, 4]);
    expect(empty(5).shape).toEqual([5]);
    expect(randn(3, 4).shape).toEqual([3, 4]);
    expect(rand(2, 2, { dtype: 'float64' }).dtype).toBe('float64');
    expect(zeros(2, 3, { dtype: 'int32' }).dtype).toBe('int32');
    expect(zeros([2, 3], { dtype: 'int32' }).shape).toEqual([2, 3]);
    expect(zeros([]).shape).toEqual([]);
    expect(ones(2, undefined).shape).toEqual([2]);
    expect(zeros(2, 3).arraySync()).toEqual([
      [0, 0, 0],
      [0, 0, 0],
    ]);
  });

  it('rejects mixed or misplaced size arguments', () => {
    expect(() => (zeros as (...a: unknown[]) => unknown)()).toThrow(
      'zeros: a shape is required, e.g. zeros(2, 3) or zeros([2, 3])',
    );
    expect(() => (zeros as (...a: unknown[]) => unknown)([2], 3)).toThrow(
      'zeros: options must be an object, got 3',
    );
    expect(() => (randn as (...a: unknown[]) => unknown)([2], {}, 3)).toThrow(
      'randn: expected one shape array and options, got 3 arguments',
    );
    expect(() => (ones as (...a: unknown[]) => unknown)(2, {}, 3)).toThrow(
      'ones: size arguments must all be integers, got an object at argument 1',
    );
    expect(() => zeros(2, 1.5)).toThrow('zeros: shape [2,1.5] has a non-integer size at dim 1');
  });
});

describe('creation options are checked', () => {
  it('suggests camelCase for snake_case names', () => {
    expect(() => tensor([1, 2], { requires_grad: true } as never)).toThrow(
      "tensor: unknown option 'requires_grad', did you mean 'requiresGrad'?",
    );
    expect(() => zeros(2, { dtyp: 'int32' } as never)).toThrow(
      "zeros: unknown option 'dtyp', did you mean 'dtype'?",
    );
    expect(() => randn(2, { seed: 1 } as never)).toThrow("randn: unknown option 'seed'");
  });

  it('rejects wrongly typed values', () => {
    expect(() => ones(2, { requiresGrad: 'yes' } as never)).toThrow(
      `ones: option 'requiresGrad' must be a boolean, got the string "yes"`,
    );
    expect(() => full([2], 1, { device: 1 } as never)).toThrow(
      "full: option 'device' must be a string, got 1",
    );
  });

  it('checks every creation function', () => {
    const bad = { bogus: 1 } as never;
    for (const f of [
      () => arange(3, bad),
      () => linspace(0, 1, 3, bad),
      () => eye(2, bad),
      () => randint(0, 3, [2], bad),
      () => randperm(3, bad),
      () => bernoulli(0.5, bad),
      () => zerosLike(zeros(2), bad),
      () => empty(2, bad),
    ]) {
      expect(f).toThrow("unknown option 'bogus'");
    }
    expect(bernoulli(0.5, { shape: [3] }).shape).toEqual([3]);
  });
});

describe('integers out of the int32 range are an error, not a wrapped value', () => {
  it('tensor() names the value and, in an array, its index', () => {
    expect(() => tensor([3e9])).toThrow(
      'tensor: value 3000000000 is out of range for int32 [-2147483648, 2147483647]; use a floating dtype',
    );
    expect(() => tensor([1, 2 ** 31], { dtype: 'int32' })).toThrow(RangeError);
    expect(() => tensor([1, 2 ** 31], { dtype: 'int32' })).toThrow(
      'out of range for int32 [-2147483648, 2147483647]; use a floating dtype (element at flat index 1)',
    );
    expect(() => tensor(-(2 ** 31) - 1)).toThrow('tensor: value -2147483649 is out of range');
    expect(() => tensor(new Uint32Array([4e9]))).toThrow(
      'tensor: value 4000000000 is out of range for int32',
    );
    expect(tensor([3e9], { dtype: 'float64' }).item()).toBe(3e9);
    expect(tensor([2 ** 31 - 1, -(2 ** 31)]).arraySync()).toEqual([2 ** 31 - 1, -(2 ** 31)]);
  });

  it('full, fill_, arange and scalar operands check the range', () => {
    expect(() => full([2], 3e9)).toThrow('full: value 3000000000 is out of range for int32');
    expect(() => zeros(2, { dtype: 'int32' }).fill_(2 ** 31)).toThrow(
      'fill_: value 2147483648 is out of range',
    );
    expect(() => arange(2 ** 31 - 1, 2 ** 31 + 1)).toThrow('arange: value 2147483648 is out of range');
    expect(() => tensor([1]).add(3e9)).toThrow('value 3000000000 is out of range for int32');
    expect(full([1], 2 ** 31 - 0.5, { dtype: 'int32' }).item()).toBe(2 ** 31 - 1);
    const x = zeros(3, { dtype: 'int32' });
    expect(() => x.maskedFill(tensor([true, false, true]), 3e9)).toThrow(
      'maskedFill: value 3000000000 is out of range for int32',
    );
    expect(() => x.scatter(0, tensor([0]), 3e9)).toThrow(
      'scatter: value 3000000000 is out of range for int32',
    );
    expect(() => x.mul(-3e9)).toThrow('mul: value -3000000000 is out of range for int32');
  });

  it('randint rejects ranges that do not fit int32', () => {
    expect(() => randint(0, 3e9, [3])).toThrow(
      "randint: range [0, 3000000000) does not fit int32 [-2147483648, 2147483647]; pass dtype 'float64'",
    );
    expect(() => randint(-(2 ** 31) - 1, 0, [3])).toThrow(RangeError);
    const r = randint(0, 3e9, [50], { dtype: 'float64' }).dataSync();
    for (const v of r) expect(v >= 0 && v < 3e9 && Number.isInteger(v)).toBe(true);
    const edge = randint(-(2 ** 31), 2 ** 31, [50]).dataSync();
    expect(edge.length).toBe(50);
  });
});
