import { type Tensor, tensor } from '@tessera/tensor';
import { expect } from 'vitest';

export { prng } from '../../../tests/repo/prng.js';

/** A float64 leaf tensor that requires grad. */
export function leaf(data: number[] | number[][] | number[][][] | number): Tensor {
  return tensor(data, { dtype: 'float64', requiresGrad: true });
}

/** Asserts that `t` holds `expected` (nested arrays) within `digits` decimal digits. */
export function expectClose(t: Tensor | null | undefined, expected: unknown, digits = 10): void {
  expect(t, 'tensor is null').toBeTruthy();
  const actual = (t as Tensor).arraySync();
  const flatA = ([actual] as unknown[]).flat(Number.POSITIVE_INFINITY as 1) as number[];
  const flatE = ([expected] as unknown[]).flat(Number.POSITIVE_INFINITY as 1) as number[];
  expect(flatA.length).toBe(flatE.length);
  flatA.forEach((a, i) => {
    expect(a, `element ${i}`).toBeCloseTo(flatE[i]!, digits);
  });
}

/** Runs the garbage collector until pending finalizers have run. */
export async function collect(): Promise<void> {
  const gc = (globalThis as { gc?: () => void }).gc;
  if (gc === undefined) throw new Error('tests must run with --expose-gc');
  for (let i = 0; i < 6; i++) {
    gc();
    await new Promise((r) => setTimeout(r, 5));
  }
}

/** A random shape of rank minRank..maxRank with sizes 1..maxSize. */
export function randomShape(rand: () => number, minRank = 0, maxRank = 3, maxSize = 3): number[] {
  const rank = minRank + Math.floor(rand() * (maxRank - minRank + 1));
  return Array.from({ length: rank }, () => 1 + Math.floor(rand() * maxSize));
}
