import { mkdirSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { listBackends, type Tensor, type TypedArray } from '@tessera/tensor';
import { expect } from 'vitest';
import { initWebGPU, type WebGPUBackend, webgpuBackend } from '../src/index.js';

/** Dawn on Linux wants a private XDG runtime dir. */
export function ensureRuntimeDir(): void {
  if (process.env.XDG_RUNTIME_DIR) return;
  const dir = join(tmpdir(), 'xdg-runtime');
  mkdirSync(dir, { recursive: true, mode: 0o700 });
  process.env.XDG_RUNTIME_DIR = dir;
}

/**
 * Initialises the 'webgpu' backend once per test file. TESSERA_GPU_SUBGROUPS=0 runs the suite on
 * the fallback kernels (as on an adapter without the `subgroups` feature).
 */
export async function gpuBackend(): Promise<WebGPUBackend> {
  ensureRuntimeDir();
  if (!listBackends().includes('webgpu'))
    await initWebGPU({ subgroups: process.env.TESSERA_GPU_SUBGROUPS !== '0' });
  return webgpuBackend();
}

/** Elementwise |a - b| <= atol + rtol * |b| with NaN == NaN and equal infinities. */
export function closeTo(actual: TypedArray, expected: TypedArray, rtol: number, atol: number): string | null {
  if (actual.length !== expected.length) return `length ${actual.length} != ${expected.length}`;
  for (let i = 0; i < actual.length; i++) {
    const a = Number(actual[i]);
    const e = Number(expected[i]);
    if (Number.isNaN(e) ? Number.isNaN(a) : a === e || Math.abs(a - e) <= atol + rtol * Math.abs(e)) continue;
    return `element ${i}: got ${a}, expected ${e} (|diff| ${Math.abs(a - e)})`;
  }
  return null;
}

/** Asserts a GPU tensor matches a CPU tensor: same shape and dtype, values within tolerance. */
export async function expectMatch(
  gpu: Tensor,
  cpu: Tensor,
  what: string,
  rtol = 1e-5,
  atol = 1e-6,
): Promise<void> {
  expect(gpu.device, what).toBe('webgpu');
  expect([...gpu.shape], `${what}: shape`).toEqual([...cpu.shape]);
  expect(gpu.dtype, `${what}: dtype`).toBe(cpu.dtype);
  const g = await gpu.data();
  const c = cpu.dataSync();
  const err = closeTo(g, c, rtol, atol);
  expect(err, `${what}: ${err}`).toBeNull();
}

/** Deterministic pseudo-random floats in [lo, hi) (a small LCG, independent of the library). */
export function randomData(n: number, seed: number, lo = -2, hi = 2): Float32Array {
  const out = new Float32Array(n);
  let s = seed >>> 0 || 1;
  for (let i = 0; i < n; i++) {
    s = (Math.imul(s, 1664525) + 1013904223) >>> 0;
    out[i] = lo + ((s >>> 8) / 16777216) * (hi - lo);
  }
  return out;
}

/** Deterministic pseudo-random ints in [lo, hi). */
export function randomInts(n: number, seed: number, lo: number, hi: number): Int32Array {
  return Int32Array.from(randomData(n, seed, 0, 1), (v) => lo + Math.floor(v * (hi - lo)));
}

/** A view made on the CPU tensor and the same view made on its GPU copy (so strides survive). */
export interface Pair {
  cpu: Tensor;
  gpu: Tensor;
}

/** `view(base)` on the CPU and `view(base.to('webgpu'))` on the GPU. */
export function pair(base: Tensor, view: (t: Tensor) => Tensor = (t) => t): Pair {
  return { cpu: view(base), gpu: view(base.to('webgpu')) };
}

/** The dispatches `f` queues on `b` (fused kernels included), counted by wrapping its runtime's `run`. */
export function countDispatches(b: WebGPUBackend, f: () => void): number {
  const rt = b.runtime;
  const run = rt.run.bind(rt);
  let n = 0;
  rt.run = (d) => {
    n++;
    run(d);
  };
  try {
    f();
  } finally {
    rt.run = run;
  }
  return n;
}
