import { type DType, type Tensor, tensor } from '@tessera/tensor';
import { expect } from 'vitest';

// Deterministic float64 inputs and plain-array read-back for the kernel tests (conv, pool, matmul,
// einsum), which compare the library against naive float64 loops written in the test files.

/** Deterministic values in [-1, 1) (a small LCG, independent of the library's generator). */
export function values(n: number, seed: number): Float64Array {
  let s = seed >>> 0 || 1;
  const out = new Float64Array(n);
  for (let i = 0; i < n; i++) {
    s = (Math.imul(s, 1664525) + 1013904223) >>> 0;
    out[i] = s / 2 ** 31 - 1;
  }
  return out;
}

/** Options of `rand`. */
export interface RandOptions {
  /** Store the values in this dim order and permute back, giving a non-contiguous view. */
  layout?: number[];
  /** dtype (default float64). */
  dtype?: DType;
}

/** A tensor of `shape` holding `values(numel, seed)` in row-major order. */
export function rand(shape: number[], seed: number, opts: RandOptions = {}): Tensor {
  const { layout, dtype = 'float64' } = opts;
  const n = shape.reduce((p, q) => p * q, 1);
  if (layout === undefined) return tensor(values(n, seed), { shape, dtype });
  const stored = tensor(values(n, seed), { shape: layout.map((d) => shape[d]!), dtype });
  return stored.permute(layout.map((_, i) => layout.indexOf(i)));
}

/** A tensor's values in row-major order as float64. */
export function f64(t: Tensor): Float64Array {
  return Float64Array.from(t.dataSync() as ArrayLike<number>);
}

/** The largest |a[i] − b[i]|; asserts the lengths agree. */
export function maxDiff(a: ArrayLike<number>, b: ArrayLike<number>): number {
  expect(a.length).toBe(b.length);
  let m = 0;
  for (let i = 0; i < a.length; i++) m = Math.max(m, Math.abs(a[i]! - b[i]!));
  return m;
}

/** The dot product Σ a[i]·b[i] of two flat arrays. */
export function dotAll(a: Float64Array, b: Float64Array): number {
  let s = 0;
  for (let i = 0; i < a.length; i++) s += a[i]! * b[i]!;
  return s;
}
