import { type CpuKernelInfo, initCpuKernels, setBackend } from '@tessera/tensor';
import type { BackendPreference } from '../lib/url.js';

/** The backend a worker computes on, as shown in the page header. */
export interface BackendInfo {
  backend: 'cpu' | 'webgpu';
  /** The adapter (GPU name) or a description of the CPU backend. */
  adapter: string;
  /** Why WebGPU is not used, when it was wanted but is unavailable. */
  note?: string;
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
        const { initWebGPU } = await import('@tessera/gpu');
        const info = await initWebGPU();
        setBackend(info.name);
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
