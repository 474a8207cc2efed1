import { sinc, tensor } from '@tessera/tensor';
import { describe, expect, it } from 'vitest';

// Reference values from PyTorch 1.13 (torch.sinc, float64) and the definition sin(πx) / (πx).
const ref = (v: number): number => (v === 0 ? 1 : Math.sin(Math.PI * v) / (Math.PI * v));

describe('sinc', () => {
  it('matches sin(πx)/(πx), 1 at 0, NaN for ±Infinity and NaN (as PyTorch)', () => {
    const xs = [0, 1e-20, 0.5, 1, -2.5, 3, 1e6 + 0.5];
    const y = sinc(tensor(xs, { dtype: 'float64' })).dataSync();
    xs.forEach((v, i) => {
      expect(y[i]).toBeCloseTo(ref(v), 15);
    });
    expect(y[2]).toBeCloseTo(0.6366197723675814, 15); // torch.sinc(0.5)
    expect(y[4]).toBeCloseTo(0.12732395447351627, 15); // torch.sinc(-2.5)
    expect(Array.from(sinc(tensor([Infinity, -Infinity, Number.NaN])).dataSync()).every(Number.isNaN)).toBe(
      true,
    );
  });

  it('gives float32 for integer and bool inputs, and is a Tensor method', () => {
    const yi = sinc(tensor([0, 1, 2], { dtype: 'int32' }));
    expect(yi.dtype).toBe('float32');
    expect(yi.dataSync()[0]).toBe(1);
    expect(Math.abs(yi.dataSync()[1]!)).toBeLessThan(1e-7);
    expect(sinc(tensor([true, false])).arraySync()).toEqual([Math.fround(ref(1)), 1]);
    const x = tensor([0.25, -0.75], { dtype: 'float64' });
    expect(x.sinc().arraySync()).toEqual(sinc(x).arraySync());
  });

  it('reads strided, broadcast and 0-d inputs in place', () => {
    const base = tensor(
      [
        [0.1, 0.2, 0.3],
        [1.5, 2.5, 3.5],
      ],
      { dtype: 'float64' },
    );
    const t = base.T;
    expect(sinc(t).arraySync()).toEqual((t.arraySync() as number[][]).map((r) => r.map((v) => ref(v))));
    const b = tensor([0.5], { dtype: 'float64' }).expand(2, 3);
    expect(sinc(b).arraySync()).toEqual([Array(3).fill(ref(0.5)), Array(3).fill(ref(0.5))]);
    expect(sinc(tensor(0.5, { dtype: 'float64' })).item()).toBe(ref(0.5));
    expect(sinc(tensor([], { dtype: 'float64' })).shape).toEqual([0]);
  });

  it('names the op in errors', () => {
    expect(() => sinc([1, 2] as never)).toThrow(/sinc: input must be a tensor/);
  });
});
