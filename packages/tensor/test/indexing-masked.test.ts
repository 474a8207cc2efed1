import {
  arange,
  type Backend,
  CpuBackend,
  maskedFill,
  maskedSelect,
  maskedSelectAsync,
  oneHot,
  registerBackend,
  tensor,
  zeros,
} from '@tessera/tensor';
import { describe, expect, it } from 'vitest';
import { iota, layouts, lcg, make, type Ref, ravel, recordOps, toRef } from './shaping-ref.js';

/** A CPU backend that, like WebGPU, cannot be read synchronously. */
function noSyncBackend(): Backend {
  const cpu = new CpuBackend();
  return Object.create(cpu, {
    name: { value: 'nosync' },
    readSync: { value: undefined },
    read: { value: async (...a: Parameters<CpuBackend['readSync']>) => cpu.readSync(...a) },
  }) as Backend;
}
registerBackend('nosync', noSyncBackend);

/** Random bool reference. */
function randMask(shape: number[], seed: number): Ref {
  const r = lcg(seed);
  return make(shape, () => r(0, 2));
}

describe('maskedFill', () => {
  it('hand-worked', () => {
    const x = tensor([
      [1, 2],
      [3, 4],
    ]).float();
    const m = tensor([
      [true, false],
      [false, true],
    ]);
    expect(maskedFill(x, m, -1).arraySync()).toEqual([
      [-1, 2],
      [3, -1],
    ]);
    expect(x.maskedFill(tensor([false, true]), 0.5).arraySync()).toEqual([
      [1, 0.5],
      [3, 0.5],
    ]);
    expect(maskedFill(x, tensor(true), tensor(7)).arraySync()).toEqual([
      [7, 7],
      [7, 7],
    ]);
    const i = maskedFill(tensor([1, 2, 3]), tensor([true, false, true]), 2.9);
    expect(i.dtype).toBe('int32');
    expect(i.arraySync()).toEqual([2, 2, 2]);
    expect(maskedFill(tensor([true, false]), tensor([false, true]), 5).arraySync()).toEqual([true, true]);
    expect(maskedFill(zeros([0, 3]), tensor([true, false, true]), 1).shape).toEqual([0, 3]);
  });

  it('matches the reference on every layout of x and mask (broadcast mask)', () => {
    const x = iota([3, 4]);
    const m = randMask([4], 9);
    const ref = make([3, 4], (idx) => (m.data[idx[1]!] ? -2 : x.data[ravel(idx, [3, 4])]!));
    for (const [xn, xt] of layouts(x)) {
      for (const [mn, mt] of layouts(m, 'bool')) {
        expect(toRef(maskedFill(xt, mt, -2)), `${xn}/${mn}`).toEqual(ref);
      }
    }
  });

  it('errors', () => {
    const x = zeros([2, 3]);
    expect(() => maskedFill(x, tensor([1, 0, 1]), 1)).toThrow(
      'maskedFill: mask must be a bool tensor, got int32',
    );
    expect(() => maskedFill(x, tensor([[[true]]]), 1)).toThrow(
      "maskedFill: mask of shape [1,1,1] does not broadcast to the input's shape [2,3]",
    );
    expect(() => maskedFill(x, tensor([true, false]), 1)).toThrow(
      /maskedFill: shapes \[2\] and \[2,3\] cannot be broadcast/,
    );
    expect(() => maskedFill(x, tensor([true, false, true]), tensor([1, 2]))).toThrow(
      'maskedFill: value must be a number or a 0-d tensor, got a tensor of shape [2]',
    );
  });

  it('is a composite of where', () => {
    const names = recordOps(() => maskedFill(zeros([2]), tensor([true, false]), 1)).map((c) => c.name);
    expect(names).toEqual(['where']);
  });
});

describe('maskedSelect', () => {
  it('hand-worked', () => {
    const x = tensor([
      [1, 2, 3],
      [4, 5, 6],
    ]);
    expect(maskedSelect(x, x.gt(2)).arraySync()).toEqual([3, 4, 5, 6]);
    expect(x.maskedSelect(tensor([true, false, true])).arraySync()).toEqual([1, 3, 4, 6]);
    expect(
      maskedSelect(
        tensor([1, 2]),
        tensor([
          [true, false],
          [false, true],
          [true, true],
        ]),
      ).arraySync(),
    ).toEqual([1, 2, 1, 2]);
    expect(maskedSelect(x, zeros([2, 3]).gt(0)).shape).toEqual([0]);
    expect(maskedSelect(zeros([0]), tensor([], { dtype: 'bool' })).shape).toEqual([0]);
    expect(maskedSelect(tensor(4), tensor(true)).arraySync()).toEqual([4]);
  });

  it('matches the reference on every layout', () => {
    const x = iota([3, 4]);
    const m = randMask([3, 4], 21);
    const ref = x.data.filter((_, i) => m.data[i] === 1);
    for (const [xn, xt] of layouts(x)) {
      for (const [mn, mt] of layouts(m, 'bool')) {
        const got = maskedSelect(xt, mt);
        expect(got.shape, `${xn}/${mn}`).toEqual([ref.length]);
        expect(Array.from(got.dataSync()), `${xn}/${mn}`).toEqual(ref);
      }
    }
  });

  it('async variant gives the same result', async () => {
    const x = arange(6).reshape(2, 3);
    const got = await maskedSelectAsync(x, tensor([false, true, true]));
    expect(got.arraySync()).toEqual([1, 2, 4, 5]);
  });

  it('on a backend without synchronous reads: clear error, async alternative works', async () => {
    const x = tensor([1, 2, 3], { device: 'nosync' });
    const m = tensor([true, false, true], { device: 'nosync' });
    expect(() => maskedSelect(x, m)).toThrow(
      "maskedSelect: the nosync backend cannot read the mask synchronously (the result's size depends on it); use await maskedSelectAsync(x, mask)",
    );
    const got = await maskedSelectAsync(x, m);
    expect(got.device).toBe('nosync');
    expect(Array.from(await got.data())).toEqual([1, 3]);
  });

  it('errors and recording', () => {
    expect(() => maskedSelect(zeros([2]), tensor([1, 0]))).toThrow(
      'maskedSelect: mask must be a bool tensor, got int32',
    );
    expect(() => maskedSelect(zeros([2]), tensor([true, false, true]))).toThrow(
      /maskedSelect: shapes \[2\] and \[3\] cannot be broadcast/,
    );
    const names = recordOps(() => maskedSelect(zeros([2, 2]), tensor([true, false]))).map((c) => c.name);
    expect(names).toContain('indexSelect');
    expect(names).not.toContain('maskedSelect');
  });
});

describe('oneHot', () => {
  it('hand-worked', () => {
    const r = oneHot(tensor([0, 2, 1]));
    expect(r.dtype).toBe('int32');
    expect(r.arraySync()).toEqual([
      [1, 0, 0],
      [0, 0, 1],
      [0, 1, 0],
    ]);
    expect(oneHot(tensor([[1], [0]]), 3).arraySync()).toEqual([[[0, 1, 0]], [[1, 0, 0]]]);
    expect(oneHot(tensor(1), 2).arraySync()).toEqual([0, 1]);
    expect(oneHot(tensor([], { dtype: 'int32' }), 4).shape).toEqual([0, 4]);
  });

  it('works with an explicit numClasses on a backend without synchronous reads', async () => {
    const r = oneHot(tensor([2, 0], { device: 'nosync' }), 3);
    expect(r.device).toBe('nosync');
    expect(Array.from(await r.data())).toEqual([0, 0, 1, 1, 0, 0]);
    // The indices cannot be read back there, so the scatter kernel checks them: never a silent row of zeros.
    expect(() => oneHot(tensor([0, 3], { device: 'nosync' }), 3)).toThrow(
      /index 3 is out of range for dim 1 of size 3/,
    );
  });

  it('non-contiguous indices', () => {
    const idx = make([2, 3], (i) => (i[0]! + 2 * i[1]!) % 4);
    for (const [n, t] of layouts(idx, 'int32')) {
      const ref = make([2, 3, 5], (i) => (idx.data[ravel([i[0]!, i[1]!], [2, 3])] === i[2] ? 1 : 0));
      expect(toRef(oneHot(t, 5)), n).toEqual(ref);
    }
  });

  it('errors', () => {
    expect(() => oneHot(tensor([0, 3]), 3)).toThrow(
      'oneHot: class index 3 is out of range for numClasses 3 (valid range 0..2)',
    );
    expect(() => oneHot(tensor([0, -1]))).toThrow(
      'oneHot: class index -1 is out of range for numClasses 1 (valid range 0..0)',
    );
    expect(() => oneHot(tensor([0.5]))).toThrow('oneHot: index must be an int32 tensor, got float32');
    expect(() => oneHot(tensor([], { dtype: 'int32' }))).toThrow(
      /oneHot: cannot infer numClasses from an empty indices tensor/,
    );
    expect(() => oneHot(tensor([0]), -2)).toThrow(
      'oneHot: numClasses must be -1 or a non-negative integer, got -2',
    );
    expect(() => oneHot(tensor([0], { device: 'nosync' }))).toThrow(
      /oneHot: numClasses = -1 needs the indices read back/,
    );
  });
});
