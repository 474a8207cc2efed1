import { filterNativeStderr } from './native-stderr.js';

/** What `selectBackend` uses of @tessera/gpu (tests pass a stand-in). */
export type GpuModule = Pick<typeof import('@tessera/gpu'), 'initWebGPU'>;

/** Backends the examples and `tessera-train` can run on. */
export const BACKENDS = ['cpu', 'webgpu'] as const;
/** A backend name. */
export type BackendName = (typeof BACKENDS)[number];

/**
 * Returns the device to train on for a requested backend. 'webgpu' initialises @tessera/gpu
 * (loaded only then, so CPU runs never load the GPU driver); when WebGPU is unavailable it says
 * why and falls back to 'cpu' instead of failing. `loadGpu` replaces the import (for tests).
 */
export async function selectBackend(
  name: BackendName,
  log: (line: string) => void,
  loadGpu: () => Promise<GpuModule> = () => import('@tessera/gpu'),
): Promise<string> {
  if (name === 'cpu') return 'cpu';
  try {
    const { initWebGPU } = await loadGpu();
    // Dawn prints lavapipe's limit warnings from native code while it creates the adapter.
    const info = await filterNativeStderr(() => initWebGPU());
    const what = [info.vendor, info.architecture, info.description].filter((s) => s !== '').join(' ');
    log(`backend: webgpu (${what || 'unnamed adapter'})`);
    return info.name;
  } catch (e) {
    log(`backend: WebGPU is not available (${(e as Error).message}); falling back to the CPU backend`);
    return 'cpu';
  }
}
