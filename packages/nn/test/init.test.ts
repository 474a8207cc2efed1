import {
  BatchNorm1d,
  Bilinear,
  Conv1d,
  Conv2d,
  ConvTranspose2d,
  Embedding,
  GRU,
  GroupNorm,
  init,
  LayerNorm,
  Linear,
  LSTM,
  LSTMCell,
  MultiheadAttention,
} from '@tessera/nn';
import { empty, Generator, manualSeed, type Tensor, zeros } from '@tessera/tensor';
import { describe, expect, it } from 'vitest';
import { flat } from './helpers/grad.js';

function stats(t: Tensor): { min: number; max: number; mean: number; std: number } {
  const v = flat(t);
  const mean = v.reduce((a, b) => a + b, 0) / v.length;
  const std = Math.sqrt(v.reduce((a, b) => a + (b - mean) ** 2, 0) / v.length);
  return { min: Math.min(...v), max: Math.max(...v), mean, std };
}

/** Checks t looks like U(-bound, bound): inside the bounds, reaching near them, std bound/sqrt(3). */
function expectUniform(t: Tensor, bound: number): void {
  const s = stats(t);
  expect(s.min).toBeGreaterThanOrEqual(-bound);
  expect(s.max).toBeLessThanOrEqual(bound);
  if (t.numel() >= 500) {
    expect(s.max).toBeGreaterThan(0.9 * bound);
    expect(s.min).toBeLessThan(-0.9 * bound);
    expect(s.std).toBeGreaterThan((bound / Math.sqrt(3)) * 0.9);
    expect(s.std).toBeLessThan((bound / Math.sqrt(3)) * 1.1);
  }
}

describe('init', () => {
  it('calculateGain has PyTorch values', () => {
    expect(init.calculateGain('linear')).toBe(1);
    expect(init.calculateGain('conv2d')).toBe(1);
    expect(init.calculateGain('conv_transpose2d')).toBe(1);
    expect(init.calculateGain('sigmoid')).toBe(1);
    expect(init.calculateGain('tanh')).toBeCloseTo(5 / 3, 12);
    expect(init.calculateGain('relu')).toBeCloseTo(Math.SQRT2, 12);
    expect(init.calculateGain('leaky_relu')).toBeCloseTo(Math.sqrt(2 / (1 + 0.01 ** 2)), 12);
    expect(init.calculateGain('leaky_relu', 0.2)).toBeCloseTo(Math.sqrt(2 / 1.04), 12);
    expect(init.calculateGain('leaky_relu', Math.sqrt(5))).toBeCloseTo(Math.sqrt(1 / 3), 12);
    expect(init.calculateGain('selu')).toBe(0.75);
    expect(() => init.calculateGain('softmax' as 'relu')).toThrow(/unsupported nonlinearity "softmax"/);
  });

  it('computes fans like PyTorch', () => {
    expect(init.calculateFanInAndFanOut(empty([8, 3, 5, 5]))).toEqual({ fanIn: 75, fanOut: 200 });
    expect(init.calculateFanInAndFanOut(empty([4, 6]))).toEqual({ fanIn: 6, fanOut: 4 });
    expect(() => init.calculateFanInAndFanOut(empty([4]))).toThrow(/fewer than 2 dims, got shape \[4\]/);
  });

  it('uniform_, normal_, constant_, zeros_, ones_, eye_ fill in place', () => {
    const t = zeros([200, 50]);
    expect(init.uniform_(t, -2, 3)).toBe(t);
    const u = stats(t);
    expect(u.min).toBeGreaterThanOrEqual(-2);
    expect(u.max).toBeLessThan(3);
    expect(u.mean).toBeCloseTo(0.5, 1);
    init.normal_(t, 1, 2);
    const n = stats(t);
    expect(n.mean).toBeCloseTo(1, 1);
    expect(n.std).toBeGreaterThan(1.9);
    expect(n.std).toBeLessThan(2.1);
    expect(flat(init.constant_(zeros([3]), 2.5))).toEqual([2.5, 2.5, 2.5]);
    expect(flat(init.ones_(zeros([2])))).toEqual([1, 1]);
    expect(flat(init.zeros_(init.ones_(zeros([2]))))).toEqual([0, 0]);
    expect(init.eye_(zeros([2, 3])).arraySync()).toEqual([
      [1, 0, 0],
      [0, 1, 0],
    ]);
  });

  it('draws from the seeded generator, or from an explicit one', () => {
    manualSeed(5);
    const a = flat(init.uniform_(zeros([10])));
    manualSeed(5);
    const b = flat(init.uniform_(zeros([10])));
    expect(a).toEqual(b);
    const c = flat(init.normal_(zeros([10]), 0, 1, { generator: new Generator(9) }));
    const d = flat(init.normal_(zeros([10]), 0, 1, { generator: new Generator(9) }));
    expect(c).toEqual(d);
    expect(c).not.toEqual(a);
  });

  it('xavier and kaiming use the fans and gains', () => {
    const w = zeros([300, 200]);
    init.xavierUniform_(w, 2);
    expectUniform(w, 2 * Math.sqrt(6 / 500));
    init.xavierNormal_(w);
    expect(stats(w).std).toBeCloseTo(Math.sqrt(2 / 500), 2);
    init.kaimingUniform_(w, { nonlinearity: 'relu' });
    expectUniform(w, Math.sqrt(2) * Math.sqrt(3 / 200));
    init.kaimingUniform_(w, { nonlinearity: 'relu', mode: 'fan_out' });
    expectUniform(w, Math.sqrt(2) * Math.sqrt(3 / 300));
    init.kaimingNormal_(w, { nonlinearity: 'relu' });
    expect(stats(w).std).toBeCloseTo(Math.sqrt(2 / 200), 2);
    // a = sqrt(5) with leaky_relu gives PyTorch's Linear/Conv bound 1/sqrt(fan_in).
    init.kaimingUniform_(w, { a: Math.sqrt(5) });
    expectUniform(w, 1 / Math.sqrt(200));
    expect(() => init.kaimingUniform_(w, { mode: 'fan_avg' as 'fan_in' })).toThrow(
      /mode must be 'fan_in' or 'fan_out'/,
    );
  });

  it('orthogonal_ gives orthonormal rows or columns (times gain)', () => {
    for (const shape of [
      [6, 4],
      [4, 6],
      [3, 2, 2],
    ]) {
      const w = init.orthogonal_(zeros(shape, { dtype: 'float64' }), 2);
      const m = w.reshape(shape[0]!, -1);
      const g = m.shape[0]! < m.shape[1]! ? m.matmul(m.T) : m.T.matmul(m);
      const n = g.shape[0]!;
      const v = flat(g);
      for (let i = 0; i < n; i++)
        for (let j = 0; j < n; j++) expect(v[i * n + j]).toBeCloseTo(i === j ? 4 : 0, 10);
    }
  });

  it('dirac_ makes a convolution that keeps its input', () => {
    const w = init.dirac_(zeros([2, 2, 3, 3]));
    const v = w.arraySync() as number[][][][];
    expect(v[0]![0]![1]![1]).toBe(1);
    expect(v[1]![1]![1]![1]).toBe(1);
    expect(flat(w).reduce((a, b) => a + b, 0)).toBe(2);
  });

  it('rejects non-floating tensors', () => {
    expect(() => init.uniform_(zeros([2], { dtype: 'int32' }))).toThrow(
      /expected a floating-point tensor, got int32/,
    );
  });
});

describe('default initialisation of each layer matches PyTorch', () => {
  it('Linear and Conv: kaiming_uniform_(a=sqrt 5) weights and U(+-1/sqrt(fan_in)) biases', () => {
    manualSeed(0);
    const lin = new Linear(100, 60);
    expectUniform(lin.weight, 1 / Math.sqrt(100));
    expectUniform(lin.bias!, 1 / Math.sqrt(100));
    const conv = new Conv2d(4, 40, 3);
    expectUniform(conv.weight, 1 / Math.sqrt(36));
    expectUniform(conv.bias!, 1 / Math.sqrt(36));
    const c1 = new Conv1d(6, 32, 5, { groups: 2 });
    expect(c1.weight.shape).toEqual([32, 3, 5]);
    expectUniform(c1.weight, 1 / Math.sqrt(15));
    // ConvTranspose2d weight is [in, out/groups, kh, kw]; PyTorch's fan_in uses its dim 1.
    const ct = new ConvTranspose2d(4, 30, 3);
    expect(ct.weight.shape).toEqual([4, 30, 3, 3]);
    expectUniform(ct.weight, 1 / Math.sqrt(270));
    expectUniform(ct.bias!, 1 / Math.sqrt(270));
    const bl = new Bilinear(20, 30, 10);
    expectUniform(bl.weight, 1 / Math.sqrt(20));
    expectUniform(bl.bias!, 1 / Math.sqrt(20));
  });

  it('recurrent layers: every parameter U(+-1/sqrt(hidden))', () => {
    const lstm = new LSTM(10, 16, { numLayers: 2 });
    for (const p of lstm.parameters()) expectUniform(p, 0.25);
    for (const p of new GRU(5, 25).parameters()) expectUniform(p, 0.2);
    for (const p of new LSTMCell(5, 64).parameters()) expectUniform(p, 0.125);
  });

  it('Embedding N(0, 1) with a zero padding row; norms ones and zeros', () => {
    const e = new Embedding(400, 10, { paddingIdx: 3 });
    const s = stats(e.weight);
    expect(Math.abs(s.mean)).toBeLessThan(0.1);
    expect(s.std).toBeGreaterThan(0.9);
    expect(s.std).toBeLessThan(1.1);
    expect(flat(e.weight.select(0, 3))).toEqual(new Array(10).fill(0));
    for (const m of [new BatchNorm1d(4), new LayerNorm([2, 3]), new GroupNorm(2, 4)]) {
      expect(flat(m.weight!).every((v) => v === 1)).toBe(true);
      expect(flat(m.bias!).every((v) => v === 0)).toBe(true);
    }
  });

  it('MultiheadAttention: xavier_uniform_ in_proj, zero biases, Linear-initialised out_proj', () => {
    const mha = new MultiheadAttention(32, 4);
    expect(mha.in_proj_weight!.shape).toEqual([96, 32]);
    expectUniform(mha.in_proj_weight!, Math.sqrt(6 / (96 + 32)));
    expect(flat(mha.in_proj_bias!).every((v) => v === 0)).toBe(true);
    expect(flat(mha.out_proj.bias!).every((v) => v === 0)).toBe(true);
    expectUniform(mha.out_proj.weight, 1 / Math.sqrt(32));
    const sep = new MultiheadAttention(8, 2, { kdim: 4, vdim: 6 });
    expectUniform(sep.k_proj_weight!, Math.sqrt(6 / 12));
  });
});
