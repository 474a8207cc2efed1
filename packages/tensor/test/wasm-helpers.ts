import { type CpuKernelMode, setCpuKernels, type Tensor } from '@tessera/tensor';
import { expect } from 'vitest';
import { loadedKernels } from '../src/wasm/load.js';

export { prng } from '../../../tests/repo/prng.js';

// Shared by the wasm-*.test.ts files: running one computation under several kernel settings and
// comparing the results.

/** The WebAssembly variants every test runs (the engine running the tests supports all three). */
export const VARIANTS = [
  'wasm-relaxed',
  'wasm-simd',
  'wasm-scalar',
] as const satisfies readonly CpuKernelMode[];

/**
 * Runs `f` with the CPU kernels set to `mode`, restoring the previous setting afterwards. A
 * WebAssembly mode needs the kernels loaded (`await loadWasmKernels()` in a `beforeAll`): until
 * they are, the TypeScript kernels would run and a comparison with them would prove nothing.
 */
export function withKernels<T>(mode: CpuKernelMode, f: () => T): T {
  if (mode.startsWith('wasm') && loadedKernels() === null) {
    throw new Error(
      `withKernels('${mode}'): the WebAssembly kernels are not loaded (await loadWasmKernels() first)`,
    );
  }
  const prev = setCpuKernels(mode);
  try {
    return f();
  } finally {
    setCpuKernels(prev);
  }
}

/**
 * Asserts that float32 `got` matches the TypeScript kernels' `ref` (which sum in double precision)
 * to within float32 rounding of a `depth`-term sum: |got - ref| <= 1e-5 * sqrt(depth) * max(1, rms(ref)).
 * An indexing mistake gives errors of the order of rms(ref), far above this.
 */
export function expectClose(got: Tensor, ref: Tensor, depth: number, what: string): void {
  expect(got.shape, `${what}: shape`).toEqual(ref.shape);
  const a = got.dataSync();
  const b = ref.dataSync();
  let sq = 0;
  for (let i = 0; i < b.length; i++) sq += Number(b[i]) ** 2;
  const rms = Math.sqrt(sq / Math.max(1, b.length));
  const tol = 1e-5 * Math.sqrt(Math.max(1, depth)) * Math.max(1, rms);
  let worst = 0;
  let at = -1;
  for (let i = 0; i < b.length; i++) {
    const d = Math.abs(Number(a[i]) - Number(b[i]));
    if (!(d <= worst)) {
      worst = d;
      at = i;
    }
  }
  expect(
    worst,
    `${what}: max |difference| ${worst} at flat index ${at} (tolerance ${tol})`,
  ).toBeLessThanOrEqual(tol);
}

/** Asserts two tensors hold bitwise-identical float32 values. */
export function expectIdentical(got: Tensor, ref: Tensor, what: string): void {
  expect(got.shape, `${what}: shape`).toEqual(ref.shape);
  const a = new Uint32Array((got.dataSync() as Float32Array).slice().buffer);
  const b = new Uint32Array((ref.dataSync() as Float32Array).slice().buffer);
  let diff = 0;
  for (let i = 0; i < a.length; i++) if (a[i] !== b[i]) diff++;
  expect(diff, `${what}: elements that differ`).toBe(0);
}
