import {
  abs,
  add,
  and,
  atan2,
  ceil,
  clamp,
  cos,
  type DType,
  div,
  elu,
  eq,
  erf,
  exp,
  exp2,
  expm1,
  floor,
  ge,
  gelu,
  gt,
  isfinite,
  isnan,
  le,
  leakyRelu,
  log,
  log1p,
  log2,
  lt,
  maximum,
  minimum,
  mul,
  ne,
  neg,
  not,
  or,
  pow,
  reciprocal,
  relu,
  remainder,
  round,
  rsqrt,
  sigmoid,
  sign,
  silu,
  sin,
  softplus,
  sqrt,
  square,
  sub,
  type Tensor,
  tan,
  tanh,
  tensor,
  trunc,
  where,
  xor,
  zeros,
} from '@tessera/tensor';
import { describe, expect, it } from 'vitest';
import { build, closeTo, map, nested, permute, type Ref, randomRef, slice, zip } from './core-ref.js';

// Elementwise ops against float64 references computed here, on contiguous, transposed,
// negative-stride and broadcast inputs, in float32 and float64.

const fromRef = (r: Ref, dtype: DType = 'float32'): Tensor => tensor(r.data, { dtype, shape: r.shape });

/** Reads a tensor's values as a flat float64 list. */
const flat = (t: Tensor): number[] => Array.from(t.dataSync());

function expectClose(t: Tensor, want: Ref, tol: number): void {
  expect(t.shape).toEqual(want.shape);
  const err = closeTo(flat(t), want.data, tol);
  expect(err).toBeNull();
}

const unaryCases: [string, (x: Tensor) => Tensor, (v: number) => number, number, number][] = [
  // name, op, reference, lo, hi of the input range
  ['neg', neg, (v) => -v, -3, 3],
  ['abs', abs, Math.abs, -3, 3],
  ['sign', sign, Math.sign, -3, 3],
  ['exp', exp, Math.exp, -5, 5],
  ['exp2', exp2, (v) => 2 ** v, -5, 5],
  ['log', log, Math.log, 0.01, 10],
  ['log2', log2, Math.log2, 0.01, 10],
  ['log1p', log1p, Math.log1p, -0.9, 10],
  ['expm1', expm1, Math.expm1, -3, 3],
  ['sqrt', sqrt, Math.sqrt, 0, 10],
  ['rsqrt', rsqrt, (v) => 1 / Math.sqrt(v), 0.01, 10],
  ['square', square, (v) => v * v, -3, 3],
  ['sin', sin, Math.sin, -6, 6],
  ['cos', cos, Math.cos, -6, 6],
  ['tan', tan, Math.tan, -1.4, 1.4],
  ['tanh', tanh, Math.tanh, -5, 5],
  ['sigmoid', sigmoid, (v) => 1 / (1 + Math.exp(-v)), -20, 20],
  ['relu', relu, (v) => Math.max(v, 0), -3, 3],
  ['leakyRelu', (x) => leakyRelu(x, 0.2), (v) => (v > 0 ? v : 0.2 * v), -3, 3],
  ['elu', (x) => elu(x, 1.5), (v) => (v > 0 ? v : 1.5 * (Math.exp(v) - 1)), -3, 3],
  ['silu', silu, (v) => v / (1 + Math.exp(-v)), -6, 6],
  ['softplus', (x) => softplus(x, 2, 10), (v) => (2 * v > 10 ? v : Math.log(1 + Math.exp(2 * v)) / 2), -6, 8],
  [
    'geluTanh',
    (x) => gelu(x, 'tanh'),
    (v) => 0.5 * v * (1 + Math.tanh(Math.sqrt(2 / Math.PI) * (v + 0.044715 * v ** 3))),
    -4,
    4,
  ],
  ['floor', floor, Math.floor, -5, 5],
  ['ceil', ceil, Math.ceil, -5, 5],
  ['trunc', trunc, Math.trunc, -5, 5],
  ['reciprocal', reciprocal, (v) => 1 / v, 0.1, 5],
  ['clamp', (x) => clamp(x, -0.5, 0.7), (v) => Math.min(Math.max(v, -0.5), 0.7), -2, 2],
];

describe('unary ops match float64 references', () => {
  for (const [name, op, ref, lo, hi] of unaryCases) {
    it(`${name}: contiguous, transposed and negative-stride inputs, float32 and float64`, () => {
      const base = randomRef([5, 7], name.length * 101, lo, hi);
      for (const dtype of ['float32', 'float64'] as const) {
        const tol = dtype === 'float32' ? 2e-6 : 1e-12;
        const x = fromRef(base, dtype);
        expectClose(op(x), map(base, ref), tol);
        expectClose(op(x.T), map(permute(base, [1, 0]), ref), tol);
        const s = x.slice(1, undefined, undefined, -2);
        expectClose(op(s), map(slice(base, 1, undefined, undefined, -2), ref), tol);
        expect(op(x).dtype).toBe(dtype);
      }
    });
  }

  it('erf and exact gelu against known values', () => {
    const x = tensor([-1, 0, 0.1, 0.5, 1, 2, 3, 7], { dtype: 'float64' });
    const want = [
      -0.8427007929497149, 0, 0.1124629160182849, 0.5204998778130465, 0.8427007929497149, 0.9953222650189527,
      0.9999779095030014, 1,
    ];
    expect(closeTo(flat(erf(x)), want, 1e-13)).toBeNull();
    const g = gelu(tensor([-1, 1, 2], { dtype: 'float64' }));
    expect(
      closeTo(flat(g), [-0.15865525393145707, 0.8413447460685429, 1.9544997361036416], 1e-13),
    ).toBeNull();
  });

  it('round halves to even; sign keeps NaN; isnan/isfinite give bool', () => {
    expect(round(tensor([0.5, 1.5, 2.5, -0.5, -1.5, 2.4, -2.6])).arraySync()).toEqual([
      0, 2, 2, -0, -2, 2, -3,
    ]);
    const v = tensor([Number.NaN, 1, Number.POSITIVE_INFINITY, -2]);
    expect(isnan(v).arraySync()).toEqual([true, false, false, false]);
    expect(isfinite(v).arraySync()).toEqual([false, true, false, true]);
    expect(isnan(v).dtype).toBe('bool');
    expect(sign(v).arraySync()).toEqual([Number.NaN, 1, 1, -1]);
    expect(relu(tensor([Number.NaN, -1])).arraySync()).toEqual([Number.NaN, 0]);
  });

  it('clamp: one-sided bounds, min > max, NaN, integer tensors', () => {
    const x = tensor([-2, 0.5, 3, Number.NaN]);
    expect(clamp(x, 0).arraySync()).toEqual([0, 0.5, 3, Number.NaN]);
    expect(clamp(x, null, 1).arraySync()).toEqual([-2, 0.5, 1, Number.NaN]);
    expect(clamp(x, 2, 1).arraySync()).toEqual([1, 1, 1, Number.NaN]);
    expect(clamp(tensor([-5, 5, 0]), -1, 1).arraySync()).toEqual([-1, 1, 0]);
    expect(() => clamp(x)).toThrow('clamp: at least one of min and max must be given');
  });

  it('handles 0-d and empty tensors', () => {
    expect(exp(tensor(0)).item()).toBe(1);
    expect(exp(tensor(0)).shape).toEqual([]);
    const e = sqrt(zeros([0, 3]));
    expect(e.shape).toEqual([0, 3]);
    expect(e.arraySync()).toEqual([]);
    expect(neg(zeros([2, 0])).shape).toEqual([2, 0]);
  });

  it('integer and bool inputs', () => {
    expect(neg(tensor([1, -2])).arraySync()).toEqual([-1, 2]);
    expect(abs(tensor([true, false])).arraySync()).toEqual([true, false]);
    expect(() => neg(tensor([true]))).toThrow(
      'neg: negation of a bool tensor is not supported; use not() instead',
    );
    expect(() => relu(tensor([true]))).toThrow('relu: bool tensors are not supported');
    expect(sqrt(tensor([4, 9])).arraySync()).toEqual([2, 3]);
    expect(sign(tensor([-3, 0, 5])).arraySync()).toEqual([-1, 0, 1]);
    expect(floor(tensor([3])).arraySync()).toEqual([3]);
  });
});

const binaryCases: [string, (a: Tensor, b: Tensor) => Tensor, (x: number, y: number) => number][] = [
  ['add', (a, b) => add(a, b), (x, y) => x + y],
  ['add alpha', (a, b) => add(a, b, 2.5), (x, y) => x + 2.5 * y],
  ['sub', (a, b) => sub(a, b), (x, y) => x - y],
  ['sub alpha', (a, b) => a.sub(b, -2), (x, y) => x + 2 * y],
  ['mul', mul, (x, y) => x * y],
  ['div', (a, b) => div(a, b), (x, y) => x / y],
  ['pow', (a, b) => pow(a.abs(), b), (x, y) => Math.abs(x) ** y],
  ['remainder', remainder, (x, y) => x - Math.floor(x / y) * y],
  ['minimum', minimum, Math.min],
  ['maximum', maximum, Math.max],
  ['atan2', atan2, Math.atan2],
];

/** Shape pairs that broadcast, including scalars, size-1 dims, rank differences and empties. */
const shapePairs: [number[], number[]][] = [
  [
    [3, 4],
    [3, 4],
  ],
  [[3, 4], [4]],
  [
    [3, 1],
    [1, 4],
  ],
  [
    [2, 1, 4],
    [3, 1],
  ],
  [[], [2, 3]],
  [[5], []],
  [[], []],
  [[0, 3], [3]],
  [[2, 0], [1]],
];

describe('binary ops match float64 references with broadcasting', () => {
  for (const [name, op, ref] of binaryCases) {
    it(`${name}: broadcast shapes, float32 and float64`, () => {
      let seed = 7;
      for (const [sa, sb] of shapePairs) {
        const a = randomRef(sa, seed++, -3, 3);
        // Keep divisors away from 0 so that the float32 result is well conditioned.
        const b = map(randomRef(sb, seed++, 0.5, 3), (v) => (seed % 2 === 0 ? v : -v));
        for (const dtype of ['float32', 'float64'] as const) {
          const got = op(fromRef(a, dtype), fromRef(b, dtype));
          expect(got.dtype).toBe(dtype);
          expectClose(got, zip(a, b, ref), dtype === 'float32' ? 3e-6 : 1e-12);
        }
      }
    });
  }

  it('reads transposed, sliced and expanded operands in place', () => {
    const a = randomRef([4, 6], 1);
    const b = randomRef([6, 4], 2);
    const ta = fromRef(a);
    const tb = fromRef(b);
    // a^T + b  (both [6, 4])
    expectClose(
      add(ta.T, tb),
      zip(permute(a, [1, 0]), b, (x, y) => x + y),
      1e-6,
    );
    // every other column of a, reversed, times a row of b
    const sa = ta.slice(1, undefined, undefined, -2); // [4, 3]
    const rb = tb.select(0, 2).slice(0, 0, 3).unsqueeze(0); // [1, 3]
    const refA = slice(a, 1, undefined, undefined, -2);
    const refB = build([1, 3], ([, j]) => b.data[2 * 4 + j!]!);
    expectClose(
      mul(sa, rb),
      zip(refA, refB, (x, y) => x * y),
      1e-6,
    );
    // expanded operands (stride 0) on both sides
    const col = fromRef(randomRef([4, 1], 3)).expand(4, 5);
    const row = fromRef(randomRef([1, 5], 4)).expand(4, 5);
    expectClose(
      sub(col, row),
      zip(randomRef([4, 1], 3), randomRef([1, 5], 4), (x, y) => x - y),
      1e-6,
    );
  });

  it('long rows take the specialised loops for every layout and dtype', () => {
    for (const dtype of ['float32', 'float64', 'int32'] as const) {
      const a = build([3, 300], ([i, j]) => ((i! * 7 + j!) % 13) - 6);
      const b = build([1, 300], ([, j]) => (j! % 5) + 1);
      const c = build([3, 1], ([i]) => i! + 2);
      const ta = fromRef(a, dtype);
      for (const [name, f, r] of [
        ['add', add, (x: number, y: number) => x + y],
        ['sub', sub, (x: number, y: number) => x - y],
        ['mul', mul, (x: number, y: number) => x * y],
      ] as const) {
        expect(flat(f(ta, fromRef(b, dtype))), `${name} ${dtype}`).toEqual(zip(a, b, r).data);
        expect(flat(f(fromRef(b, dtype), ta)), `${name} ${dtype} left`).toEqual(zip(b, a, r).data);
        expect(flat(f(ta, fromRef(c, dtype))), `${name} ${dtype} col`).toEqual(zip(a, c, r).data);
        expect(flat(f(ta, ta)), `${name} ${dtype} same`).toEqual(zip(a, a, r).data);
        expect(flat(f(ta, 3)), `${name} ${dtype} scalar`).toEqual(map(a, (x) => r(x, 3)).data);
      }
      if (dtype !== 'int32')
        expect(closeTo(flat(div(ta, fromRef(b, dtype))), zip(a, b, (x, y) => x / y).data, 1e-6)).toBeNull();
    }
  });

  it('integer division and remainder by zero throw, as in PyTorch; float division gives inf/NaN', () => {
    const a = tensor([7, -7, 3], { dtype: 'int32' });
    expect(() => div(a, 0, 'floor')).toThrow("div (roundingMode 'floor'): integer division by zero");
    expect(() => div(a, tensor([1, 0, 2], { dtype: 'int32' }), 'trunc')).toThrow(
      'integer division by zero (divisor with shape [3] is 0 at flat index 1)',
    );
    expect(() => remainder(a, tensor([[2], [0]], { dtype: 'int32' }))).toThrow(
      'remainder: integer division by zero (divisor with shape [2, 1] is 0 at flat index 1)',
    );
    expect(() => remainder(a, false)).toThrow('remainder: integer division by zero');
    // Non-zero divisors still work, and float operands keep IEEE results.
    expect(div(a, tensor([2, 2, -2], { dtype: 'int32' }), 'floor').arraySync()).toEqual([3, -4, -2]);
    expect(div(a, 0).arraySync()).toEqual([Infinity, -Infinity, Infinity]);
    expect(remainder(tensor([1.5]), 0).arraySync()).toEqual([Number.NaN]);
  });

  it('integer semantics: wrapping, Python remainder, NaN rules', () => {
    expect(add(tensor([2147483647]), 1).arraySync()).toEqual([-2147483648]);
    expect(remainder(tensor([7, -7, 7, -7]), tensor([3, 3, -3, -3])).arraySync()).toEqual([1, 2, -2, -1]);
    expect(remainder(tensor([5.5, -5.5]), 2).arraySync()).toEqual([1.5, 0.5]);
    expect(minimum(tensor([1, Number.NaN]), tensor([Number.NaN, 0])).arraySync()).toEqual([
      Number.NaN,
      Number.NaN,
    ]);
    expect(maximum(tensor([1, 5]), 3).arraySync()).toEqual([3, 5]);
    expect(div(tensor([1, -1, 0]), 0).arraySync()).toEqual([
      Number.POSITIVE_INFINITY,
      Number.NEGATIVE_INFINITY,
      Number.NaN,
    ]);
  });
});

describe('comparisons and logical ops', () => {
  it('compare elementwise with broadcasting, giving bool', () => {
    const a = tensor([[1, 2, 3]]);
    const b = tensor([[2], [3]]);
    const cases: [(x: Tensor, y: Tensor) => Tensor, (x: number, y: number) => boolean][] = [
      [eq, (x, y) => x === y],
      [ne, (x, y) => x !== y],
      [lt, (x, y) => x < y],
      [le, (x, y) => x <= y],
      [gt, (x, y) => x > y],
      [ge, (x, y) => x >= y],
    ];
    for (const [op, ref] of cases) {
      const r = op(a, b);
      expect(r.dtype).toBe('bool');
      expect(r.arraySync()).toEqual([1, 2].map((y) => [1, 2, 3].map((x) => ref(x, y + 1))));
    }
    expect(eq(tensor([Number.NaN]), tensor([Number.NaN])).arraySync()).toEqual([false]);
    expect(ne(tensor([Number.NaN]), Number.NaN).arraySync()).toEqual([true]);
    expect(a.gt(1.5).arraySync()).toEqual([[false, true, true]]);
  });

  it('logical ops treat non-zero as true', () => {
    const a = tensor([true, true, false, false]);
    const b = tensor([true, false, true, false]);
    expect(and(a, b).arraySync()).toEqual([true, false, false, false]);
    expect(or(a, b).arraySync()).toEqual([true, true, true, false]);
    expect(xor(a, b).arraySync()).toEqual([false, true, true, false]);
    expect(not(a).arraySync()).toEqual([false, false, true, true]);
    expect(and(tensor([2, 0, -1]), 1).arraySync()).toEqual([true, false, true]);
    expect(not(tensor([0.5, 0])).arraySync()).toEqual([false, true]);
    expect(a.not().dtype).toBe('bool');
  });
});

describe('where', () => {
  it('selects with broadcasting across condition and both branches', () => {
    const cond = tensor([[true], [false]]);
    const a = tensor([1, 2, 3]);
    expect(where(cond, a, -1).arraySync()).toEqual([
      [1, 2, 3],
      [-1, -1, -1],
    ]);
    const x = tensor([
      [1, -2],
      [-3, 4],
    ]);
    expect(where(x.gt(0), x, x.T).arraySync()).toEqual([
      [1, -3],
      [-2, 4],
    ]);
    expect(where(tensor(true), tensor([1, 2]), 0).arraySync()).toEqual([1, 2]);
    expect(() => where(tensor([1]), 1, 2)).toThrow('where: condition must be a bool tensor, got int32');
    expect(() => where(tensor([true, false]), tensor([1, 2, 3]), 0)).toThrow(
      'where: shapes [2] and [3] cannot be broadcast (dim -1: 2 vs 3)',
    );
  });
});

describe('results are fresh contiguous tensors', () => {
  it('never alias their inputs', () => {
    const x = tensor([1, 2, 3], { dtype: 'float32' });
    const y = add(x, 0);
    y.fill_(9);
    expect(x.arraySync()).toEqual([1, 2, 3]);
    expect(mul(x.T, 1).isContiguous()).toBe(true);
    expect(nested({ shape: [3], data: [1, 2, 3] })).toEqual(x.arraySync());
  });
});
