import { getBackend, listBackends, registerBackend } from '@tessera/tensor';
import { WebGPUBackend } from './backend.js';
import type { GpuMemoryInfo } from './memory.js';

/** Something with `requestAdapter`: `navigator.gpu`, or `create([])` of the `webgpu` package in Node. */
export interface GpuLike {
  requestAdapter(options?: GPURequestAdapterOptions): Promise<GPUAdapter | null>;
}

/** Options of `initWebGPU`. */
export interface InitWebGPUOptions {
  /** Which adapter to prefer when there are several. */
  powerPreference?: 'low-power' | 'high-performance';
  /** Features the device must have (an error names the missing ones). */
  requiredFeatures?: readonly string[];
  /** The WebGPU entry point; default `navigator.gpu`, or in Node the optional `webgpu` package. */
  gpu?: GpuLike;
  /**
   * Debug mode: every dispatch runs in its own command buffer inside error scopes, so a WebGPU
   * validation error names the op and shapes. Costs a submit and three error scopes per op
   * (typically several times slower); leave it off except to find a failing kernel.
   */
  debug?: boolean;
  /** Registry name (default `'webgpu'`); tensors on the backend report it as their `device`. */
  name?: string;
  /** Dispatches per command buffer before it is submitted without waiting for a read (default 256). */
  maxBatch?: number;
  /** Bytes of freed buffers kept for reuse (default 512 MiB); beyond, they are destroyed. */
  maxPoolBytes?: number;
  /** Called when the device is lost (tensors on it can no longer be used). */
  onDeviceLost?: (info: { reason: string; message: string }) => void;
}

/** What `initWebGPU` found. */
export interface WebGPUInfo {
  /** Registry name of the backend. */
  name: string;
  vendor: string;
  architecture: string;
  device: string;
  description: string;
  /** Features enabled on the device (shader-f16 and subgroups when the adapter has them). */
  features: string[];
  /** Limits the backend requested (the adapter's maximum). */
  limits: {
    maxStorageBufferBindingSize: number;
    maxBufferSize: number;
    maxComputeWorkgroupStorageSize: number;
    maxComputeInvocationsPerWorkgroup: number;
  };
}

const OPTIONAL_FEATURES = ['shader-f16', 'subgroups'];

/**
 * Finds a WebGPU adapter, creates a device with the limits the kernels want (the adapter's largest
 * storage buffers and workgroup memory) and registers the backend (default name `'webgpu'`), so
 * that `tensor(x, { device: 'webgpu' })` and `setBackend('webgpu')` work. In Node it loads the
 * optional `webgpu` package (Dawn). Throws a clear error, saying how to fall back to the CPU
 * backend, when there is no WebGPU or no adapter:
 *
 *   try { await initWebGPU(); setBackend('webgpu'); } catch { setBackend('cpu'); }
 */
export async function initWebGPU(opts: InitWebGPUOptions = {}): Promise<WebGPUInfo> {
  const gpu = opts.gpu ?? (await findGpu());
  const adapter = await gpu.requestAdapter(
    opts.powerPreference ? { powerPreference: opts.powerPreference } : undefined,
  );
  if (adapter === null) {
    throw new Error(
      'initWebGPU: no WebGPU adapter was found (no GPU, or no driver for it; in Node on Linux a Vulkan ' +
        "driver such as Mesa's lavapipe is needed). Continue on the CPU with setBackend('cpu')",
    );
  }
  const required = opts.requiredFeatures ?? [];
  const missing = required.filter((f) => !adapter.features.has(f));
  if (missing.length > 0) {
    throw new Error(
      `initWebGPU: the adapter lacks required feature(s) ${missing.join(', ')} ` +
        `(it has: ${[...adapter.features].sort().join(', ') || 'none'})`,
    );
  }
  const features = [...new Set([...required, ...OPTIONAL_FEATURES.filter((f) => adapter.features.has(f))])];
  const al = adapter.limits;
  const limits = {
    maxStorageBufferBindingSize: al.maxStorageBufferBindingSize,
    maxBufferSize: al.maxBufferSize,
    maxComputeWorkgroupStorageSize: al.maxComputeWorkgroupStorageSize,
    maxComputeInvocationsPerWorkgroup: al.maxComputeInvocationsPerWorkgroup,
    maxStorageBuffersPerShaderStage: al.maxStorageBuffersPerShaderStage,
  };
  const device = await adapter.requestDevice({
    requiredFeatures: features as GPUFeatureName[],
    requiredLimits: limits,
  });
  const name = opts.name ?? 'webgpu';
  const backend = new WebGPUBackend(
    device,
    {
      debug: opts.debug ?? false,
      ...(opts.maxBatch !== undefined ? { maxBatch: opts.maxBatch } : {}),
      ...(opts.maxPoolBytes !== undefined ? { maxPoolBytes: opts.maxPoolBytes } : {}),
    },
    name,
  );
  device.lost.then((info) => {
    const report = { reason: info.reason ?? 'unknown', message: info.message };
    if (opts.onDeviceLost) opts.onDeviceLost(report);
    else if (report.reason !== 'destroyed') {
      console.warn(
        `@tessera/gpu: the WebGPU device '${name}' was lost (${report.reason}): ${report.message}`,
      );
    }
  });
  // Dawn (Node) tears the instance down when its JS object is collected, crashing live devices:
  // the backend keeps the entry point and adapter alive.
  backend.keepAlive = [gpu, adapter];
  registerBackend(name, () => backend);
  const info = adapter.info;
  return {
    name,
    vendor: info?.vendor ?? '',
    architecture: info?.architecture ?? '',
    device: info?.device ?? '',
    description: info?.description ?? '',
    features: [...device.features].sort(),
    limits: {
      maxStorageBufferBindingSize: device.limits.maxStorageBufferBindingSize,
      maxBufferSize: device.limits.maxBufferSize,
      maxComputeWorkgroupStorageSize: device.limits.maxComputeWorkgroupStorageSize,
      maxComputeInvocationsPerWorkgroup: device.limits.maxComputeInvocationsPerWorkgroup,
    },
  };
}

/** The browser's `navigator.gpu`, or in Node the `webgpu` package's entry point. */
async function findGpu(): Promise<GpuLike> {
  const nav = (globalThis as { navigator?: { gpu?: GpuLike } }).navigator;
  if (nav?.gpu) return nav.gpu;
  const proc = (globalThis as { process?: { versions?: { node?: string } } }).process;
  const isNode = typeof proc?.versions?.node === 'string';
  if (!isNode) {
    throw new Error(
      'initWebGPU: this environment has no WebGPU (navigator.gpu is undefined); use a browser with ' +
        "WebGPU enabled, or continue on the CPU with setBackend('cpu')",
    );
  }
  // A variable specifier keeps bundlers from trying to resolve the optional Node-only package.
  const specifier = 'webgpu';
  let mod: { create: (flags: string[]) => GpuLike };
  try {
    mod = await import(specifier);
  } catch (e) {
    throw new Error(
      "initWebGPU: WebGPU in Node needs the optional 'webgpu' package (Dawn): `npm install webgpu`. " +
        `Loading it failed (${(e as Error).message}). Continue on the CPU with setBackend('cpu')`,
    );
  }
  return mod.create([]);
}

/** The registered webgpu backend (default name `'webgpu'`), or a clear error before `initWebGPU`. */
export function webgpuBackend(name = 'webgpu'): WebGPUBackend {
  if (!listBackends().includes(name)) {
    throw new Error(`webgpu backend '${name}' is not initialised; call \`await initWebGPU()\` first`);
  }
  const b = getBackend(name);
  if (!(b instanceof WebGPUBackend)) throw new Error(`backend '${name}' is not a webgpu backend`);
  return b;
}

/** Live buffers, bytes and pool size of the webgpu backend (see GpuMemoryInfo). */
export function gpuMemory(name = 'webgpu'): GpuMemoryInfo {
  return webgpuBackend(name).memory();
}

/** Resolves when the webgpu backend's queued work is done (throws errors the GPU reported). */
export function syncWebGPU(name = 'webgpu'): Promise<void> {
  return webgpuBackend(name).sync();
}
