import { argsort, manualSeed, randint, randn, sort, tensor, topk, zeros } from '@tessera/tensor';
import { describe, expect, it } from 'vitest';
import { recordTopLevel } from './helpers-record.js';

/** Reference stable argsort of one line with NaN as the largest value (JS sort is stable). */
function refArgsort(v: readonly number[], descending: boolean): number[] {
  const key = (x: number) => (Number.isNaN(x) ? 1 : 0);
  return v
    .map((_, i) => i)
    .sort((a, b) => {
      const x = v[a]!;
      const y = v[b]!;
      const c = key(x) - key(y) || (x < y ? -1 : x > y ? 1 : 0);
      return descending ? -c : c;
    });
}

/** Lines of a 2-D nested array along dim 1 (or dim 0 when `cols`). */
function lines(rows: number[][], cols = false): number[][] {
  if (!cols) return rows;
  return rows[0]!.map((_, j) => rows.map((r) => r[j]!));
}

describe('sort / argsort', () => {
  it('hand-worked ascending and descending', () => {
    const x = tensor([3, 1, 2]);
    const a = x.sort();
    expect(a.values.arraySync()).toEqual([1, 2, 3]);
    expect(a.indices.arraySync()).toEqual([1, 2, 0]);
    expect(a.values.dtype).toBe('int32');
    expect(a.indices.dtype).toBe('int32');
    const d = x.sort(0, true);
    expect(d.values.arraySync()).toEqual([3, 2, 1]);
    expect(d.indices.arraySync()).toEqual([0, 2, 1]);
    expect(x.argsort().arraySync()).toEqual([1, 2, 0]);
    expect(x.argsort(-1, true).arraySync()).toEqual([0, 2, 1]);
  });

  it('is stable for ties in both directions', () => {
    const x = tensor([2, 1, 2, 1, 2], { dtype: 'float32' });
    expect(x.argsort().arraySync()).toEqual([1, 3, 0, 2, 4]);
    expect(x.argsort(0, true).arraySync()).toEqual([0, 2, 4, 1, 3]);
    const b = tensor([true, false, true, false]);
    expect(b.sort().indices.arraySync()).toEqual([1, 3, 0, 2]);
    expect(b.sort().values.arraySync()).toEqual([false, false, true, true]);
  });

  it('puts NaN last ascending and first descending (NaN is largest, as PyTorch)', () => {
    const x = tensor([1, Number.NaN, -Infinity, Infinity, Number.NaN, 0]);
    const a = x.sort();
    expect(Array.from(a.indices.dataSync())).toEqual([2, 5, 0, 3, 1, 4]);
    expect(Array.from(a.values.dataSync())).toEqual([-Infinity, 0, 1, Infinity, Number.NaN, Number.NaN]);
    const d = x.sort(0, true);
    expect(Array.from(d.indices.dataSync())).toEqual([1, 4, 3, 0, 5, 2]);
  });

  it('sorts along any dim of strided inputs', () => {
    manualSeed(11);
    const base = randn([6, 5]);
    const cases = [
      base,
      randn([5, 6]).T,
      randn([6, 10]).slice(1, 0, undefined, 2),
      randn([6, 5]).slice(0, undefined, undefined, -1).slice(1, undefined, undefined, -1),
      randn([6, 1]).expand(6, 5),
    ];
    for (const x of cases) {
      const rows = x.arraySync() as number[][];
      for (const dim of [0, 1, -1, -2]) {
        const cols = dim === 0 || dim === -2;
        for (const descending of [false, true]) {
          const { values, indices } = x.sort(dim, descending);
          expect(values.shape).toEqual(x.shape);
          const idxLines = lines(indices.arraySync() as number[][], cols);
          const valLines = lines(values.arraySync() as number[][], cols);
          lines(rows, cols).forEach((line, i) => {
            const ref = refArgsort(line, descending);
            expect(idxLines[i]).toEqual(ref);
            expect(valLines[i]).toEqual(ref.map((j) => line[j]));
          });
        }
      }
    }
  });

  it('matches a reference on long lines with many ties (merge path)', () => {
    manualSeed(5);
    const x = randint(0, 7, [3, 1000]).float();
    const withNaN = x.maskedFill(x.eq(6), Number.NaN);
    const rows = withNaN.arraySync() as number[][];
    for (const descending of [false, true]) {
      const idx = withNaN.argsort(1, descending).arraySync() as number[][];
      rows.forEach((r, i) => {
        expect(idx[i]).toEqual(refArgsort(r, descending));
      });
    }
    const ints = randint(-50, 50, [777]);
    const v = Array.from(ints.dataSync());
    expect(Array.from(ints.sort().values.dataSync())).toEqual([...v].sort((a, b) => a - b));
  });

  it('0-d and empty tensors', () => {
    const s = tensor(4.5).sort();
    expect(s.values.shape).toEqual([]);
    expect(s.values.item()).toBe(4.5);
    expect(s.indices.item()).toBe(0);
    expect(tensor(2).argsort(0).item()).toBe(0);
    const e = zeros([0, 3]).sort(0);
    expect(e.values.shape).toEqual([0, 3]);
    expect(e.indices.shape).toEqual([0, 3]);
    expect(zeros([2, 0]).argsort(1).shape).toEqual([2, 0]);
  });

  it('rejects bad dims', () => {
    expect(() => tensor([1, 2]).sort(1)).toThrow(/sort: dim 1 is out of range for a tensor of 1 dims/);
    expect(() => argsort(tensor([1, 2]), -2)).toThrow(/argsort: dim -2 is out of range/);
    expect(() => sort(tensor(1), 1)).toThrow(/sort: dim 1 is out of range/);
  });
});

describe('topk', () => {
  it('hand-worked largest and smallest', () => {
    const x = tensor(
      [
        [1, 9, 3, 7],
        [8, 2, 8, 0],
      ],
      { dtype: 'float32' },
    );
    const t = x.topk(2);
    expect(t.values.arraySync()).toEqual([
      [9, 7],
      [8, 8],
    ]);
    expect(t.indices.arraySync()).toEqual([
      [1, 3],
      [0, 2],
    ]);
    const s = x.topk(1, 1, false);
    expect(s.values.arraySync()).toEqual([[1], [0]]);
    expect(s.indices.arraySync()).toEqual([[0], [3]]);
    const c = topk(x, 1, 0);
    expect(c.values.arraySync()).toEqual([[8, 9, 8, 7]]);
    expect(c.indices.arraySync()).toEqual([[1, 0, 1, 0]]);
    expect(x.topk(2, -1, true, false).values.shape).toEqual([2, 2]);
    expect(x.topk(0).values.shape).toEqual([2, 0]);
    expect(x.topk(4).indices.arraySync()).toEqual(x.argsort(1, true).arraySync());
    expect(tensor([1, Number.NaN, 3]).topk(1).indices.arraySync()).toEqual([1]);
    expect(tensor(3).topk(1).values.item()).toBe(3);
    expect(x.topk(2).indices.isContiguous()).toBe(true);
  });

  it('matches sort on random strided inputs', () => {
    manualSeed(8);
    const x = randn([7, 9]).T;
    for (const dim of [0, 1]) {
      for (const largest of [true, false]) {
        const { values, indices } = x.topk(3, dim, largest);
        const s = x.sort(dim, largest);
        expect(values.arraySync()).toEqual(s.values.narrow(dim, 0, 3).arraySync());
        expect(indices.arraySync()).toEqual(s.indices.narrow(dim, 0, 3).arraySync());
      }
    }
  });

  it('rejects k out of range and bad dims', () => {
    const x = zeros([2, 3]);
    expect(() => x.topk(4)).toThrow(
      /topk: k \(4\) is out of range for dim -1 of size 3 \(input shape \[2,3\]\)/,
    );
    expect(() => x.topk(-1)).toThrow(/topk: k \(-1\) is out of range/);
    expect(() => x.topk(1.5)).toThrow(/topk: k \(1.5\) is out of range/);
    expect(() => x.topk(1, 2)).toThrow(/topk: dim 2 is out of range/);
    expect(() => tensor(1).topk(2)).toThrow(/topk: k \(2\) is out of range for dim -1 of size 1/);
  });
});

describe('recording', () => {
  it('argsort is one recorded op; sort and topk gather their values from the input', () => {
    const x = randn([3, 4]);
    const argsorted = recordTopLevel(() => x.argsort(0, true));
    expect(argsorted.map((c) => [c.name, c.attrs])).toEqual([['argsort', { dim: 0, descending: true }]]);
    const sorted = recordTopLevel(() => x.sort(-1));
    expect(sorted.map((c) => c.name)).toEqual(['argsort', 'gather']);
    expect(sorted[1]!.inputs[0]).toBe(x);
    const topk = recordTopLevel(() => x.topk(2));
    expect(topk.map((c) => c.name)).toEqual(['argsort', 'slice', 'contiguous', 'gather']);
    expect(topk[3]!.inputs[0]).toBe(x);
  });
});
