/**
 * How many cases a fuzz test runs: a bounded number in the normal test run, many more under
 * `pnpm fuzz` (which sets TESSERA_FUZZ_RUNS). Use with fast-check:
 *
 *   import { fuzzRuns } from '../../../tests/repo/fuzz.js';
 *   fc.assert(fc.property(arb, (x) => { ... }), { numRuns: fuzzRuns(200), seed: 1 });
 *
 * Name fuzz test files `*.fuzz.test.ts`: `pnpm fuzz` runs exactly those.
 */
export function fuzzRuns(normal: number): number {
  const raw = process.env.TESSERA_FUZZ_RUNS;
  if (raw === undefined || raw === '') return normal;
  const n = Number(raw);
  if (!Number.isInteger(n) || n < 1)
    throw new RangeError(`TESSERA_FUZZ_RUNS must be a positive integer, got ${JSON.stringify(raw)}`);
  return n;
}

/** A fixed seed per run unless TESSERA_FUZZ_SEED is set, so a CI failure can be replayed. */
export function fuzzSeed(): number {
  const raw = process.env.TESSERA_FUZZ_SEED;
  return raw ? Number(raw) : 20261206;
}
