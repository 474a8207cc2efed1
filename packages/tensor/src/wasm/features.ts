// What the JavaScript engine running us can do: WebAssembly SIMD and relaxed SIMD, shared memory
// (SharedArrayBuffer: browsers need cross-origin isolation), blocking waits (Atomics.wait is
// refused on a browser's main thread) and worker threads. Each probe runs once.

/** The kernel variants, fastest first (see packages/tensor/kernels-wasm/module.mjs). */
export type KernelVariant = 'relaxed' | 'simd' | 'scalar';

/** A module whose one function uses f32x4.relaxed_madd (the relaxed-SIMD feature test). */
const RELAXED_PROBE = new Uint8Array([
  0, 97, 115, 109, 1, 0, 0, 0, 1, 5, 1, 96, 0, 1, 123, 3, 2, 1, 0, 10, 28, 1, 26, 0, 67, 0, 0, 0, 0, 253, 19,
  67, 0, 0, 0, 0, 253, 19, 67, 0, 0, 0, 0, 253, 19, 253, 133, 2, 11,
]);
/** A module whose one function returns i32x4.splat(0) (the SIMD feature test). */
const SIMD_PROBE = new Uint8Array([
  0, 97, 115, 109, 1, 0, 0, 0, 1, 5, 1, 96, 0, 1, 123, 3, 2, 1, 0, 10, 8, 1, 6, 0, 65, 0, 253, 17, 11,
]);

interface NodeProcess {
  versions?: { node?: string; v8?: string };
  getBuiltinModule?: (name: string) => unknown;
}

/** Node's `process`, or undefined in browsers. */
export function nodeProcess(): NodeProcess | undefined {
  const p = (globalThis as { process?: NodeProcess }).process;
  return typeof p?.versions?.node === 'string' ? p : undefined;
}

/** A Node built-in module, loaded synchronously (Node >= 20.16), or undefined. */
export function nodeBuiltin<T>(name: string): T | undefined {
  try {
    return nodeProcess()?.getBuiltinModule?.(name) as T | undefined;
  } catch {
    return undefined;
  }
}

const hasWasm = typeof WebAssembly === 'object' && typeof WebAssembly.validate === 'function';
let simd: boolean | undefined;
let relaxed: boolean | undefined;

/** Whether the engine has WebAssembly at all. */
export function wasmAvailable(): boolean {
  return hasWasm;
}

/** Whether the engine validates 128-bit SIMD. */
export function simdSupported(): boolean {
  simd ??= hasWasm && WebAssembly.validate(SIMD_PROBE);
  return simd;
}

/**
 * Whether the engine validates relaxed SIMD. Node 20 (V8 11.3) has it behind a flag, which is
 * turned on here (it only widens what the validator accepts; later V8 versions ship the feature).
 */
export function relaxedSupported(): boolean {
  if (relaxed !== undefined) return relaxed;
  relaxed = hasWasm && WebAssembly.validate(RELAXED_PROBE);
  const v8version = nodeProcess()?.versions?.v8 ?? '';
  if (!relaxed && simdSupported() && v8version.startsWith('11.')) {
    const v8 = nodeBuiltin<{ setFlagsFromString(flags: string): void }>('v8');
    if (v8 !== undefined) {
      try {
        v8.setFlagsFromString('--experimental-wasm-relaxed-simd');
        relaxed = WebAssembly.validate(RELAXED_PROBE);
      } catch {
        relaxed = false;
      }
    }
  }
  return relaxed;
}

/** Whether `variant` can run here. */
export function variantSupported(variant: KernelVariant): boolean {
  if (!hasWasm) return false;
  if (variant === 'scalar') return true;
  if (variant === 'simd') return simdSupported();
  return relaxedSupported();
}

/** The fastest variant this engine runs, or null without WebAssembly. */
export function bestVariant(): KernelVariant | null {
  if (!hasWasm) return null;
  return relaxedSupported() ? 'relaxed' : simdSupported() ? 'simd' : 'scalar';
}

/** Whether a shared WebAssembly.Memory can be created (needs SharedArrayBuffer). */
export function sharedMemorySupported(): boolean {
  if (!hasWasm || typeof SharedArrayBuffer !== 'function') return false;
  if ((globalThis as { crossOriginIsolated?: boolean }).crossOriginIsolated === false) return false;
  try {
    new WebAssembly.Memory({ initial: 1, maximum: 1, shared: true });
    return true;
  } catch {
    return false;
  }
}

let canWait: boolean | undefined;

/** Whether this thread may block in Atomics.wait (not on a browser's main thread). */
export function atomicsWaitAllowed(): boolean {
  if (canWait !== undefined) return canWait;
  try {
    Atomics.wait(new Int32Array(new SharedArrayBuffer(4)), 0, 1, 0);
    canWait = true;
  } catch {
    canWait = false;
  }
  return canWait;
}

/** Whether worker threads can be started (Node worker_threads or a browser Worker). */
export function workersSupported(): boolean {
  if (nodeProcess() !== undefined) return true;
  return typeof (globalThis as { Worker?: unknown }).Worker === 'function' && typeof Blob === 'function';
}

/** Logical processors: a default for the thread count. */
export function hardwareConcurrency(): number {
  const nav = (globalThis as { navigator?: { hardwareConcurrency?: number } }).navigator;
  if (typeof nav?.hardwareConcurrency === 'number' && nav.hardwareConcurrency > 0)
    return nav.hardwareConcurrency;
  const os = nodeBuiltin<{ availableParallelism?: () => number; cpus(): unknown[] }>('os');
  if (os !== undefined) return os.availableParallelism?.() ?? os.cpus().length;
  return 1;
}
