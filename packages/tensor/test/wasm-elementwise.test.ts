import {
  cpuKernelStats,
  leakyRelu,
  maxPool2d,
  maxPool2dBackward,
  maxPool2dWithIndices,
  randn,
  sub,
  type Tensor,
  tensor,
  thresholdBackward,
  where,
} from '@tessera/tensor';
import { beforeAll, describe, expect, it } from 'vitest';
import { loadWasmKernels, MIN_ELEMENTWISE_SIZE } from '../src/wasm/index.js';
import { VARIANTS, withKernels } from './wasm-helpers.js';

// The memory-bound float32 kernels on WebAssembly (relu and its gradient, arithmetic, sqrt, 2x2
// max pooling and its gradient) must equal the TypeScript kernels bit for bit, in every variant,
// and must actually run (each comparison counts the WebAssembly calls it made).

/** Runs `make` under `mode`; returns its tensors' data and the WebAssembly calls it made. */
function run(mode: string, make: () => Tensor[]): { data: ArrayLike<number>[]; calls: number } {
  return withKernels(mode as 'ts', () => {
    const before = cpuKernelStats().calls;
    const out = make();
    const calls = cpuKernelStats().calls - before;
    return { data: out.map((t) => t.dataSync()), calls };
  });
}

/** `make` gives bit-identical results in every WebAssembly variant and on the TypeScript kernels. */
function same(what: string, make: () => Tensor[], wasmCalls = 1): void {
  const ref = run('ts', make);
  expect(ref.calls, `${what}: calls in mode 'ts'`).toBe(0);
  for (const v of VARIANTS) {
    const got = run(v, make);
    expect(got.calls, `${what} (${v}): WebAssembly calls`).toBeGreaterThanOrEqual(wasmCalls);
    for (const [k, a] of got.data.entries()) {
      const b = ref.data[k]!;
      expect(a.length, what).toBe(b.length);
      let diff = 0;
      let first = -1;
      for (let i = 0; i < a.length; i++) {
        if (!Object.is(a[i], b[i])) {
          diff++;
          if (first < 0) first = i;
        }
      }
      expect(diff, `${what} (${v}), output ${k}: elements that differ (first at ${first})`).toBe(0);
    }
  }
}

/** randn with NaN, infinities, signed zeros and ties planted at the start. */
function special(shape: number[]): Tensor {
  const d = Float32Array.from(randn(shape).dataSync());
  const planted = [Number.NaN, -0, 0, Number.POSITIVE_INFINITY, Number.NEGATIVE_INFINITY, 1, 1, 1, 1, -2];
  d.set(planted, 0);
  // A tie across a 2x2 window of the first plane (rows 2 and 3, columns 4 and 5).
  const W = shape[shape.length - 1]!;
  for (const i of [2 * W + 4, 2 * W + 5, 3 * W + 4, 3 * W + 5]) d[i] = 0.5;
  return tensor(d).reshape(shape);
}

beforeAll(async () => {
  expect(await loadWasmKernels()).not.toBeNull();
});

describe('elementwise float32 kernels', () => {
  it('relu and sqrt, with NaN, infinities and signed zeros, ragged lengths', () => {
    for (const shape of [
      [64, 6, 28, 28],
      [3, 5, 1001],
    ]) {
      const x = special(shape);
      same(`relu ${shape}`, () => [x.relu()]);
      same(`sqrt ${shape}`, () => [x.sqrt()]);
    }
  });

  it('square, neg, abs and leakyRelu (its product rounded once from float64, as in TypeScript)', () => {
    const x = special([16, 32, 14, 15]);
    same('square', () => [x.square()]);
    same('neg', () => [x.neg()]);
    same('abs', () => [x.abs()]);
    same('leakyRelu(0.2)', () => [leakyRelu(x, 0.2)]);
    same('leakyRelu(0.01)', () => [leakyRelu(x, 0.01)]);
  });

  it('comparisons into bool (both operands, a number on either side, NaN) and where', () => {
    const a = special([16, 8, 13, 11]);
    const b = special([16, 8, 13, 11]).flip(0);
    for (const op of ['eq', 'ne', 'lt', 'le', 'gt', 'ge'] as const) {
      same(`${op} same shape`, () => [a[op](b).float()]);
      same(`${op} number`, () => [a[op](0.5).float(), a[op](1).float()]);
    }
    same('where(a > 0, a, b)', () => [where(a.gt(0), a, b)]);
    same("leakyRelu's gradient: where(x > 0, g, g * 0.2)", () => [where(a.gt(0), b, b.mul(0.2))]);
  });

  it('per-row scalars in one call: BatchNorm-shaped broadcasts with short rows, either side', () => {
    const x = special([32, 64, 7, 7]);
    const stat = randn([1, 64, 1, 1]);
    for (const op of ['add', 'sub', 'mul', 'div'] as const) {
      same(`${op} [32, 64, 7, 7] with [1, 64, 1, 1]`, () => [x[op](stat), stat[op](x)]);
    }
    const rows = randn([32, 64, 1, 1]);
    same('sub [32, 64, 7, 7] with [32, 64, 1, 1]', () => [x.sub(rows)]);
  });

  it("relu's gradient (thresholdBackward) at 0 and at another threshold", () => {
    const x = special([8, 16, 10, 13]);
    const g = randn([8, 16, 10, 13]);
    same('thresholdBackward(g, x, 0)', () => [thresholdBackward(g, x, 0)]);
    same('thresholdBackward(g, x, 0.25)', () => [thresholdBackward(g, x, 0.25)]);
  });

  it('add, sub, mul, div: same shapes, per-channel bias, scalars on either side, in place', () => {
    const a = special([16, 6, 14, 15]);
    const b = randn([16, 6, 14, 15]);
    const bias = randn([1, 6, 1, 1]);
    const row = randn([15]);
    for (const op of ['add', 'sub', 'mul', 'div'] as const) {
      same(`${op} same shape`, () => [a[op](b)]);
      same(`${op} bias [1, C, 1, 1]`, () => [a[op](bias), bias[op](a)]);
      same(`${op} a row broadcast [W]`, () => [a[op](row), row[op](a)]);
      same(`${op} scalar`, () => [a[op](0.3)]);
    }
    same('2 - x (scalar first)', () => [sub(2, a)]);
    same('in place add_', () => [a.clone().add_(b)], 1);
  });

  it("the optimizers' fused in-place updates: add_ with alpha, addcmul_, addcdiv_, lerp_ (both sides)", () => {
    const p = special([48000]);
    const g = randn([48000]);
    const v = randn([48000]).abs().add(1e-3);
    same('add_(g, alpha)', () => [p.clone().add_(g, 0.37)]);
    same('sub_(g, alpha)', () => [p.clone().sub_(g, 0.37)]);
    same('addcmul_', () => [p.clone().addcmul_(g, v, 0.001)]);
    same('addcdiv_', () => [p.clone().addcdiv_(g, v, -0.001)]);
    same('lerp_(g, 0.1)', () => [p.clone().lerp_(g, 0.1)]);
    same('lerp_(g, 0.9)', () => [p.clone().lerp_(g, 0.9)]);
  });

  it('float32 sums over any dims, in float64 accumulators as the TypeScript kernel (bias gradients)', () => {
    const x = special([64, 6, 28, 29]).mul(1000);
    same('sum over (0, 2, 3)', () => [x.sum([0, 2, 3])]);
    same('sum over 0 (rows into a run)', () => [x.sum(0)]);
    same('sum over the last dim', () => [x.sum(-1)]);
    same('sum of everything', () => [x.sum()]);
    const m = randn([128, 512]);
    same('Linear bias gradient: sum(0) of [128, 512]', () => [m.sum(0), m.sum(1, true)]);
  });

  it('declines what it does not handle: small, float64, transposed operands (results still exact)', () => {
    const small = randn([MIN_ELEMENTWISE_SIZE - 1]);
    const r = run('wasm-simd', () => [small.relu()]);
    expect(r.calls).toBe(0);
    const f64 = randn([100, 100], { dtype: 'float64' });
    expect(run('wasm-simd', () => [f64.add(f64)]).calls).toBe(0);
    const m = randn([200, 300]);
    const n = randn([300, 200]);
    // a row of m.mT walks m with stride 300: declined, and the strided TypeScript loop runs.
    expect(run('wasm-simd', () => [m.mT.add(n)]).calls).toBe(0);
    same('m.mT + n (declined, exact)', () => [m.mT.add(n)], 0);
  });
});

describe('max pooling on WebAssembly', () => {
  it('2x2 windows: values and indices, NaN wins, first maximum wins ties, odd sizes', () => {
    for (const shape of [
      [64, 6, 28, 28],
      [4, 3, 29, 31],
      [20, 5, 10, 10],
      [300, 10, 6, 7],
    ]) {
      const x = special(shape);
      same(`maxPool2dWithIndices ${shape}`, () => {
        const r = maxPool2dWithIndices(x, 2);
        return [r.values, r.indices];
      });
    }
  });

  it("other windows keep the TypeScript kernel; the gradient adds overlapping windows' shares", () => {
    const x = special([4, 8, 23, 23]);
    const r3 = run('wasm-simd', () => [maxPool2d(x, 3, { stride: 2 })]);
    expect(r3.calls).toBe(0);
    const { values, indices } = maxPool2dWithIndices(x, 3, { stride: 2 });
    const dy = randn(values.shape);
    same('maxPool2dBackward (3x3, stride 2: overlapping)', () => [maxPool2dBackward(dy, indices, x.shape)]);
    const p2 = maxPool2dWithIndices(x, 2);
    const dy2 = randn(p2.values.shape);
    same('maxPool2dBackward (2x2)', () => [maxPool2dBackward(dy2, p2.indices, x.shape)]);
  });

  it('rejects indices outside the input plane on every kernel', () => {
    const dy = randn([4, 8, 11, 11]);
    const values = new Array<number>(4 * 8 * 11 * 11).fill(3);
    const idx = tensor(values, { dtype: 'int32' }).reshape([4, 8, 11, 11]);
    values[5] = 23 * 23;
    const bad = tensor(values, { dtype: 'int32' }).reshape([4, 8, 11, 11]);
    for (const mode of ['ts', ...VARIANTS]) {
      withKernels(mode as 'ts', () => {
        expect(maxPool2dBackward(dy, idx, [4, 8, 23, 23]).shape).toEqual([4, 8, 23, 23]);
        expect(() => maxPool2dBackward(dy, bad, [4, 8, 23, 23])).toThrow(
          'maxPool2dBackward: 1 of the indices lie outside [0, 529), the input plane (H * W = 23 * 23)',
        );
      });
    }
  });
});
