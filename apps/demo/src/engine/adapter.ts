import type { BackendPreference } from '../lib/url.js';

/** What a WebGPU adapter says about itself (`GPUAdapter.info`), as far as the demo uses it. */
export interface AdapterInfoLike {
  vendor?: string;
  architecture?: string;
  device?: string;
  description?: string;
  /** True for a software (fallback) adapter such as SwiftShader (Chromium 136 and later). */
  isFallbackAdapter?: boolean;
}

/** The browser's WebGPU adapter, as the page's backend switch shows it. */
export interface AdapterProbe {
  available: boolean;
  /** The adapter's name ("Google · swiftshader · SwiftShader Device"), or '' without one. */
  name: string;
  /** A software (fallback) adapter: emulates the GPU on the CPU, far slower than the CPU backend. */
  software: boolean;
}

/** Names of software rasterisers that some browsers do not flag as fallback adapters. */
const SOFTWARE_NAMES = /swiftshader|lavapipe|llvmpipe|softpipe|software|basic render/i;

/** Whether the adapter emulates a GPU on the CPU (flagged as fallback, or a known software renderer). */
export function isSoftwareAdapter(info: AdapterInfoLike, legacyFallback = false): boolean {
  if (info.isFallbackAdapter === true || legacyFallback) return true;
  return [info.vendor, info.architecture, info.device, info.description].some(
    (s) => typeof s === 'string' && SOFTWARE_NAMES.test(s),
  );
}

/** The adapter's name from its info: vendor, architecture and device, those that are known. */
export function adapterName(info: AdapterInfoLike): string {
  const parts = [info.vendor, info.architecture, info.device || info.description].filter(
    (s): s is string => typeof s === 'string' && s.length > 0,
  );
  return parts.length > 0 ? parts.join(' · ') : 'WebGPU adapter';
}

/** Something with `requestAdapter`, such as `navigator.gpu`. */
export interface AdapterSource {
  requestAdapter(): Promise<{ info?: AdapterInfoLike; isFallbackAdapter?: boolean } | null>;
}

/**
 * Asks the browser for its WebGPU adapter (without creating a device). No `navigator.gpu`, no
 * adapter, an error, or no answer within `timeoutMs`: not available.
 */
export async function probeAdapter(gpu: AdapterSource | undefined, timeoutMs = 5000): Promise<AdapterProbe> {
  const none: AdapterProbe = { available: false, name: '', software: false };
  if (!gpu) return none;
  let timer: ReturnType<typeof setTimeout> | undefined;
  const timeout = new Promise<null>((resolve) => {
    timer = setTimeout(() => resolve(null), timeoutMs);
  });
  try {
    const adapter = await Promise.race([gpu.requestAdapter().catch(() => null), timeout]);
    if (!adapter) return none;
    const info = adapter.info ?? {};
    return {
      available: true,
      name: adapterName(info),
      software: isSoftwareAdapter(info, adapter.isFallbackAdapter),
    };
  } finally {
    clearTimeout(timer);
  }
}

/** The backend the page asks its workers for, and why, when that is not what one would expect. */
export interface BackendChoice {
  backend: 'cpu' | 'webgpu';
  /** Shown to the user: why the CPU is used. */
  note?: string;
}

/** Shown when the browser has no WebGPU adapter. */
export const NO_WEBGPU = 'WebGPU is not available in this browser; using the CPU.';

/**
 * The backend to use: the user's choice when it can run; automatically (`'auto'`), WebGPU on a
 * hardware adapter and the CPU otherwise, since a software adapter such as SwiftShader runs
 * 50-200x slower than the CPU backend. Never WebGPU without an adapter.
 */
export function chooseBackend(pref: BackendPreference, probe: AdapterProbe): BackendChoice {
  if (pref === 'cpu') return { backend: 'cpu' };
  if (!probe.available) return { backend: 'cpu', note: NO_WEBGPU };
  if (pref === 'webgpu' || !probe.software) return { backend: 'webgpu' };
  return {
    backend: 'cpu',
    note: `The WebGPU adapter (${probe.name}) is a software one, slower than the CPU here; using the CPU.`,
  };
}
