import { arange, manualSeed, memory, ones, rand, randn, tensor, zeros } from '@tessera/tensor';
import { describe, expect, it } from 'vitest';

describe('core smoke', () => {
  it('creates, views and adds', () => {
    const a = tensor(
      [
        [1, 2, 3],
        [4, 5, 6],
      ],
      { dtype: 'float32' },
    );
    const b = tensor([10, 20, 30]);
    expect(a.add(b).arraySync()).toEqual([
      [11, 22, 33],
      [14, 25, 36],
    ]);
    expect(a.T.shape).toEqual([3, 2]);
    expect(a.T.contiguous().arraySync()).toEqual([
      [1, 4],
      [2, 5],
      [3, 6],
    ]);
    expect(a.reshape(3, 2).arraySync()).toEqual([
      [1, 2],
      [3, 4],
      [5, 6],
    ]);
    expect(a.slice(1, undefined, undefined, -1).arraySync()).toEqual([
      [3, 2, 1],
      [6, 5, 4],
    ]);
    expect(arange(5).dtype).toBe('int32');
    expect(a.gt(2).arraySync()).toEqual([
      [false, false, true],
      [true, true, true],
    ]);
    expect(
      zeros([2])
        .add_(ones([2]))
        .arraySync(),
    ).toEqual([1, 1]);
    expect(a.T.reshape(6).arraySync()).toEqual([1, 4, 2, 5, 3, 6]);
    expect(String(tensor([1.5, 2]))).toContain('tensor([1.5000, 2.0000]');
    manualSeed(0);
    const r1 = rand([5]).arraySync();
    manualSeed(0);
    expect(rand([5]).arraySync()).toEqual(r1);
    const n = randn([10000]).dataSync();
    let m = 0;
    for (const v of n) m += v;
    expect(Math.abs(m / n.length)).toBeLessThan(0.05);
    expect(memory().liveTensors).toBeGreaterThan(0);
  });
});
