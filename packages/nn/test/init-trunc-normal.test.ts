import { init } from '@tessera/nn';
import { Generator, manualSeed, tensor, zeros } from '@tessera/tensor';
import { describe, expect, it } from 'vitest';

// truncNormal_ against the analytic moments of the truncated normal distribution.

/** Density and CDF of the standard normal (CDF by numerical integration: test-only accuracy). */
const pdf = (x: number) => Math.exp(-0.5 * x * x) / Math.sqrt(2 * Math.PI);
function cdfDiff(lo: number, hi: number): number {
  const n = 20000;
  const h = (hi - lo) / n;
  let s = 0;
  for (let i = 0; i < n; i++) s += pdf(lo + (i + 0.5) * h) * h;
  return s;
}

/** Mean and variance of N(mean, std²) truncated to [a, b]. */
function moments(mean: number, std: number, a: number, b: number): [number, number] {
  const al = (a - mean) / std;
  const be = (b - mean) / std;
  const z = cdfDiff(al, be);
  const m = (pdf(al) - pdf(be)) / z;
  const v = 1 + (al * pdf(al) - be * pdf(be)) / z - m * m;
  return [mean + std * m, std * std * v];
}

function sampleStats(values: Float32Array | Float64Array): [number, number, number, number] {
  let s = 0;
  let lo = Infinity;
  let hi = -Infinity;
  for (const v of values) {
    s += v;
    lo = Math.min(lo, v);
    hi = Math.max(hi, v);
  }
  const m = s / values.length;
  let q = 0;
  for (const v of values) q += (v - m) ** 2;
  return [m, q / values.length, lo, hi];
}

describe('init.truncNormal_', () => {
  const cases: [string, number, number, number, number][] = [
    ['defaults (0, 1, -2, 2)', 0, 1, -2, 2],
    ['shifted and scaled, asymmetric bounds', 1, 0.5, 0.2, 3],
    ['far upper tail (PyTorch warns here)', 0, 1, 5, 6],
    ['far lower tail', 0, 2, -14, -10],
  ];
  for (const [name, mean, std, a, b] of cases) {
    it(`${name}: bounds, mean and variance`, () => {
      const t = init.truncNormal_(zeros([40000], { dtype: 'float64' }), mean, std, a, b, {
        generator: new Generator(7),
      });
      const [m, v, lo, hi] = sampleStats(t.dataSync() as Float64Array);
      const [em, ev] = moments(mean, std, a, b);
      expect(lo).toBeGreaterThanOrEqual(a);
      expect(hi).toBeLessThanOrEqual(b);
      // Standard errors: sqrt(v / n) for the mean, about v * sqrt(2 / n) for the variance.
      expect(Math.abs(m - em)).toBeLessThan(5 * Math.sqrt(ev / 40000));
      expect(Math.abs(v - ev)).toBeLessThan(5 * ev * Math.sqrt(2 / 40000));
    });
  }

  it('defaults match trunc_normal_(t) and the global seed reproduces the draw', () => {
    manualSeed(3);
    const x = init.truncNormal_(zeros([2, 3]));
    manualSeed(3);
    const y = init.truncNormal_(zeros([2, 3]));
    expect(x.arraySync()).toEqual(y.arraySync());
    expect(x.abs().max().item()).toBeLessThanOrEqual(2);
    expect(x.dtype).toBe('float32');
  });

  it('std 0 gives the clamped mean; an empty tensor is left alone', () => {
    expect(init.truncNormal_(zeros([3]), 5, 0, -1, 1).arraySync()).toEqual([1, 1, 1]);
    expect(init.truncNormal_(zeros([0])).shape).toEqual([0]);
  });

  it('errors', () => {
    expect(() => init.truncNormal_(tensor([1, 2], { dtype: 'int32' }))).toThrow(
      'truncNormal_: expected a floating-point tensor, got int32',
    );
    expect(() => init.truncNormal_(zeros([2]), 0, 1, 2, -2)).toThrow(
      'truncNormal_: expected a < b, got a 2 and b -2',
    );
    expect(() => init.truncNormal_(zeros([2]), 0, -1)).toThrow(
      'truncNormal_: std must be finite and >= 0, got -1',
    );
    expect(() => init.truncNormal_(zeros([2]), Number.NaN)).toThrow(
      'truncNormal_: mean must be a number, got NaN',
    );
    expect(() => init.truncNormal_(zeros([2]), 0, 1, -2, 2, { generater: null } as never)).toThrow(
      "truncNormal_: unknown option 'generater', did you mean 'generator'?",
    );
  });
});
