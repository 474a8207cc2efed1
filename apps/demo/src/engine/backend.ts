import { setBackend } from '@tessera/tensor';
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
  const threads = (globalThis as { navigator?: { hardwareConcurrency?: number } }).navigator
    ?.hardwareConcurrency;
  return { backend: 'cpu', adapter: `JavaScript${threads ? `, ${threads} hardware threads` : ''}`, note };
}
