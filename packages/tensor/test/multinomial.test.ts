import { Generator, tensor as make, manualSeed, multinomial, type Tensor } from '@tessera/tensor';
import { describe, expect, it } from 'vitest';

/** A float32 tensor (plain integer lists would be int32). */
const tensor = (v: unknown, o: { dtype?: 'float32' | 'float64' | 'int32' } = {}): Tensor =>
  make(v as number[], { dtype: 'float32', ...o });
const vals = (t: { dataSync(): ArrayLike<number> }) => Array.from(t.dataSync());

/** Frequencies of the values 0..k-1 in `xs`. */
function freq(xs: number[], k: number): number[] {
  const f = new Array<number>(k).fill(0);
  for (const x of xs) f[x]!++;
  return f.map((c) => c / xs.length);
}

describe('multinomial', () => {
  it('with replacement: int32 [numSamples], frequencies follow the (unnormalised) weights', () => {
    manualSeed(1);
    const s = multinomial(tensor([1, 2, 7, 0]), 20000, true);
    expect(s.dtype).toBe('int32');
    expect(s.shape).toEqual([20000]);
    const f = freq(vals(s), 4);
    expect(f[3]).toBe(0);
    for (const [i, p] of [0.1, 0.2, 0.7].entries()) expect(Math.abs(f[i]! - p)).toBeLessThan(0.015);
  });

  it('without replacement: distinct indices per row, zero weights never drawn, first draw follows p', () => {
    manualSeed(2);
    const p = tensor([
      [0.5, 0.3, 0.2, 0, 0],
      [0, 0, 1, 1, 2],
    ]);
    const s = multinomial(p, 3);
    expect(s.shape).toEqual([2, 3]);
    const rows = s.tolist() as number[][];
    expect([...rows[0]!].sort()).toEqual([0, 1, 2]);
    expect([...rows[1]!].sort()).toEqual([2, 3, 4]);
    // The first of two draws is category i with probability p_i; the second, j != i, with
    // p_j / (1 - p_i): for p = [0.5, 0.3, 0.2], P(second = 2) = 0.5*0.4 + 0.3*(0.2/0.7) = 0.2857.
    const many = multinomial(tensor([0.5, 0.3, 0.2]).unsqueeze(0).expand(20000, 3), 2).tolist() as number[][];
    const first = freq(
      many.map((r) => r[0]!),
      3,
    );
    const second = freq(
      many.map((r) => r[1]!),
      3,
    );
    for (const [i, q] of [0.5, 0.3, 0.2].entries()) expect(Math.abs(first[i]! - q)).toBeLessThan(0.015);
    expect(Math.abs(second[2]! - (0.5 * 0.4 + 0.3 * (0.2 / 0.7)))).toBeLessThan(0.015);
    expect(many.every((r) => r[0] !== r[1])).toBe(true);
  });

  it('is reproducible through manualSeed and an explicit generator, in float64 too', () => {
    const p = tensor([0.2, 0.3, 0.5], { dtype: 'float64' });
    manualSeed(7);
    const a = vals(multinomial(p, 10, true));
    manualSeed(7);
    expect(vals(multinomial(p, 10, true))).toEqual(a);
    const g1 = new Generator(3);
    const g2 = new Generator(3);
    expect(vals(multinomial(p, 3, false, { generator: g1 }))).toEqual(
      vals(multinomial(p, 3, false, { generator: g2 })),
    );
    expect(vals(multinomial(p, 3, false, { generator: g1 })).sort()).toEqual([0, 1, 2]);
  });

  it('rejects bad probabilities and sizes with messages naming them', () => {
    expect(() => multinomial(tensor([0.5, -0.5]), 1)).toThrow(
      /multinomial: probabilities must be finite and >= 0, got -0.5 in row 0, category 1/,
    );
    expect(() =>
      multinomial(
        tensor([
          [1, 1],
          [0, 0],
        ]),
        1,
      ),
    ).toThrow(/multinomial: row 1 of probabilities sums to 0/);
    expect(() => multinomial(tensor([1, Number.NaN]), 1)).toThrow(/finite/);
    expect(() => multinomial(tensor([1, 2]), 3)).toThrow(
      /multinomial: cannot draw 3 samples without replacement from 2 categories/,
    );
    expect(() => multinomial(tensor([1, 0, 2]), 3)).toThrow(/row 0, which has 2 non-zero categories/);
    expect(() => multinomial(tensor([1, 2]), 0, true)).toThrow(/numSamples must be a positive integer/);
    expect(() => multinomial(tensor([1, 2], { dtype: 'int32' }), 1)).toThrow(/floating-point/);
    expect(() => multinomial(tensor([[[1]]]), 1)).toThrow(/must be 1-D or 2-D, got shape \[1,1,1\]/);
    expect(() => multinomial(tensor([1, 2]), 1, false, { gen: 1 } as never)).toThrow(/gen/);
  });
});
