import { type CpuKernelInfo, initCpuKernels, setBackend, setNumThreads } from '@tessera/tensor';
import type { BackendPreference } from '../lib/url.js';
import { adapterName, isSoftwareAdapter, NO_WEBGPU } from './adapter.js';

/** The backend a worker computes on, as shown in the page header. */
export interface BackendInfo {
  backend: 'cpu' | 'webgpu';
  /** The adapter (GPU name) or a description of the CPU backend. */
  adapter: string;
  /** Why WebGPU is not used, when it was wanted but is unavailable (for the user to read). */
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
 * Sets up the backend for this worker: WebGPU (through @tessera/gpu's `initWebGPU`) when asked
 * for ('webgpu') or, with 'auto', when the browser has a hardware adapter (a software one such as
 * SwiftShader is far slower than the CPU); else the CPU backend. Never fails for want of WebGPU:
 * without it, the CPU backend runs, and `note` says why, in words for a browser user.
 */
export async function initBackend(pref: BackendPreference): Promise<BackendInfo> {
  let note: string | undefined;
  if (pref !== 'cpu') {
    const r = await tryWebGPU(pref);
    if ('info' in r) return r.info;
    note = r.note;
  }
  return initCpu(note);
}

/** Starts WebGPU on the browser's adapter, or says why not. */
async function tryWebGPU(pref: BackendPreference): Promise<{ info: BackendInfo } | { note?: string }> {
  const gpu = (globalThis as { navigator?: { gpu?: GPU } }).navigator?.gpu;
  if (!gpu) return { note: NO_WEBGPU };
  let adapter: GPUAdapter | null;
  try {
    adapter = await gpu.requestAdapter();
  } catch {
    adapter = null;
  }
  if (!adapter) return { note: NO_WEBGPU };
  const legacy = (adapter as { isFallbackAdapter?: boolean }).isFallbackAdapter === true;
  const software = isSoftwareAdapter(adapter.info ?? {}, legacy);
  if (pref === 'auto' && software) return {};
  try {
    const { initWebGPU, syncWebGPU } = await import('@tessera/gpu');
    // The adapter examined above, not a second one.
    const info = await initWebGPU({ gpu: { requestAdapter: async () => adapter } });
    setBackend(info.name);
    deviceSync = () => syncWebGPU(info.name);
    const name = adapterName(info);
    return { info: { backend: 'webgpu', adapter: software ? `${name} (software)` : name } };
  } catch (e) {
    return { note: `WebGPU could not start (${(e as Error).message}); using the CPU.` };
  }
}

/** The CPU backend, with the WebAssembly kernels when they load. */
async function initCpu(note: string | undefined): Promise<BackendInfo> {
  setBackend('cpu');
  deviceSync = null;
  setNumThreads(kernelThreads());
  let kernels: CpuKernelInfo;
  try {
    kernels = await initCpuKernels();
  } catch (e) {
    const why = `WebAssembly kernels unavailable: ${(e as Error).message}`;
    return { backend: 'cpu', adapter: 'JavaScript kernels', note: note ? `${note} ${why}` : why };
  }
  const notes = [note, kernels.note].filter((n): n is string => !!n);
  return {
    backend: 'cpu',
    adapter: describeKernels(kernels),
    note: notes.length > 0 ? notes.join(' ') : undefined,
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
