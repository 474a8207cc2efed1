import {
  amax,
  arange,
  full,
  manualSeed,
  ones,
  rand,
  randn,
  sum,
  type Tensor,
  tensor,
  zeros,
} from '@tessera/tensor';
import { describe, expect, it } from 'vitest';
import { recordTopLevel } from './helpers-record.js';
import {
  expectClose,
  refArgmax,
  refArgmin,
  refMax,
  refMean,
  refMin,
  refProd,
  refReduce,
  refSum,
  refVar,
} from './reduce-ref.js';

const A = () =>
  tensor([
    [1, 2, 3],
    [4, 5, 6],
  ]);

/** Inputs of shape [3, 4, 5] in several layouts, all holding finite random values. */
function layouts(seed: number, positive = false): [string, Tensor][] {
  manualSeed(seed);
  const make = (shape: number[]) => (positive ? rand(shape).add(0.5) : randn(shape));
  const base = make([3, 4, 5]);
  return [
    ['contiguous', base],
    ['permuted', make([5, 3, 4]).permute(1, 2, 0)],
    ['transposed', make([5, 4, 3]).transpose(0, 2)],
    ['sliced with steps', make([6, 4, 10]).slice(0, 1, undefined, 2).slice(2, 0, undefined, 2)],
    ['negative steps', make([3, 4, 5]).slice(2, undefined, undefined, -1).slice(0, undefined, undefined, -1)],
    ['expanded', make([1, 4, 1]).expand(3, 4, 5)],
    ['expanded middle', make([3, 1, 5]).expand(3, 4, 5).transpose(0, 1).transpose(0, 1)],
  ];
}

const DIM_CASES: (number | number[] | undefined)[] = [
  undefined,
  0,
  1,
  2,
  -1,
  [0, 2],
  [-1, -2],
  [2, 0, 1],
  [],
];

/** Normalised dims a test expects for `dim` on a 3-d input. */
function dimsOf(dim: number | number[] | undefined): number[] {
  if (dim === undefined || (Array.isArray(dim) && dim.length === 0)) return [0, 1, 2];
  const l = typeof dim === 'number' ? [dim] : dim;
  return l.map((d) => (d < 0 ? d + 3 : d)).sort();
}

describe('sum / mean / prod', () => {
  it('hand-worked values, dims and keepdim', () => {
    const a = A();
    expect(a.sum().item()).toBe(21);
    expect(a.sum().shape).toEqual([]);
    expect(a.sum(0).arraySync()).toEqual([5, 7, 9]);
    expect(a.sum(1).arraySync()).toEqual([6, 15]);
    expect(a.sum(-1, true).arraySync()).toEqual([[6], [15]]);
    expect(a.sum([0, 1], true).arraySync()).toEqual([[21]]);
    expect(a.sum([-1, 0]).item()).toBe(21);
    expect(a.float().mean().item()).toBe(3.5);
    expect(a.float().mean(0).arraySync()).toEqual([2.5, 3.5, 4.5]);
    expect(a.float().mean(1, true).arraySync()).toEqual([[2], [5]]);
    expect(a.prod().item()).toBe(720);
    expect(a.prod(1).arraySync()).toEqual([6, 120]);
    expect(a.prod(0, true).arraySync()).toEqual([[4, 10, 18]]);
  });

  it('dtypes follow PyTorch', () => {
    expect(A().sum().dtype).toBe('int32');
    expect(tensor([true, false, true]).sum().dtype).toBe('int32');
    expect(tensor([true, false, true]).sum().item()).toBe(2);
    expect(tensor([true, true]).prod().dtype).toBe('int32');
    expect(A().float().sum().dtype).toBe('float32');
    expect(A().double().sum().dtype).toBe('float64');
    expect(A().double().mean().dtype).toBe('float64');
    expect(() => A().mean()).toThrow('mean: input dtype int32 is not floating point; call .float() first');
    expect(() => tensor([true]).mean()).toThrow(/mean: input dtype bool is not floating point/);
  });

  it('int32 sums and products wrap like int32 arithmetic', () => {
    expect(tensor([2147483647, 1], { dtype: 'int32' }).sum().item()).toBe(-2147483648);
    expect(tensor([65536, 65536], { dtype: 'int32' }).prod().item()).toBe(0);
    expect(tensor([3, -4, 5], { dtype: 'int32' }).prod().item()).toBe(-60);
    expect(tensor([46341, 46341], { dtype: 'int32' }).prod().item()).toBe(Math.imul(46341, 46341));
  });

  it('accumulates float32 sums in doubles', () => {
    const n = 1_000_003;
    const x = full([n], 0.1);
    const v = Math.fround(0.1);
    expect(Math.abs((x.sum().item() as number) - n * v)).toBeLessThan(n * v * 1e-7);
    // A long reduced dim that is not innermost (outer accumulation path).
    const y = full([100_000, 3], 0.1);
    expectClose(y.sum(0).dataSync(), [1e5 * v, 1e5 * v, 1e5 * v], 1e-7, 0);
    expect(Math.abs((x.mean().item() as number) - v)).toBeLessThan(1e-8);
  });

  for (const [name, x] of layouts(1)) {
    it(`sum and mean match a float64 reference (${name})`, () => {
      const data = Array.from(x.dataSync());
      for (const dim of DIM_CASES) {
        for (const keepdim of [false, true]) {
          const dims = dimsOf(dim);
          const s = x.sum(dim, keepdim);
          const r = refReduce(data, x.shape, dims, refSum, keepdim);
          expect(s.shape).toEqual(r.shape);
          expectClose(s.dataSync(), r.data, 1e-5, 1e-5);
          const m = x.mean(dim, keepdim);
          expect(m.shape).toEqual(r.shape);
          expectClose(m.dataSync(), refReduce(data, x.shape, dims, refMean).data, 1e-5, 1e-6);
        }
      }
    });
  }

  for (const [name, x] of layouts(2, true)) {
    it(`prod matches a float64 reference (${name})`, () => {
      const data = Array.from(x.dataSync());
      for (const dim of DIM_CASES) {
        const dims = dimsOf(dim);
        expectClose(x.prod(dim).dataSync(), refReduce(data, x.shape, dims, refProd).data, 1e-5, 1e-7);
      }
    });
  }

  it('works on int32 and bool inputs with strides', () => {
    const x = arange(24).reshape(2, 3, 4).transpose(0, 2);
    const data = Array.from(x.dataSync());
    expect(Array.from(x.sum([0, 2]).dataSync())).toEqual(refReduce(data, x.shape, [0, 2], refSum).data);
    const b = x.gt(10);
    expect(b.sum(1).dtype).toBe('int32');
    expect(Array.from(b.sum(1).dataSync())).toEqual(
      refReduce(Array.from(b.dataSync()), b.shape, [1], refSum).data,
    );
  });

  it('empty tensors: sum 0, prod 1, mean NaN', () => {
    const e = zeros([0, 3]);
    expect(e.sum().item()).toBe(0);
    expect(e.sum(0).arraySync()).toEqual([0, 0, 0]);
    expect(e.sum(1).shape).toEqual([0]);
    expect(e.sum(1, true).shape).toEqual([0, 1]);
    expect(e.prod().item()).toBe(1);
    expect(e.prod(0).arraySync()).toEqual([1, 1, 1]);
    expect(e.mean().item()).toBeNaN();
    expect(e.mean(0).dataSync().every(Number.isNaN)).toBe(true);
    expect(zeros([0], { dtype: 'int32' }).sum().dtype).toBe('int32');
  });

  it('0-d tensors', () => {
    const s = tensor(5);
    expect(s.sum().shape).toEqual([]);
    expect(s.sum().item()).toBe(5);
    expect(s.sum(0).item()).toBe(5);
    expect(s.sum(-1, true).shape).toEqual([]);
    expect(tensor(2.5).mean().item()).toBe(2.5);
    expect(s.prod().item()).toBe(5);
    expect(() => s.sum(1)).toThrow(/sum: dim 1 is out of range for a tensor of 0 dims/);
  });

  it('rejects bad and duplicate dims', () => {
    const a = A();
    expect(() => a.sum(2)).toThrow(/sum: dim 2 is out of range for a tensor of 2 dims \(expected -2\.\.1\)/);
    expect(() => a.sum(-3)).toThrow(/sum: dim -3 is out of range/);
    expect(() => a.sum([0, -2])).toThrow(/sum: dim 0 appears more than once in \[0,-2\]/);
    expect(() => a.float().mean([1, 1])).toThrow(/mean: dim 1 appears more than once/);
    expect(() => a.prod(0.5)).toThrow(/prod: dim must be an integer, got 0.5/);
    expect(() => a.amax([0, 5])).toThrow(/amax: dim 5 is out of range/);
    expect(() => sum(a, 'x' as unknown as number)).toThrow(
      /sum: dim must be an integer or an array of integers/,
    );
  });
});

describe('amax / amin / max / min', () => {
  it('hand-worked values', () => {
    const a = tensor([
      [1, 7, 3],
      [9, 2, 7],
    ]);
    expect(a.amax().item()).toBe(9);
    expect(a.amin().item()).toBe(1);
    expect(a.amax(0).arraySync()).toEqual([9, 7, 7]);
    expect(a.amin(1, true).arraySync()).toEqual([[1], [2]]);
    expect(a.max().item()).toBe(9);
    expect(a.min().item()).toBe(1);
    expect(a.amax().dtype).toBe('int32');
    expect(a.float().amax().dtype).toBe('float32');
    expect(tensor([true, false]).amax().dtype).toBe('bool');
    expect(tensor([true, false]).amin().item()).toBe(false);
  });

  it('max(dim) and min(dim) return values and first indices', () => {
    const a = tensor([
      [1, 7, 7],
      [9, 2, 9],
    ]).float();
    const mx = a.max(1);
    expect(mx.values.arraySync()).toEqual([7, 9]);
    expect(mx.indices.arraySync()).toEqual([1, 0]);
    expect(mx.indices.dtype).toBe('int32');
    const mn = a.min(0, true);
    expect(mn.values.arraySync()).toEqual([[1, 2, 7]]);
    expect(mn.indices.arraySync()).toEqual([[0, 1, 0]]);
    const neg = a.max(-2);
    expect(neg.values.arraySync()).toEqual([9, 7, 9]);
    expect(neg.indices.arraySync()).toEqual([1, 0, 1]);
    const s = tensor(4).max(0);
    expect(s.values.shape).toEqual([]);
    expect(s.values.item()).toBe(4);
    expect(s.indices.item()).toBe(0);
  });

  it('NaN propagates (and is picked by max/argmax)', () => {
    const a = tensor([
      [1, Number.NaN, 3],
      [4, 5, 6],
    ]);
    expect(a.amax().item()).toBeNaN();
    expect(a.amin().item()).toBeNaN();
    expect(a.amax(1).dataSync()[0]).toBeNaN();
    expect(a.amax(1).dataSync()[1]).toBe(6);
    expect(a.amax(0).dataSync()[1]).toBeNaN();
    expect(a.argmax(1).arraySync()).toEqual([1, 2]);
    expect(a.argmin(1).arraySync()).toEqual([1, 0]);
    expect(a.argmax().item()).toBe(1);
    expect(a.max(1).values.dataSync()[0]).toBeNaN();
    expect(tensor([Number.NaN, 1, Number.NaN]).argmax().item()).toBe(0);
  });

  it('handles infinities', () => {
    expect(tensor([-Infinity, -Infinity]).amax().item()).toBe(-Infinity);
    expect(tensor([Infinity, 1]).amin().item()).toBe(1);
    expect(tensor([-Infinity, -Infinity]).argmax().item()).toBe(0);
  });

  for (const [name, x] of layouts(3)) {
    it(`amax, amin, argmax, argmin and max(dim) match a reference (${name})`, () => {
      const data = Array.from(x.dataSync());
      for (const dim of DIM_CASES) {
        for (const keepdim of [false, true]) {
          const dims = dimsOf(dim);
          const r = refReduce(data, x.shape, dims, refMax, keepdim);
          const m = x.amax(dim, keepdim);
          expect(m.shape).toEqual(r.shape);
          expect(Array.from(m.dataSync())).toEqual(r.data);
          expect(Array.from(x.amin(dim, keepdim).dataSync())).toEqual(
            refReduce(data, x.shape, dims, refMin).data,
          );
        }
      }
      for (const d of [0, 1, 2, -1]) {
        const dd = d < 0 ? d + 3 : d;
        expect(Array.from(x.argmax(d).dataSync())).toEqual(refReduce(data, x.shape, [dd], refArgmax).data);
        expect(Array.from(x.argmin(d, true).dataSync())).toEqual(
          refReduce(data, x.shape, [dd], refArgmin).data,
        );
        const { values, indices } = x.max(d);
        expect(Array.from(values.dataSync())).toEqual(refReduce(data, x.shape, [dd], refMax).data);
        expect(Array.from(indices.dataSync())).toEqual(refReduce(data, x.shape, [dd], refArgmax).data);
        const mn = x.min(d, true);
        expect(mn.values.shape).toEqual(x.shape.map((s, i) => (i === dd ? 1 : s)));
        expect(Array.from(mn.values.dataSync())).toEqual(refReduce(data, x.shape, [dd], refMin).data);
      }
      expect(x.argmax().item()).toBe(refArgmax(data));
      expect(x.argmin().item()).toBe(refArgmin(data));
    });
  }

  it('argmax over the flattened tensor; keepdim gives all-ones shape', () => {
    const a = tensor([
      [1, 5],
      [7, 2],
    ]);
    expect(a.argmax().item()).toBe(2);
    expect(a.argmax().shape).toEqual([]);
    expect(a.argmax(undefined, true).shape).toEqual([1, 1]);
    expect(a.argmin().item()).toBe(0);
    expect(a.T.argmax().item()).toBe(1);
    expect(a.argmax().dtype).toBe('int32');
    expect(tensor(3).argmax().item()).toBe(0);
    expect(tensor(3).argmax(0).item()).toBe(0);
    expect(tensor([4, 4, 4]).argmax().item()).toBe(0);
  });

  it('empty inputs give clear errors', () => {
    const e = zeros([0, 3]);
    expect(() => e.amax()).toThrow(/amax: cannot reduce over dim 0 of size 0 \(input shape \[0,3\]\)/);
    expect(() => e.amin(0)).toThrow(/amin: cannot reduce over dim 0 of size 0/);
    expect(() => e.max()).toThrow(/amax: .*\[0,3\]/);
    expect(() => e.max(0)).toThrow(/max: cannot reduce over dim 0 of size 0 \(input shape \[0,3\]\)/);
    expect(() => e.min(0)).toThrow(/min: cannot reduce over dim 0/);
    expect(() => e.argmax()).toThrow(
      /argmax: cannot take the argmax of an empty tensor \(input shape \[0,3\]\)/,
    );
    expect(() => e.argmin(0)).toThrow(
      /argmin: cannot take the argmin of an empty dim 0 \(input shape \[0,3\]\)/,
    );
    // Reducing a non-empty dim of an empty tensor is fine.
    expect(e.amax(1).shape).toEqual([0]);
    expect(e.argmax(1).shape).toEqual([0]);
    expect(e.max(1).values.shape).toEqual([0]);
    expect(() => A().max(2)).toThrow(/max: dim 2 is out of range/);
  });
});

describe('var / std', () => {
  it('hand-worked values with correction', () => {
    const x = tensor([1, 2, 3, 4], { dtype: 'float32' });
    expect(x.var().item()).toBeCloseTo(5 / 3, 6);
    expect(x.var(0, { correction: 0 }).item()).toBeCloseTo(1.25, 6);
    expect(x.var(undefined, { correction: 2 }).item()).toBeCloseTo(2.5, 6);
    expect(x.std().item()).toBeCloseTo(Math.sqrt(5 / 3), 6);
    expect(tensor([5.5]).var().item()).toBeNaN();
    expect(tensor([5.5]).var(0, { correction: 0 }).item()).toBe(0);
    expect(tensor([1.5, 3]).var(0, { correction: 5 }).item()).toBe(Infinity);
    const m = tensor(
      [
        [1, 2],
        [3, 6],
      ],
      { dtype: 'float32' },
    );
    expect(m.var(0).arraySync()).toEqual([2, 8]);
    expect(m.var(1, { keepdim: true }).arraySync()).toEqual([[0.5], [4.5]]);
    expect(m.std(1, { keepdim: true }).shape).toEqual([2, 1]);
    expect(() => A().var()).toThrow('var: input dtype int32 is not floating point; call .float() first');
    expect(() => A().std()).toThrow(/std: input dtype int32 is not floating point/);
    expect(() => m.var(0, { correction: Number.NaN })).toThrow(
      /var: option 'correction' must be a number, got NaN/,
    );
  });

  for (const [name, x] of layouts(4)) {
    it(`matches a float64 reference (${name})`, () => {
      const data = Array.from(x.dataSync());
      for (const dim of DIM_CASES) {
        const dims = dimsOf(dim);
        for (const correction of [0, 1]) {
          const v = x.var(dim, { correction });
          expectClose(
            v.dataSync(),
            refReduce(data, x.shape, dims, (g) => refVar(g, correction)).data,
            1e-4,
            1e-6,
          );
          const s = x.std(dim, { correction, keepdim: true });
          expect(s.shape).toEqual(x.shape.map((d, i) => (dims.includes(i) ? 1 : d)));
          expectClose(
            s.dataSync(),
            refReduce(data, x.shape, dims, (g) => Math.sqrt(refVar(g, correction))).data,
            1e-4,
            1e-6,
          );
        }
      }
    });
  }
});

describe('logsumexp', () => {
  it('is numerically stable and handles infinities', () => {
    expect(tensor([1000, 1000]).logsumexp(0).item()).toBeCloseTo(1000 + Math.LN2, 3);
    expect(tensor([-1000, -1000]).logsumexp(0).item()).toBeCloseTo(-1000 + Math.LN2, 3);
    expect(tensor([-Infinity, -Infinity]).logsumexp(0).item()).toBe(-Infinity);
    expect(tensor([-Infinity, 0]).logsumexp(0).item()).toBeCloseTo(0, 6);
    expect(tensor([Infinity, 0]).logsumexp(0).item()).toBe(Infinity);
    expect(tensor([Number.NaN, 0]).logsumexp(0).item()).toBeNaN();
    const m = tensor([
      [0, 0],
      [-Infinity, -Infinity],
    ]);
    const r = m.logsumexp(1).dataSync();
    expect(r[0]).toBeCloseTo(Math.LN2, 6);
    expect(r[1]).toBe(-Infinity);
    expect(m.logsumexp(1, true).shape).toEqual([2, 1]);
    expect(zeros([0, 2]).logsumexp(0).arraySync()).toEqual([-Infinity, -Infinity]);
  });

  it('promotes int32 to float32 (as PyTorch)', () => {
    const r = tensor([1, 2, 3]).logsumexp(0);
    expect(r.dtype).toBe('float32');
    expect(r.item()).toBeCloseTo(Math.log(Math.E + Math.E ** 2 + Math.E ** 3), 5);
  });

  for (const [name, x] of layouts(5)) {
    it(`matches a float64 reference (${name})`, () => {
      const data = Array.from(x.dataSync());
      const ref = (g: number[]) => Math.log(g.reduce((a, v) => a + Math.exp(v), 0));
      for (const dim of DIM_CASES) {
        for (const keepdim of [false, true]) {
          const r = refReduce(data, x.shape, dimsOf(dim), ref, keepdim);
          const out = x.logsumexp(dim as number | number[], keepdim);
          expect(out.shape).toEqual(r.shape);
          expectClose(out.dataSync(), r.data, 1e-5, 1e-5);
        }
      }
    });
  }
});

describe('norm', () => {
  it('hand-worked values for each p', () => {
    const v = tensor([3, -4], { dtype: 'float32' });
    expect(v.norm().item()).toBeCloseTo(5, 6);
    expect(v.norm(2).item()).toBeCloseTo(5, 6);
    expect(v.norm(1).item()).toBe(7);
    expect(v.norm(Infinity).item()).toBe(4);
    expect(v.norm(-Infinity).item()).toBe(3);
    expect(v.norm(3).item()).toBeCloseTo(Math.cbrt(27 + 64), 5);
    expect(v.norm(0.5).item()).toBeCloseTo((Math.sqrt(3) + 2) ** 2, 4);
    expect(tensor([0, 2, 0, -1]).float().norm(0).item()).toBe(2);
    const m = tensor([
      [1, 2],
      [3, 4],
    ]).float();
    expect(m.norm('fro').item()).toBeCloseTo(Math.sqrt(30), 5);
    expect(m.norm(2, 1).dataSync()[1]).toBeCloseTo(5, 6);
    expect(m.norm(1, 0, true).arraySync()).toEqual([[4, 6]]);
    expect(zeros([0]).norm().item()).toBe(0);
    expect(zeros([3]).norm().item()).toBe(0);
    expect(() => zeros([0]).norm(Infinity)).toThrow(/norm: cannot reduce over dim 0 of size 0/);
    expect(() => tensor([1, 2], { dtype: 'int32' }).norm()).toThrow(
      /norm: input dtype int32 is not floating point/,
    );
    expect(() => v.norm(Number.NaN)).toThrow(/norm: p must be a number or 'fro'/);
    expect(() => v.norm('nuc' as unknown as number)).toThrow(
      /norm: p must be a number or 'fro', got string nuc/,
    );
  });

  for (const [name, x] of layouts(6)) {
    it(`matches a float64 reference (${name})`, () => {
      const data = Array.from(x.dataSync());
      const refs: [number, (g: number[]) => number][] = [
        [1, (g) => g.reduce((a, v) => a + Math.abs(v), 0)],
        [2, (g) => Math.sqrt(g.reduce((a, v) => a + v * v, 0))],
        [3, (g) => g.reduce((a, v) => a + Math.abs(v) ** 3, 0) ** (1 / 3)],
        [Infinity, (g) => Math.max(...g.map(Math.abs))],
        [-Infinity, (g) => Math.min(...g.map(Math.abs))],
      ];
      for (const [p, f] of refs) {
        for (const dim of [undefined, 1, [0, 2]]) {
          expectClose(x.norm(p, dim).dataSync(), refReduce(data, x.shape, dimsOf(dim), f).data, 1e-4, 1e-6);
        }
      }
    });
  }
});

describe('all / any', () => {
  it('hand-worked values, dims and dtypes', () => {
    const b = tensor([
      [true, false],
      [true, true],
    ]);
    expect(b.all().item()).toBe(false);
    expect(b.any().item()).toBe(true);
    expect(b.all(1).arraySync()).toEqual([false, true]);
    expect(b.any(0, true).arraySync()).toEqual([[true, true]]);
    expect(b.all().dtype).toBe('bool');
    expect(tensor([0, 2, 0]).any().item()).toBe(true);
    expect(tensor([0, 0]).any().item()).toBe(false);
    expect(tensor([1.5, Number.NaN]).all().item()).toBe(true);
    expect(tensor([1, 0], { dtype: 'float32' }).all().item()).toBe(false);
    expect(zeros([0]).all().item()).toBe(true);
    expect(zeros([0]).any().item()).toBe(false);
    expect(zeros([2, 0]).all(1).arraySync()).toEqual([true, true]);
    expect(tensor(true).all().item()).toBe(true);
    expect(() => b.any(2)).toThrow(/any: dim 2 is out of range/);
  });

  for (const [name, x] of layouts(7)) {
    it(`match a reference (${name})`, () => {
      const g = x.gt(0.3);
      const data = Array.from(g.dataSync());
      for (const dim of DIM_CASES) {
        const dims = dimsOf(dim);
        expect(Array.from(g.all(dim).dataSync())).toEqual(
          refReduce(data, g.shape, dims, (v) => (v.every((e) => e !== 0) ? 1 : 0)).data,
        );
        expect(Array.from(x.any(dim).dataSync())).toEqual(
          refReduce(Array.from(x.dataSync()), x.shape, dims, (v) => (v.some((e) => e !== 0) ? 1 : 0)).data,
        );
        expect(Array.from(g.any(dim).dataSync())).toEqual(
          refReduce(data, g.shape, dims, (v) => (v.some((e) => e !== 0) ? 1 : 0)).data,
        );
      }
    });
  }
});

describe('cumsum / cumprod', () => {
  it('hand-worked values and dtypes', () => {
    const a = A();
    expect(a.cumsum(1).arraySync()).toEqual([
      [1, 3, 6],
      [4, 9, 15],
    ]);
    expect(a.cumsum(0).arraySync()).toEqual([
      [1, 2, 3],
      [5, 7, 9],
    ]);
    expect(a.cumprod(-1).arraySync()).toEqual([
      [1, 2, 6],
      [4, 20, 120],
    ]);
    expect(a.cumsum(0).dtype).toBe('int32');
    expect(tensor([true, true, false]).cumsum(0).dtype).toBe('int32');
    expect(tensor([true, true, false]).cumsum(0).arraySync()).toEqual([1, 2, 2]);
    expect(tensor([0.5, 2]).cumprod(0).arraySync()).toEqual([0.5, 1]);
    expect(tensor(3).cumsum(0).item()).toBe(3);
    expect(tensor(3).cumsum(0).shape).toEqual([]);
    expect(zeros([0, 3]).cumsum(0).shape).toEqual([0, 3]);
    expect(zeros([2, 0]).cumprod(1).shape).toEqual([2, 0]);
    expect(tensor([65536, 65536], { dtype: 'int32' }).cumprod(0).arraySync()).toEqual([65536, 0]);
    expect(() => a.cumsum(2)).toThrow(/cumsum: dim 2 is out of range/);
    expect(() => a.cumprod(-3)).toThrow(/cumprod: dim -3 is out of range/);
  });

  it('keeps float32 prefix sums accurate', () => {
    const c = ones([2_000_001]).cumsum(0).dataSync();
    expect(c[2_000_000]).toBe(2_000_001);
    const t = full([100_000], 0.1).cumsum(0).dataSync();
    expect(Math.abs(t[99_999]! - 1e5 * Math.fround(0.1))).toBeLessThan(1e-3);
  });

  for (const [name, x] of layouts(8, true)) {
    it(`match a float64 reference (${name})`, () => {
      const data = Array.from(x.dataSync());
      for (const dim of [0, 1, 2, -1]) {
        const d = dim < 0 ? dim + 3 : dim;
        for (const op of ['cumsum', 'cumprod'] as const) {
          const got = x[op](dim);
          expect(got.shape).toEqual(x.shape);
          const ref = new Array<number>(data.length);
          const stride = x.shape.slice(d + 1).reduce((a, b) => a * b, 1);
          for (let i = 0; i < data.length; i++) {
            const j = Math.floor(i / stride) % x.shape[d]!;
            ref[i] =
              j === 0
                ? data[i]!
                : op === 'cumsum'
                  ? ref[i - stride]! + data[i]!
                  : ref[i - stride]! * data[i]!;
          }
          expectClose(got.dataSync(), ref, 1e-5, 1e-5);
        }
      }
    });
  }
});

describe('recorded ops', () => {
  it('records sum, prod, amax, amin, any, all, argmax, argmin, cumsum, cumprod and norm with attrs', () => {
    const x = randn([2, 3, 4]);
    const calls = recordTopLevel(() => {
      x.sum([-1, 0], true);
      x.prod(1);
      x.amax();
      amax(x, 2);
      x.amin(-2, true);
      x.any(0);
      x.all();
      x.argmax(-1);
      x.argmin();
      x.cumsum(-1);
      x.cumprod(0);
      x.norm(3, [2, 0]);
    });
    expect(calls.map((c) => [c.name, c.attrs])).toEqual([
      ['sum', { dims: [0, 2], keepdim: true }],
      ['prod', { dims: [1], keepdim: false }],
      ['amax', { dims: [0, 1, 2], keepdim: false }],
      ['amax', { dims: [2], keepdim: false }],
      ['amin', { dims: [1], keepdim: true }],
      ['any', { dims: [0], keepdim: false }],
      ['all', { dims: [0, 1, 2], keepdim: false }],
      ['argmax', { dim: 2, keepdim: false }],
      ['argmin', { dim: null, keepdim: false }],
      ['cumsum', { dim: 2 }],
      ['cumprod', { dim: 0 }],
      ['norm', { p: 3, dims: [0, 2], keepdim: false }],
    ]);
    for (const c of calls) expect(c.inputs).toEqual([x]);
  });

  it('composites record only their parts', () => {
    const x = randn([2, 3]);
    expect(recordTopLevel(() => x.mean(1)).map((c) => c.name)).toEqual(['sum', 'div']);
    expect(recordTopLevel(() => x.max(1)).map((c) => c.name)).toEqual([
      'argmax',
      'gather',
      'reshape',
      'reshape',
    ]);
    expect(recordTopLevel(() => x.norm('fro')).map((c) => [c.name, c.attrs])).toEqual([
      ['norm', { p: 2, dims: [0, 1], keepdim: false }],
    ]);
    const calls = recordTopLevel(() => x.logsumexp(1));
    const names = calls.map((c) => c.name);
    expect(names).toContain('amax');
    expect(names).toContain('sum');
    expect(names).not.toContain('logsumexp');
    // the max is taken on a detached view, not on x itself
    expect(calls.find((c) => c.name === 'amax')!.inputs[0]).not.toBe(x);
  });

  it('casts bool before recording cumsum', () => {
    const b = tensor([true, false]);
    const calls = recordTopLevel(() => b.cumsum(0));
    expect(calls.map((c) => c.name)).toEqual(['cast', 'cumsum']);
    expect(calls[1]!.inputs[0]!.dtype).toBe('int32');
  });
});
