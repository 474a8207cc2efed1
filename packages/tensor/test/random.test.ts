import {
  bernoulli,
  defaultGenerator,
  Generator,
  manualSeed,
  normal,
  philox,
  rand,
  randint,
  randLike,
  randn,
  randnLike,
  randperm,
  setOpObserver,
  tensor,
  uniform,
  zeros,
} from '@tessera/tensor';
import { describe, expect, it } from 'vitest';

// The Philox stream: known-answer vectors, the documented element layout, reproducibility, and
// sample statistics of each distribution (tolerances about 5 standard errors).

const hex = (w: Uint32Array): string[] => [...w].map((x) => x.toString(16).padStart(8, '0'));

/** The words a draw at counter `c` of generator `g` starts from (layout of random.ts). */
function block(seed: bigint, counter: bigint): Uint32Array {
  const out = new Uint32Array(4);
  philox(
    Number(seed & 0xffffffffn),
    Number(seed >> 32n),
    Number(counter & 0xffffffffn),
    Number(counter >> 32n),
    out,
  );
  return out;
}

const mean = (a: ArrayLike<number>): number => Array.from(a).reduce((s, v) => s + v, 0) / a.length;
const variance = (a: ArrayLike<number>): number => {
  const m = mean(a);
  return Array.from(a).reduce((s, v) => s + (v - m) ** 2, 0) / a.length;
};

describe('philox4x32-10', () => {
  it('matches the Random123 known-answer vectors', () => {
    const out = new Uint32Array(4);
    philox(0, 0, 0, 0, out);
    expect(hex(out)).toEqual(['6627e8d5', 'e169c58d', 'bc57ac4c', '9b00dbd8']);
    philox(0xffffffff, 0xffffffff, 0xffffffff, 0xffffffff, out, 0xffffffff, 0xffffffff);
    expect(hex(out)).toEqual(['408f276d', '41c83b0e', 'a20bc7c6', '6d5451fd']);
    philox(0xa4093822, 0x299f31d0, 0x243f6a88, 0x85a308d3, out, 0x13198a2e, 0x03707344);
    expect(hex(out)).toEqual(['d16cfe09', '94fdcceb', '5001e420', '24126ea1']);
  });
});

describe('stream layout', () => {
  it('rand element i is word i%4 of counter offset+i/4, as 24-bit uniforms', () => {
    const g = new Generator(12345);
    const r = rand([6], { generator: g, dtype: 'float64' }).dataSync();
    const b0 = block(12345n, 0n);
    const b1 = block(12345n, 1n);
    const words = [...b0, ...b1.slice(0, 2)];
    expect(Array.from(r)).toEqual(words.map((w) => (w >>> 8) / 2 ** 24));
    expect(g.offset).toBe(2n);
  });

  it('randn pairs words through Box-Muller', () => {
    const g = new Generator(7);
    const z = randn([4], { generator: g, dtype: 'float64' }).dataSync();
    const w = block(7n, 0n);
    const u = (x: number) => (x >>> 8) / 2 ** 24;
    const want: number[] = [];
    for (const p of [0, 2]) {
      const r = Math.sqrt(-2 * Math.log(1 - u(w[p]!)));
      const th = 2 * Math.PI * u(w[p + 1]!);
      want.push(r * Math.cos(th), r * Math.sin(th));
    }
    expect(Array.from(z).every((v, i) => Math.abs(v - want[i]!) < 1e-12)).toBe(true);
  });

  it('consecutive draws continue the stream; an odd draw skips to the next counter', () => {
    const a = new Generator(99);
    const whole = rand([8], { generator: a }).dataSync();
    const b = new Generator(99);
    const first = rand([4], { generator: b }).dataSync();
    const second = rand([4], { generator: b }).dataSync();
    expect([...first, ...second]).toEqual([...whole]);
    const c = new Generator(99);
    rand([3], { generator: c });
    expect(c.offset).toBe(1n);
    expect(rand([4], { generator: c }).dataSync()).toEqual(second);
  });

  it('uses the high 32 bits of the seed and the counter', () => {
    const seed = (5n << 32n) | 3n;
    const g = new Generator(seed);
    g.offset = (1n << 32n) + 2n;
    const r = rand([1], { generator: g, dtype: 'float64' }).dataSync();
    expect(r[0]).toBe((block(seed, (1n << 32n) + 2n)[0]! >>> 8) / 2 ** 24);
  });
});

describe('generators and seeding', () => {
  it('manualSeed makes the global stream reproducible', () => {
    manualSeed(42);
    const a = randn([10]).dataSync();
    const b = rand([3]).dataSync();
    manualSeed(42);
    expect(randn([10]).dataSync()).toEqual(a);
    expect(rand([3]).dataSync()).toEqual(b);
    expect(defaultGenerator.initialSeed()).toBe(42n);
  });

  it('separate generators are independent of the global one', () => {
    manualSeed(1);
    const g = new Generator(5);
    const x = rand([4], { generator: g }).dataSync();
    rand([100]); // advances the global stream only
    const g2 = new Generator(5);
    expect(rand([4], { generator: g2 }).dataSync()).toEqual(x);
    expect(rand([4], { generator: new Generator(6) }).dataSync()).not.toEqual(x);
  });

  it('state round-trips through getState/setState', () => {
    const g = new Generator(3);
    rand([10], { generator: g });
    const state = g.getState();
    const next = rand([5], { generator: g }).dataSync();
    const h = new Generator().setState(state);
    expect(rand([5], { generator: h }).dataSync()).toEqual(next);
    expect(g.manualSeed(3).offset).toBe(0n);
    expect(() => manualSeed(1.5)).toThrow('manualSeed: seed must be an integer, got 1.5');
  });
});

describe('distributions', () => {
  const g = () => new Generator(2024);

  it('rand is uniform on [0, 1)', () => {
    const x = rand([20000], { generator: g() }).dataSync();
    expect(Math.min(...x)).toBeGreaterThanOrEqual(0);
    expect(Math.max(...x)).toBeLessThan(1);
    expect(Math.abs(mean(x) - 0.5)).toBeLessThan(0.011);
    expect(Math.abs(variance(x) - 1 / 12)).toBeLessThan(0.004);
  });

  it('uniform covers [low, high) and never returns high', () => {
    const x = uniform([20000], -3, 5, { generator: g() }).dataSync();
    expect(Math.min(...x)).toBeGreaterThanOrEqual(-3);
    expect(Math.max(...x)).toBeLessThan(5);
    expect(Math.abs(mean(x) - 1)).toBeLessThan(0.09);
    // A range whose top rounds up in float32: values are clamped below `high`.
    // (1 + u * 1e-7 rounds to 1.00000012 for u > ~0.6; those are clamped to 1, the float below.)
    const y = uniform([1000], 1, 1.0000001, { generator: g() }).dataSync();
    expect(Array.from(new Set(y))).toEqual([1]);
    expect(uniform([3], 2, 2).arraySync()).toEqual([2, 2, 2]);
  });

  it('randn and normal have the requested moments', () => {
    const z = randn([20000], { generator: g() }).dataSync();
    expect(Math.abs(mean(z))).toBeLessThan(0.035);
    expect(Math.abs(variance(z) - 1)).toBeLessThan(0.05);
    const n = normal([20000], 3, 0.5, { generator: g(), dtype: 'float64' }).dataSync();
    expect(Math.abs(mean(n) - 3)).toBeLessThan(0.018);
    expect(Math.abs(Math.sqrt(variance(n)) - 0.5)).toBeLessThan(0.015);
    expect(randn([3, 0]).shape).toEqual([3, 0]);
  });

  it('randint is uniform over [low, high) in int32', () => {
    const x = randint(-2, 3, [10000], { generator: g() });
    expect(x.dtype).toBe('int32');
    const v = x.dataSync();
    const counts = [0, 0, 0, 0, 0];
    for (const k of v) counts[k + 2]!++;
    for (const c of counts) expect(Math.abs(c - 2000)).toBeLessThan(200);
    expect(
      randint(5, [4])
        .dataSync()
        .every((k) => k >= 0 && k < 5),
    ).toBe(true);
    expect(randint(0, 10, [2], { dtype: 'float32' }).dtype).toBe('float32');
  });

  it('bernoulli with a number or a tensor of probabilities', () => {
    const b = bernoulli(0.3, { shape: [20000], generator: g() });
    expect(b.dtype).toBe('float32');
    expect(Math.abs(mean(b.dataSync()) - 0.3)).toBeLessThan(0.017);
    const p = tensor([0, 1, 0.5, 0.25], { dtype: 'float64' }).reshape(4, 1).expand(4, 5000);
    const s = bernoulli(p, { generator: g() });
    expect(s.dtype).toBe('float64');
    const rows = s.arraySync() as number[][];
    expect(rows[0]!.every((v) => v === 0)).toBe(true);
    expect(rows[1]!.every((v) => v === 1)).toBe(true);
    expect(Math.abs(mean(rows[2]!) - 0.5)).toBeLessThan(0.036);
    expect(Math.abs(mean(rows[3]!) - 0.25)).toBeLessThan(0.031);
    // Same stream as rand: element i is 1 exactly when rand's u_i < p.
    const u = rand([8], { generator: new Generator(8) }).dataSync();
    const bb = bernoulli(tensor([0.5, 0.5, 0.5, 0.5, 0.5, 0.5, 0.5, 0.5], { dtype: 'float32' }), {
      generator: new Generator(8),
    }).dataSync();
    expect(Array.from(bb)).toEqual(Array.from(u).map((x) => (x < 0.5 ? 1 : 0)));
    expect(bernoulli(0.5).shape).toEqual([]);
    expect(bernoulli(1, { shape: [3], dtype: 'int32' }).arraySync()).toEqual([1, 1, 1]);
    expect(() => bernoulli(1.5)).toThrow('bernoulli: p must be in [0, 1], got 1.5');
  });

  it('bernoulli rejects a probability tensor with values outside [0, 1] or NaN', () => {
    expect(() => bernoulli(tensor([0.2, 1.25, 0.5]))).toThrow(
      'bernoulli: p must be in [0, 1], got 1.25 at flat index 1 of p with shape [3]',
    );
    expect(() => bernoulli(tensor([[0.1], [-0.5]]))).toThrow('got -0.5 at flat index 1');
    expect(() => bernoulli(tensor([Number.NaN]))).toThrow('got NaN at flat index 0');
    // Boundaries are valid probabilities; an empty p has nothing to check.
    expect(bernoulli(tensor([0, 1])).arraySync()).toEqual([0, 1]);
    expect(bernoulli(tensor([])).shape).toEqual([0]);
  });

  it('bernoulli of a tensor is recorded as a non-differentiable op', () => {
    const names: string[] = [];
    setOpObserver({
      run(call, compute) {
        names.push(call.name);
        return compute();
      },
    });
    try {
      bernoulli(zeros([3]));
    } finally {
      setOpObserver(null);
    }
    expect(names).toEqual(['bernoulli']);
  });

  it('randperm is a permutation, reproducible per generator', () => {
    const p = randperm(1000, { generator: g() });
    expect(p.dtype).toBe('int32');
    const v = Array.from(p.dataSync());
    expect([...v].sort((a, b) => a - b)).toEqual(Array.from({ length: 1000 }, (_, i) => i));
    expect(v).not.toEqual(Array.from({ length: 1000 }, (_, i) => i));
    expect(Array.from(randperm(1000, { generator: g() }).dataSync())).toEqual(v);
    expect(randperm(0).shape).toEqual([0]);
    expect(randperm(1).arraySync()).toEqual([0]);
    expect(randperm(3, { dtype: 'float32' }).dtype).toBe('float32');
    expect(() => randperm(-1)).toThrow('randperm: n must be a non-negative integer, got -1');
  });

  it('*Like and dtype validation', () => {
    const t = zeros([2, 3], { dtype: 'float64' });
    expect(randLike(t).dtype).toBe('float64');
    expect(randnLike(t).shape).toEqual([2, 3]);
    expect(() => rand([2], { dtype: 'int32' })).toThrow('rand: dtype must be floating point, got int32');
    expect(() => randint(3, 3, [2])).toThrow('randint: expected integers low < high, got low 3 and high 3');
    expect(() => normal([2], 0, -1)).toThrow('normal: std must be finite and non-negative, got -1');
    expect(() => uniform([2], 1, 0)).toThrow('uniform: expected finite low <= high, got low 1 and high 0');
    expect(() => rand([2], { generator: {} as never })).toThrow('rand: generator must be a Generator');
  });
});
