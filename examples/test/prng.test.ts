import { describe, expect, it } from 'vitest';
import { uniforms } from '../src/lib/prng.js';

describe('uniforms', () => {
  it('repeats its sequence for a seed, and differs between seeds', () => {
    const a = uniforms(7);
    const b = uniforms(7);
    const c = uniforms(8);
    const xs = Array.from({ length: 20 }, () => a());
    expect(Array.from({ length: 20 }, () => b())).toEqual(xs);
    expect(Array.from({ length: 20 }, () => c())).not.toEqual(xs);
  });

  it('draws in [0, 1) with a mean near 1/2', () => {
    const u = uniforms(1);
    let sum = 0;
    for (let i = 0; i < 10_000; i++) {
      const x = u();
      expect(x).toBeGreaterThanOrEqual(0);
      expect(x).toBeLessThan(1);
      sum += x;
    }
    expect(Math.abs(sum / 10_000 - 0.5)).toBeLessThan(0.02);
  });
});
