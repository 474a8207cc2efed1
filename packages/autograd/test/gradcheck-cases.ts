import { gradcheck, gradgradcheck } from '@tessera/autograd';
import type { Tensor } from '@tessera/tensor';
import { expect, it } from 'vitest';
import { rnd, rndStrided } from './inputs.js';

/**
 * A gradcheck case: a name, the function, the shapes of its float64 inputs and whether it is also
 * checked on non-contiguous inputs (default true; false for ops that need contiguous input).
 */
export type GradCase = [
  name: string,
  f: (...xs: Tensor[]) => Tensor,
  shapes: number[][],
  stridedOk?: boolean,
];

/**
 * Declares the tests of each case: gradcheck and gradgradcheck on random inputs (the second-order
 * check differentiates f², so it sees a non-trivial function even when f is linear), and
 * gradcheck on non-contiguous inputs unless `stridedOk` is false.
 */
export function itGradchecks(cases: readonly GradCase[]): void {
  for (const [name, f, shapes, stridedOk] of cases) {
    it(name, () => {
      const xs = shapes.map((s) => rnd(s));
      expect(gradcheck(f, xs)).toBe(true);
      expect(gradgradcheck((...ys: Tensor[]) => f(...ys).square(), xs)).toBe(true);
    });
    if (stridedOk !== false) {
      it(`${name} non-contiguous`, () => {
        const xs = shapes.map((s) => rndStrided(s));
        expect(gradcheck(f, xs)).toBe(true);
      });
    }
  }
}
