import { type CpuKernelInfo, initCpuKernels, setBackend, setNumThreads } from '@tessera/tensor';
import type { BackendPreference } from '../lib/url.js';

/** The backend a worker computes on, as shown in the page header. */
export interface BackendInfo {
  backend: 'cpu' | 'webgpu';
  /** The adapter (GPU name) or a description of the CPU backend. */
  adapter: string;
  /** Why WebGPU is not used, when it was wanted but is unavailable. */
  note?: string;
}

/** Waits for the GPU's queued work, once a WebGPU backend is active. */
let deviceSync: (() => Promise<void>) | null = null;

/**
 * Resolves when the device has run the work queued so far: on WebGPU it waits for the GPU, on the
 * CPU (where ops run when called) at once. Training loops call it between steps, so their time
 * budgets measure real work and the GPU, which also composites the page, never runs far behind.
 */
export async function settleDevice(): Promise<void> {
  if (deviceSync) await deviceSync();
}

/**
 * Picks the backend for this worker: WebGPU (through @tessera/gpu's `initWebGPU`) when the browser
 * has an adapter and the user did not ask for the CPU, else the CPU backend. With preference
 * 'webgpu' a failure is an error instead of a fallback.
 */
export async function initBackend(pref: BackendPreference): Promise<BackendInfo> {
  let note: string | undefined;
  if (pref !== 'cpu') {
    const nav = (globalThis as { navigator?: { gpu?: unknown } }).navigator;
    if (nav?.gpu) {
      try {
        const { initWebGPU, syncWebGPU } = await import('@tessera/gpu');
        const info = await initWebGPU();
        setBackend(info.name);
        deviceSync = () => syncWebGPU(info.name);
        const adapter = [info.vendor, info.architecture, info.device || info.description]
          .filter((s) => s && s.length > 0)
          .join(' · ');
        return { backend: 'webgpu', adapter: adapter || 'WebGPU adapter' };
      } catch (e) {
        if (pref === 'webgpu') throw e;
        note = `WebGPU unavailable: ${(e as Error).message}`;
      }
    } else {
      if (pref === 'webgpu')
        throw new Error('this browser does not expose WebGPU (navigator.gpu is missing)');
      note = 'this browser does not expose WebGPU';
    }
  }
  setBackend('cpu');
  deviceSync = null;
  setNumThreads(kernelThreads());
  let kernels: CpuKernelInfo;
  try {
    kernels = await initCpuKernels();
  } catch (e) {
    return {
      backend: 'cpu',
      adapter: 'JavaScript kernels',
      note: `WebAssembly kernels unavailable: ${(e as Error).message}`,
    };
  }
  const notes = [note, kernels.note].filter((n): n is string => !!n);
  return {
    backend: 'cpu',
    adapter: describeKernels(kernels),
    note: notes.length > 0 ? notes.join('; ') : undefined,
  };
}

const VARIANTS: Record<string, string> = {
  relaxed: 'WebAssembly relaxed SIMD',
  simd: 'WebAssembly SIMD',
  scalar: 'WebAssembly',
};

/** The CPU kernels in words: which WebAssembly variant (or JavaScript) and how many threads. */
function describeKernels(k: CpuKernelInfo): string {
  const kind =
    k.variant === null ? 'JavaScript kernels' : (VARIANTS[k.variant] ?? `WebAssembly (${k.variant})`);
  return `${kind}, ${k.threads} thread${k.threads === 1 ? '' : 's'}`;
}

/**
 * Threads for the CPU kernels: one fewer than the logical processors (at least one), so the
 * training worker and its kernel threads leave a core to the page's main thread, which draws.
 */
export function kernelThreads(): number {
  const n = (globalThis as { navigator?: { hardwareConcurrency?: number } }).navigator?.hardwareConcurrency;
  return Math.max(1, (typeof n === 'number' && n > 0 ? n : 1) - 1);
}
