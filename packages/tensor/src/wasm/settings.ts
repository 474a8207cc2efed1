import { bestVariant, hardwareConcurrency, type KernelVariant, variantSupported } from './features.js';
import { LAYOUT } from './layout.generated.js';

// The settings and counters of the WebAssembly CPU kernels: which kernels run, how many threads
// they may use, the time they took. Part of the package's main chunk (the public API reads and
// writes them synchronously, before the kernels are loaded); the kernels (kernels.ts, loaded on
// first use) read them from here.

/**
 * Which kernels the CPU backend uses for float32 matmul and convolutions:
 * - `'auto'` (default): WebAssembly (the fastest variant the engine runs) for products big enough
 *   to pay for copying operands in and out, TypeScript for small ones;
 * - `'ts'`: the TypeScript kernels only;
 * - `'wasm'`: WebAssembly for every float32 matmul/convolution, whatever its size;
 * - `'wasm-relaxed'` / `'wasm-simd'` / `'wasm-scalar'`: like `'wasm'` with that variant (relaxed
 *   SIMD with fused multiply-add, 128-bit SIMD, or no SIMD), to test each path.
 *
 * The TypeScript kernels also run until the WebAssembly kernels have loaded (see `initCpuKernels`).
 */
export type CpuKernelMode = 'auto' | 'ts' | 'wasm' | 'wasm-relaxed' | 'wasm-simd' | 'wasm-scalar';

const MODES: readonly CpuKernelMode[] = ['auto', 'ts', 'wasm', 'wasm-relaxed', 'wasm-simd', 'wasm-scalar'];

/** Time spent in WebAssembly kernel calls, from `cpuKernelStats()`. */
export interface CpuKernelStats {
  /** Kernel calls that ran in WebAssembly. */
  calls: number;
  /** Milliseconds in those calls, copies included. */
  ms: number;
  /** Milliseconds of those spent copying operands into and results out of WebAssembly memory. */
  copyMs: number;
  /** Calls some of whose work ran on worker threads. */
  threadedCalls: number;
}

/**
 * The one copy of the settings. The loader also checks by its identity that kernels it loaded
 * belong to this copy of the package (see load.ts).
 */
export const settings: {
  mode: CpuKernelMode;
  threads: number | null;
  readonly stats: CpuKernelStats;
} = { mode: 'auto', threads: null, stats: { calls: 0, ms: 0, copyMs: 0, threadedCalls: 0 } };

/** The variant mode `m` asks for, or null for the TypeScript kernels (mode 'ts', no WebAssembly). */
export function variantOf(m: CpuKernelMode): KernelVariant | null {
  if (m === 'ts') return null;
  if (m === 'wasm-relaxed') return 'relaxed';
  if (m === 'wasm-simd') return 'simd';
  if (m === 'wasm-scalar') return 'scalar';
  return bestVariant();
}

/** Whether the setting forces WebAssembly for every size (the 'wasm*' modes). */
export function forcedWasm(): boolean {
  return settings.mode !== 'auto' && settings.mode !== 'ts';
}

/** Threads a large kernel call may use: the `setNumThreads` setting, else logical processors. */
export function threadCount(): number {
  return settings.threads ?? defaultThreads();
}

let defaultThreadCount: number | undefined;
function defaultThreads(): number {
  defaultThreadCount ??= Math.max(1, Math.min(LAYOUT.CTL.MAX_WORKERS + 1, hardwareConcurrency()));
  return defaultThreadCount;
}

/**
 * Chooses the CPU backend's float32 matmul and convolution kernels (see `CpuKernelMode`); returns
 * the previous setting. Throws when a forced WebAssembly variant cannot run in this engine. Other
 * dtypes and ops always use the TypeScript kernels.
 */
export function setCpuKernels(m: CpuKernelMode): CpuKernelMode {
  if (!MODES.includes(m)) {
    throw new Error(`setCpuKernels: unknown mode '${String(m)}' (expected one of ${MODES.join(', ')})`);
  }
  const variant = variantOf(m);
  if (m !== 'ts' && m !== 'auto') {
    if (variant === null || !variantSupported(variant)) {
      const need = m === 'wasm-relaxed' ? 'relaxed SIMD' : m === 'wasm-simd' ? 'SIMD' : 'WebAssembly';
      throw new Error(
        `setCpuKernels: mode '${m}' needs WebAssembly ${need}, which this engine does not support`,
      );
    }
  }
  const prev = settings.mode;
  settings.mode = m;
  return prev;
}

/** The current `setCpuKernels` setting. */
export function getCpuKernels(): CpuKernelMode {
  return settings.mode;
}

/**
 * Sets how many threads (the calling one included) a large float32 matmul or convolution may use;
 * 1 disables worker threads. Returns the previous value. The default is the number of logical
 * processors. Threads need shared memory: in browsers, a cross-origin-isolated page (COOP/COEP).
 */
export function setNumThreads(n: number): number {
  if (!Number.isInteger(n) || n < 1) {
    throw new RangeError(`setNumThreads: expected a positive integer, got ${String(n)}`);
  }
  const prev = threadCount();
  settings.threads = Math.min(n, LAYOUT.CTL.MAX_WORKERS + 1);
  return prev;
}

/** Threads a large kernel call may use (see `setNumThreads`). */
export function getNumThreads(): number {
  return threadCount();
}

/** Time spent in WebAssembly kernel calls since the last reset (copies in and out included). */
export function cpuKernelStats(reset = false): CpuKernelStats {
  const stats = settings.stats;
  const out = { ...stats };
  if (reset) {
    stats.calls = 0;
    stats.ms = 0;
    stats.copyMs = 0;
    stats.threadedCalls = 0;
  }
  return out;
}
