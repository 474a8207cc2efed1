import {
  add,
  broadcastShapes,
  CpuBackend,
  cast,
  mul,
  ones,
  permute,
  rand,
  registerBackend,
  reshape,
  tensor,
  where,
  zeros,
} from '@tessera/tensor';
import { describe, expect, it } from 'vitest';

// Every misuse gets an Error naming the op and the offending shapes, dims, dtypes or values.

describe('broadcasting', () => {
  it('names both shapes and the failing dim', () => {
    expect(() => add(zeros([2, 3]), zeros([4]))).toThrow(
      'add: shapes [2,3] and [4] cannot be broadcast (dim -1: 3 vs 4)',
    );
    expect(() => mul(zeros([5, 2, 3]), zeros([4, 1, 3]))).toThrow(
      'mul: shapes [5,2,3] and [4,1,3] cannot be broadcast (dim -3: 5 vs 4)',
    );
    expect(() => zeros([2]).lt(zeros([3]))).toThrow(
      'lt: shapes [2] and [3] cannot be broadcast (dim -1: 2 vs 3)',
    );
    expect(() => broadcastShapes('myOp', [2, 1], [3, 3])).toThrow(
      'myOp: shapes [2,1] and [3,3] cannot be broadcast (dim -2: 2 vs 3)',
    );
    expect(() => where(tensor([true, false]), zeros([3]), 0)).toThrow(
      'where: shapes [2] and [3] cannot be broadcast',
    );
  });
});

describe('dims and indices out of range', () => {
  const x = zeros([2, 3]);
  it('dims', () => {
    expect(() => x.unsqueeze(3)).toThrow(
      'unsqueeze: dim 3 is out of range for a tensor of 3 dims (expected -3..2)',
    );
    expect(() => x.squeeze(2)).toThrow(
      'squeeze: dim 2 is out of range for a tensor of 2 dims (expected -2..1)',
    );
    expect(() => x.transpose(0, -3)).toThrow(
      'transpose: dim -3 is out of range for a tensor of 2 dims (expected -2..1)',
    );
    expect(() => x.size(5)).toThrow('size: dim 5 is out of range');
    expect(() => x.flatten(0, 2)).toThrow('flatten: dim 2 is out of range');
    expect(() => x.slice(2, 0, 1)).toThrow('slice: dim 2 is out of range');
    expect(() => x.select(-3, 0)).toThrow('select: dim -3 is out of range');
    expect(() => x.diagonal(0, 0, 2)).toThrow('diagonal: dim 2 is out of range');
    expect(() => x.unsqueeze(1.5)).toThrow('unsqueeze: dim must be an integer, got 1.5');
  });
  it('permutations', () => {
    expect(() => permute(x, [0])).toThrow('permute: got 1 dims [0] for a tensor of shape [2,3]');
    expect(() => x.permute(0, 0)).toThrow('permute: repeated dim in [0,0]');
    expect(() => x.permute(0, 2)).toThrow('permute: dim 2 is out of range');
  });
  it('indices', () => {
    expect(() => x.select(0, 2)).toThrow('select: index 2 is out of range for dim 0 of size 2 (shape [2,3])');
    expect(() => x.select(1, -4)).toThrow(
      'select: index -4 is out of range for dim 1 of size 3 (shape [2,3])',
    );
    expect(() => x.narrow(1, 1, 3)).toThrow(
      'narrow: start 1 and length 3 are out of range for dim 1 of size 3',
    );
    expect(() => x.item()).toThrow('item: tensor of shape [2,3] has 6 elements, not 1');
  });
});

describe('shapes', () => {
  it('negative and non-integer sizes', () => {
    expect(() => zeros([2, -3])).toThrow('zeros: shape [2,-3] has a negative size at dim 1');
    expect(() => rand([1.5])).toThrow('rand: shape [1.5] has a non-integer size at dim 0');
    expect(() => ones(Number.NaN)).toThrow('ones: shape [NaN] has a non-integer size at dim 0');
    expect(() => zeros('3' as never)).toThrow(
      'zeros: shape must be a number or an array of integers, got the string "3"',
    );
    expect(() => zeros([6]).reshape(2, -2)).toThrow('reshape: shape [2,-2] has a negative size -2 at dim 1');
    expect(() => zeros([6]).reshape(2.5, 2)).toThrow(
      'reshape: shape [2.5,2] has a non-integer size 2.5 at dim 0',
    );
    expect(() => zeros([1]).expand(-2)).toThrow('expand: shape [-2] has a negative size -2 at dim 0');
  });
  it('reshape to an incompatible size', () => {
    expect(() => reshape(zeros([2, 3]), [7])).toThrow(
      'reshape: shape [7] is invalid for input of shape [2,3] (6 elements)',
    );
    expect(() => zeros([2, 3]).view(5, -1)).toThrow(
      'view: shape [5,-1] is invalid for input of shape [2,3] (6 elements)',
    );
  });
  it('ragged nested arrays', () => {
    expect(() =>
      tensor([
        [1, 2, 3],
        [4, 5],
      ]),
    ).toThrow('tensor: ragged nested array: at [1] expected 3 elements');
    expect(() =>
      tensor([
        [[1], [2]],
        [[3], 4],
      ] as never),
    ).toThrow('tensor: ragged nested array: at [1,1] expected 1 elements');
  });
});

describe('dtype misuse', () => {
  it('is refused with the dtypes named', () => {
    expect(() => where(zeros([2]), 1, 0)).toThrow('where: condition must be a bool tensor, got float32');
    expect(() => tensor([true]).neg()).toThrow('neg: negation of a bool tensor is not supported');
    expect(() => cast(zeros([1]), 'float16' as never)).toThrow('cast: unknown dtype "float16"');
    expect(() => zeros([1], { dtype: 'int8' as never })).toThrow('zeros: unknown dtype "int8"');
    expect(() => rand([2], { dtype: 'bool' })).toThrow('rand: dtype must be floating point, got bool');
    expect(() => tensor([1, 2]).add_(0.5)).toThrow(
      "add_: result type float32 can't be cast to the int32 tensor",
    );
    expect(() => tensor([1]).div(1, 'round' as never)).toThrow(
      `div: roundingMode must be 'trunc' or 'floor', got "round"`,
    );
    expect(() => add(1, 2 as never)).toThrow(
      'add: at least one operand must be a tensor, got number 1 and number 2',
    );
    expect(() => add(zeros([1]), 'x' as never)).toThrow(
      'add: expected a tensor, number or boolean, got string x',
    );
    expect(() => add(zeros([1]), [1] as never)).toThrow(
      'add: expected a tensor, number or boolean, got an array',
    );
    expect(() => zeros([1]).gelu('fast' as never)).toThrow(
      `gelu: approximate must be 'none' or 'tanh', got "fast"`,
    );
  });
});

describe('use after dispose', () => {
  it('names the op that used the tensor', () => {
    const x = zeros([2, 2]);
    const y = ones([2, 2]);
    x.dispose();
    expect(() => x.add(y)).toThrow('add: tensor of shape [2,2] was used after dispose()');
    expect(() => y.mul(x)).toThrow('mul: tensor of shape [2,2] was used after dispose()');
    expect(() => x.exp()).toThrow('exp: tensor of shape [2,2] was used after dispose()');
    expect(() => x.int()).toThrow('cast: tensor of shape [2,2] was used after dispose()');
    expect(() => x.reshape(4)).toThrow('reshape: tensor of shape [2,2] was used after dispose()');
    expect(() => x.T).toThrow('T: tensor of shape [2,2] was used after dispose()');
    expect(() => x.slice(0, 1)).toThrow('slice: tensor of shape [2,2] was used after dispose()');
    expect(() => x.contiguous()).toThrow('contiguous: tensor of shape [2,2] was used after dispose()');
    expect(() => x.dataSync()).toThrow('dataSync: tensor of shape [2,2] was used after dispose()');
    expect(() => x.arraySync()).toThrow('arraySync: tensor of shape [2,2] was used after dispose()');
    expect(() => x.item()).toThrow('item: tensor of shape [2,2] was used after dispose()');
    expect(() => x.add_(1)).toThrow('add_: tensor of shape [2,2] was used after dispose()');
    expect(() => y.copy_(x)).toThrow('copy_: tensor of shape [2,2] was used after dispose()');
    expect(() => x.fill_(1)).toThrow('fill_: tensor of shape [2,2] was used after dispose()');
    expect(() => x.device).toThrow('device: tensor of shape [2,2] was used after dispose()');
    expect(() => where(tensor([true]), x, 0)).toThrow(
      'where: tensor of shape [2,2] was used after dispose()',
    );
  });

  it('async reads reject naming the op', async () => {
    const x = zeros([3]);
    x.dispose();
    await expect(x.data()).rejects.toThrow('data: tensor of shape [3] was used after dispose()');
    await expect(x.array()).rejects.toThrow('array: tensor of shape [3] was used after dispose()');
  });
});

describe('tensors on different backends', () => {
  it('are refused by ops, naming both', () => {
    registerBackend('cpu2', () => new CpuBackend());
    const a = zeros([2]);
    const b = zeros([2], { device: 'cpu2' });
    expect(() => add(a, b)).toThrow("add: tensors are on different backend instances (both named 'cpu')");
    expect(() => b.mul(a)).toThrow('mul: tensors are on different backend instances');
    expect(() => a.add_(b)).toThrow('add_: tensors are on different backend instances');
    expect(() => where(tensor([true, false], { device: 'cpu2' }), a, 0)).toThrow(
      'where: tensors are on different backend instances',
    );
    // moving one over fixes it
    expect(add(a, b.to('cpu')).arraySync()).toEqual([0, 0]);
  });

  it('names the devices when they differ', () => {
    registerBackend('other', () => {
      const be = new CpuBackend();
      Object.defineProperty(be, 'name', { value: 'other' });
      return be;
    });
    const a = zeros([2]);
    const b = ones([2], { device: 'other' });
    expect(b.device).toBe('other');
    expect(() => add(a, b)).toThrow(
      "add: tensors are on different devices (cpu and other); move one with .to('cpu')",
    );
    expect(add(a, b.to('cpu')).arraySync()).toEqual([1, 1]);
    expect(() => zeros([1], { device: 'nope' })).toThrow("backend 'nope' is not registered");
  });

  it('reading a backend without synchronous access asks for data()', async () => {
    registerBackend('async-only', () => {
      const be = new CpuBackend();
      Object.defineProperty(be, 'name', { value: 'async-only' });
      const readSync = be.readSync.bind(be);
      Object.defineProperty(be, 'read', {
        value: async (...args: Parameters<typeof readSync>) => readSync(...args),
      });
      Object.defineProperty(be, 'readSync', { value: undefined });
      return be;
    });
    const t = ones([2], { device: 'async-only' });
    expect(() => t.dataSync()).toThrow(
      'dataSync: the async-only backend cannot be read synchronously; use await t.data()',
    );
    expect(String(t)).toBe(
      'tensor(<on async-only: await t.data()>, shape=[2], dtype=float32, device=async-only)',
    );
    expect(Array.from(await t.data())).toEqual([1, 1]);
  });
});
