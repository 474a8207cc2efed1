import { sharedMemorySupported, wasmAvailable } from './features.js';
import { loadedKernels, loadFailure, loadKernels, requestKernels } from './load.js';
import { settings, threadCount, variantOf } from './settings.js';
import { MIN_ELEMENTWISE_SIZE } from './thresholds.js';
import type { CpuKernelInfo, WasmKernels } from './types.js';

// The seam between the CPU backend and its WebAssembly accelerator: src/cpu asks `wasmKernels()`
// and nothing else under src/wasm; the package's index exports the settings API from here. The
// kernels themselves (kernels.ts and what it imports) load on first use, see load.ts.

export type { KernelVariant } from './features.js';
export {
  type CpuKernelMode,
  type CpuKernelStats,
  cpuKernelStats,
  getCpuKernels,
  getNumThreads,
  setCpuKernels,
  setNumThreads,
} from './settings.js';
export {
  MIN_CONV_WORK,
  MIN_ELEMENTWISE_SIZE,
  MIN_MATMUL_WORK,
  MIN_TRANSPOSE_SIZE,
} from './thresholds.js';
export type {
  CpuKernelInfo,
  WasmBinaryOp,
  WasmCompareOp,
  WasmKernels,
  WasmUnaryOp,
} from './types.js';
export { loadKernels as loadWasmKernels };

/**
 * The WebAssembly kernels for a call of `work` (multiply-adds; elements, for a copy) whose kernel
 * takes calls of at least `least` in mode 'auto' (MIN_MATMUL_WORK, MIN_CONV_WORK,
 * MIN_TRANSPOSE_SIZE), or null when the TypeScript kernels run it: mode 'ts', no WebAssembly, a
 * failed load, or kernels not loaded yet. The first call that could use them starts loading them
 * (synchronously in Node where it can); until they have loaded, it and the calls after it get
 * null. A smaller call never starts the load. The kernels may still decline a call (false).
 */
export function wasmKernels(work: number, least: number): WasmKernels | null {
  if (settings.mode === 'ts' || !wasmAvailable()) return null;
  if (settings.mode === 'auto' && work < least) return loadedKernels();
  return requestKernels();
}

/**
 * The WebAssembly kernels for a memory-bound float32 call (elementwise ops, sums, 2x2 pooling,
 * the fused updates) over `size` elements, or null: below MIN_ELEMENTWISE_SIZE they never run
 * (in every mode: the copies in and out would cost more than the pass), and otherwise as
 * `wasmKernels`.
 */
export function elementwiseKernels(size: number): WasmKernels | null {
  return size >= MIN_ELEMENTWISE_SIZE ? wasmKernels(size, MIN_ELEMENTWISE_SIZE) : null;
}

/**
 * A snapshot of what the CPU kernels are doing. Asks for the selected WebAssembly kernels as the
 * next kernel call would (in Node they load and compile synchronously where they can); while they
 * load, `variant` is null and `note` says so.
 */
export function cpuKernelInfo(): CpuKernelInfo {
  const k = settings.mode === 'ts' || !wasmAvailable() ? loadedKernels() : requestKernels();
  if (k !== null) return k.info();
  const mode = settings.mode;
  let note = loadFailure();
  if (note === null && mode !== 'ts') {
    note =
      variantOf(mode) === null
        ? 'WebAssembly is not available'
        : 'the WebAssembly kernels are loading (await initCpuKernels())';
  }
  return {
    mode,
    variant: null,
    threads: threadCount(),
    workers: 0,
    sharedMemory: sharedMemorySupported(),
    memoryBytes: 0,
    note,
  };
}

/**
 * Loads the WebAssembly kernels of the current setting (their code is a separate chunk, fetched
 * on first use) and starts the worker threads, resolving when they are ready. Optional:
 * everything also starts on first use, but until the chunk has loaded (and, on a browser's main
 * thread, the module has compiled, which can only be done asynchronously there) the TypeScript
 * kernels run, and workers started on first use join from the next call on. Results differ between
 * the two only by float rounding. Benchmarks call it to time warm kernels.
 */
export async function initCpuKernels(): Promise<CpuKernelInfo> {
  if (settings.mode !== 'ts' && wasmAvailable()) {
    const k = await loadKernels();
    if (k !== null) await k.init();
  }
  return cpuKernelInfo();
}
