import { arange, type PadMode, pad, tensor, zeros } from '@tessera/tensor';
import { describe, expect, it } from 'vitest';
import { iota, layouts, make, type Ref, ravel, recordOps, toRef } from './shaping-ref.js';

/** Reference F.pad: maps every output position back to a source position (or the fill value). */
function refPad(r: Ref, padding: number[], mode: PadMode, value = 0): Ref {
  const nd = r.shape.length;
  const shape = [...r.shape];
  const before = new Array<number>(nd).fill(0);
  for (let k = 0; k < padding.length / 2; k++) {
    const d = nd - 1 - k;
    before[d] = padding[2 * k]!;
    shape[d] = r.shape[d]! + padding[2 * k]! + padding[2 * k + 1]!;
  }
  return make(shape, (idx) => {
    const src: number[] = [];
    for (let d = 0; d < nd; d++) {
      const n = r.shape[d]!;
      let i = idx[d]! - before[d]!;
      if (i < 0 || i >= n) {
        if (mode === 'constant') return value;
        if (mode === 'reflect') i = i < 0 ? -i : 2 * (n - 1) - i;
        else if (mode === 'replicate') i = i < 0 ? 0 : n - 1;
        else i = ((i % n) + n) % n;
      }
      src.push(i);
    }
    return r.data[ravel(src, r.shape)]!;
  });
}

describe('pad', () => {
  it('hand-worked constant padding (pairs start from the last dim)', () => {
    const x = tensor([
      [1, 2],
      [3, 4],
    ]);
    expect(pad(x, [1, 0]).arraySync()).toEqual([
      [0, 1, 2],
      [0, 3, 4],
    ]);
    expect(pad(x, [0, 0, 1, 1], 'constant', 9).arraySync()).toEqual([
      [9, 9],
      [1, 2],
      [3, 4],
      [9, 9],
    ]);
    expect(pad(x, [-1, 1]).arraySync()).toEqual([
      [2, 0],
      [4, 0],
    ]);
    expect(pad(x, [0, 0, -2, 0]).shape).toEqual([0, 2]);
    expect(pad(tensor([1.5, 2]), [1, 1], 'constant', 0.25).arraySync()).toEqual([0.25, 1.5, 2, 0.25]);
    expect(pad(tensor([1, 2]), [1, 0], 'constant', 2.7).arraySync()).toEqual([2, 1, 2]);
    expect(pad(tensor([true]), [1, 1], 'constant', 1).arraySync()).toEqual([true, true, true]);
    expect(pad(zeros([0]), [2, 1], 'constant', 3).arraySync()).toEqual([3, 3, 3]);
    expect(pad(tensor([1, 2]), [-3, 1]).arraySync()).toEqual([]);
  });

  it('hand-worked reflect, replicate and circular', () => {
    const x = tensor([1, 2, 3, 4]);
    expect(pad(x, [2, 1], 'reflect').arraySync()).toEqual([3, 2, 1, 2, 3, 4, 3]);
    expect(pad(x, [2, 1], 'replicate').arraySync()).toEqual([1, 1, 1, 2, 3, 4, 4]);
    expect(pad(x, [2, 1], 'circular').arraySync()).toEqual([3, 4, 1, 2, 3, 4, 1]);
    expect(pad(x, [4, 4], 'circular').arraySync()).toEqual([1, 2, 3, 4, 1, 2, 3, 4, 1, 2, 3, 4]);
    expect(pad(x, [-1, 2], 'reflect').arraySync()).toEqual([2, 3, 4, 3, 2]);
    const m = tensor([
      [1, 2],
      [3, 4],
    ]);
    expect(pad(m, [1, 1, 1, 1], 'replicate').arraySync()).toEqual([
      [1, 1, 2, 2],
      [1, 1, 2, 2],
      [3, 3, 4, 4],
      [3, 3, 4, 4],
    ]);
  });

  it('matches the reference for every mode on every layout', () => {
    const r = iota([2, 3, 4]);
    const cases: [number[], PadMode][] = [
      [[1, 2], 'constant'],
      [[2, 1, 0, 2], 'constant'],
      [[-1, 2, 1, -1, 1, 0], 'constant'],
      [[3, 2, 1, 2], 'reflect'],
      [[1, 1, 2, 2, 1, 1], 'reflect'],
      [[4, 5, 2, 0], 'replicate'],
      [[4, 3, 3, 1], 'circular'],
      [[-1, 2, 1, -1], 'circular'],
    ];
    for (const [name, t] of layouts(r)) {
      for (const [p, mode] of cases) {
        expect(toRef(pad(t, p, mode, -7)), `${name} ${mode} ${p}`).toEqual(refPad(r, p, mode, -7));
      }
    }
  });

  it('reads broadcast inputs', () => {
    const x = tensor([1, 2]).expand(2, 2);
    expect(pad(x, [1, 0], 'reflect').arraySync()).toEqual([
      [2, 1, 2],
      [2, 1, 2],
    ]);
    expect(pad(x, [0, 0, 1, 0], 'constant', 5).arraySync()).toEqual([
      [5, 5],
      [1, 2],
      [1, 2],
    ]);
  });

  it('records constant pad as pad; other modes as indexSelect', () => {
    const x = zeros([2, 3]);
    const calls = recordOps(() => pad(x, [1, 2], 'constant', 4));
    expect(calls.map((c) => [c.name, c.attrs])).toEqual([['pad', { pad: [1, 2], value: 4 }]]);
    const names = recordOps(() => pad(x, [1, 1, 1, 1], 'reflect')).map((c) => [c.name, c.attrs]);
    expect(names).toEqual([
      ['indexSelect', { dim: 1 }],
      ['indexSelect', { dim: 0 }],
    ]);
  });

  it('errors', () => {
    const x = arange(6).reshape(2, 3);
    expect(() => pad(x, [3, 0], 'reflect')).toThrow(
      'pad: reflect padding (3, 0) must be smaller than the size 3 of dim 1 (shape [2,3])',
    );
    expect(() => pad(x, [0, 0, 0, 2], 'reflect')).toThrow(
      /pad: reflect padding \(0, 2\) must be smaller than the size 2 of dim 0/,
    );
    expect(() => pad(x, [4, 0], 'circular')).toThrow(
      /pad: circular padding \(4, 0\) must be at most the size 3 of dim 1/,
    );
    expect(() => pad(zeros([2, 0]), [1, 0], 'replicate')).toThrow(
      /pad: replicate padding of dim 1 needs a non-empty dim/,
    );
    expect(() => pad(x, [1])).toThrow(
      'pad: padding length must be even (before/after pairs), got 1 values [1]',
    );
    expect(() => pad(x, [1, 1, 1, 1, 1, 1])).toThrow(
      'pad: padding [1,1,1,1,1,1] pads 3 dims but the input of shape [2,3] has 2',
    );
    expect(() => pad(x, [-2, -2])).toThrow(
      /pad: padding \(-2, -2\) of dim 1 \(size 3, shape \[2,3\]\) gives a negative size -1/,
    );
    expect(() => pad(x, [1, 0], 'wrap' as PadMode)).toThrow(/pad: mode must be one of 'constant', 'reflect'/);
    expect(() => pad(x, [0.5, 0])).toThrow(/pad: padding \[0.5,0\] must hold integers/);
  });
});
