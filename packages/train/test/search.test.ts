import { choice, gridSearch, intUniform, logUniform, randomSearch, uniform } from '@tessera/train';
import { describe, expect, it } from 'vitest';

describe('hyper-parameter search', () => {
  const space = { lr: logUniform(1e-4, 1e-1), width: choice([8, 16, 32]), drop: uniform(0, 0.5) };
  // A known objective: best near lr = 1e-2, width 16.
  const objective = ({ lr, width }: { lr: number; width: number }) =>
    -Math.abs(Math.log10(lr) + 2) - Math.abs(width - 16) / 16;

  it('random search is seeded, samples inside the space and ranks trials', async () => {
    const a = await randomSearch({ space, objective, trials: 20, seed: 7 });
    const b = await randomSearch({ space, objective, trials: 20, seed: 7 });
    expect(a.trials.map((t) => t.params)).toEqual(b.trials.map((t) => t.params));
    for (const t of a.trials) {
      expect(t.params.lr).toBeGreaterThanOrEqual(1e-4);
      expect(t.params.lr).toBeLessThanOrEqual(1e-1);
      expect([8, 16, 32]).toContain(t.params.width);
    }
    for (let i = 1; i < a.trials.length; i++)
      expect(a.trials[i - 1]!.score).toBeGreaterThanOrEqual(a.trials[i]!.score);
    expect(a.best).toBe(a.trials[0]);
    const c = await randomSearch({ space, objective, trials: 20, seed: 8 });
    expect(c.trials.map((t) => t.params)).not.toEqual(a.trials.map((t) => t.params));
  });

  it('grid search covers every combination; min mode ranks ascending', async () => {
    const r = await gridSearch({
      space: { lr: logUniform(1e-3, 1e-1), width: choice([8, 16]) },
      objective: ({ lr, width }) => lr * width,
      mode: 'min',
    });
    expect(r.trials).toHaveLength(6);
    expect(r.best.params).toEqual({ lr: expect.closeTo(1e-3, 10), width: 8 });
    expect(intUniform(1, 3).grid(5)).toEqual([1, 2, 3]);
    expect(() => logUniform(0, 1)).toThrow(/0 < low/);
    await expect(randomSearch({ space, objective, trials: 0 })).rejects.toThrow(/positive integer/);
  });
});
