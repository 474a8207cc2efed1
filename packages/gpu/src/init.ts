import { checkOptions, getBackend, listBackends, registerBackend } from '@tessera/tensor';
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
  /**
   * Fuse chains of elementwise ops (and the optimizers' updates) into single kernels (default
   * true; always off in debug mode, where every op runs alone so errors name it). Results are
   * pending until first used and then computed by one generated kernel; `false` dispatches each op.
   */
  fusion?: boolean;
  /** Dispatches per command buffer before it is submitted without waiting for a read (default 256). */
  maxBatch?: number;
  /**
   * Kernel pipelines compiled at once, at most (default: half the logical processors, at least 1).
   * A browser compiles them on its GPU process's threads; leaving cores free keeps the page
   * drawing while a model's kernels compile on first use.
   */
  parallelCompiles?: number;
  /** Bytes of freed buffers kept for reuse (default 512 MiB); beyond, they are destroyed. */
  maxPoolBytes?: number;
  /** Freed buffers kept for reuse, whatever their size (default 2048); beyond, they are destroyed. */
  maxPoolBuffers?: number;
  /**
   * GPU ops that may be queued without the event loop turning (or a read completing) before the
   * next one throws an error naming the fix, `await loss.data()` or `await nextStep()` once per
   * step (default 16384). Un-awaited work and the buffers of dropped tensors are released only
   * when the event loop turns; unbounded, they crash the driver.
   */
  maxUnawaitedOps?: number;
  /**
   * Use the adapter's `subgroups` feature (default true): subgroup matmul/convolution kernels when
   * the subgroup size is fixed, subgroup reductions when the layout probe passes. `false` runs
   * the portable workgroup-memory kernels (the fallback used on adapters without subgroups).
   */
  subgroups?: boolean;
  /**
   * Run matmul and the convolutions on the subgroup GEMM kernel (needs `subgroups` with one fixed
   * subgroup size). Default: only on software (fallback) adapters such as lavapipe and SwiftShader,
   * which emulate workgroup memory and barriers and where it measured 2-10x faster than the tiled
   * kernel; hardware adapters keep the tiled workgroup-memory kernel unless this is `true`.
   */
  subgroupMatmul?: boolean;
  /**
   * Opt-in reduced-precision GEMMs (default false), like PyTorch's
   * `set_float32_matmul_precision('medium')`: matmul and the convolutions round their operands to
   * float16 and multiply in float16 (`shader-f16`), accumulating in float32. About 3 significant
   * digits per product and a range of +-65504 (larger operands become Infinity). Needs the
   * adapter's `shader-f16` feature: without it initWebGPU throws.
   */
  float16Matmul?: boolean;
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
  /** Which optional kernel paths are in use (see the README's "Optional features"). */
  kernels: {
    /** Subgroup size of the subgroup GEMM (matmul, convolutions); 0 when the tiled kernel runs. */
    subgroupMatmul: number;
    /** Reductions combine within subgroups before workgroup memory. */
    subgroupReduce: boolean;
    /** GEMMs multiply in float16 (the `float16Matmul` option). */
    float16Matmul: boolean;
  };
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
  checkOptions('initWebGPU', opts, {
    powerPreference: 'any',
    requiredFeatures: 'any',
    gpu: 'any',
    debug: 'any',
    fusion: 'any',
    name: 'any',
    maxBatch: 'any',
    parallelCompiles: 'any',
    maxPoolBytes: 'any',
    maxPoolBuffers: 'any',
    maxUnawaitedOps: 'any',
    subgroups: 'any',
    subgroupMatmul: 'any',
    float16Matmul: 'any',
    onDeviceLost: 'any',
  });
  for (const key of ['parallelCompiles', 'maxUnawaitedOps', 'maxPoolBuffers'] as const) {
    const v = opts[key];
    if (v !== undefined && !(Number.isInteger(v) && v >= 1)) {
      throw new RangeError(`initWebGPU: ${key} must be a positive integer, got ${v}`);
    }
  }
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
  const required = [...(opts.requiredFeatures ?? []), ...(opts.float16Matmul ? ['shader-f16'] : [])];
  const missing = required.filter((f) => !adapter.features.has(f));
  if (missing.length > 0) {
    throw new Error(
      `initWebGPU: the adapter lacks required feature(s) ${missing.join(', ')} ` +
        `(it has: ${[...adapter.features].sort().join(', ') || 'none'})`,
    );
  }
  const optional = OPTIONAL_FEATURES.filter(
    (f) => adapter.features.has(f) && !(f === 'subgroups' && opts.subgroups === false),
  );
  const features = [...new Set([...required, ...optional])];
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
  const useSubgroups = opts.subgroups !== false && device.features.has('subgroups');
  const sgMin = adapter.info?.subgroupMinSize ?? 0;
  const sgMax = adapter.info?.subgroupMaxSize ?? 0;
  // The subgroup GEMM unrolls over the subgroup size, so it needs one fixed power-of-two size.
  const software = (adapter.info as { isFallbackAdapter?: boolean } | undefined)?.isFallbackAdapter === true;
  const wantSgMatmul = useSubgroups && (opts.subgroupMatmul ?? software);
  const subgroupSize = wantSgMatmul && sgMin === sgMax && (sgMin & (sgMin - 1)) === 0 ? sgMin : 0;
  const subgroupReduce = useSubgroups && (await probeSubgroupLayout(device));
  const backend = new WebGPUBackend(
    device,
    {
      debug: opts.debug ?? false,
      fusion: opts.fusion ?? true,
      subgroupSize,
      subgroupReduce,
      float16Matmul: opts.float16Matmul ?? false,
      ...(opts.maxBatch !== undefined ? { maxBatch: opts.maxBatch } : {}),
      ...(opts.parallelCompiles !== undefined ? { parallelCompiles: opts.parallelCompiles } : {}),
      ...(opts.maxPoolBytes !== undefined ? { maxPoolBytes: opts.maxPoolBytes } : {}),
      ...(opts.maxPoolBuffers !== undefined ? { maxPoolBuffers: opts.maxPoolBuffers } : {}),
      ...(opts.maxUnawaitedOps !== undefined ? { maxUnawaitedOps: opts.maxUnawaitedOps } : {}),
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
    kernels: { subgroupMatmul: subgroupSize, subgroupReduce, float16Matmul: opts.float16Matmul ?? false },
    limits: {
      maxStorageBufferBindingSize: device.limits.maxStorageBufferBindingSize,
      maxBufferSize: device.limits.maxBufferSize,
      maxComputeWorkgroupStorageSize: device.limits.maxComputeWorkgroupStorageSize,
      maxComputeInvocationsPerWorkgroup: device.limits.maxComputeInvocationsPerWorkgroup,
    },
  };
}

/**
 * Whether subgroups of a 256-wide workgroup are consecutive runs of local_invocation_index with
 * one power-of-two size, which the subgroup reductions assume (WGSL does not promise it). Runs a
 * one-off kernel that records each invocation's subgroup lane and size.
 */
async function probeSubgroupLayout(device: GPUDevice): Promise<boolean> {
  const code = `enable subgroups;
@group(0) @binding(0) var<storage, read_write> O: array<u32>;
@compute @workgroup_size(256)
fn main(@builtin(local_invocation_index) t: u32, @builtin(subgroup_invocation_id) lane: u32,
        @builtin(subgroup_size) size: u32) { O[t] = lane | (size << 16u); }`;
  device.pushErrorScope('validation');
  try {
    const pipeline = device.createComputePipeline({
      layout: 'auto',
      compute: { module: device.createShaderModule({ code }), entryPoint: 'main' },
    });
    const out = device.createBuffer({ size: 1024, usage: 0x80 | 0x04 }); // STORAGE | COPY_SRC
    const staging = device.createBuffer({ size: 1024, usage: 0x01 | 0x08 }); // MAP_READ | COPY_DST
    const enc = device.createCommandEncoder();
    const pass = enc.beginComputePass();
    pass.setPipeline(pipeline);
    pass.setBindGroup(
      0,
      device.createBindGroup({
        layout: pipeline.getBindGroupLayout(0),
        entries: [{ binding: 0, resource: { buffer: out } }],
      }),
    );
    pass.dispatchWorkgroups(1);
    pass.end();
    enc.copyBufferToBuffer(out, 0, staging, 0, 1024);
    device.queue.submit([enc.finish()]);
    await staging.mapAsync(0x01);
    const w = new Uint32Array(staging.getMappedRange().slice(0));
    staging.unmap();
    staging.destroy();
    out.destroy();
    if ((await device.popErrorScope()) !== null) return false;
    const size = w[0]! >>> 16;
    if (size < 4 || size > 256 || (size & (size - 1)) !== 0) return false;
    return w.every((v, t) => v >>> 16 === size && (v & 0xffff) === t % size);
  } catch {
    await device.popErrorScope().catch(() => null);
    return false;
  }
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
    mod = await import(/* @vite-ignore */ /* webpackIgnore: true */ specifier);
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
