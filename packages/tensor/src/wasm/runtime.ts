import { type KernelVariant, sharedMemorySupported, variantSupported, workersSupported } from './features.js';
import { Heap } from './heap.js';
import { LAYOUT } from './layout.generated.js';
import { compileKernels, compileKernelsAsync } from './module.js';
import { ThreadPool } from './pool.js';
import { settings, threadCount, variantOf } from './settings.js';
import type { CpuKernelInfo } from './types.js';

// The state of the WebAssembly CPU kernels: the compiled module of each variant, the one memory
// they share and the thread pool (the settings and counters are in settings.ts). Everything
// starts lazily, on the first float32 matmul or convolution that wants it.

/** Below this many flops a kernel call runs on the calling thread only (waking workers costs more). */
const PARALLEL_FLOPS = 1 << 21;

/** The kernels of one variant, instantiated on the shared memory. */
export class Runtime {
  readonly variant: KernelVariant;
  readonly heap: Heap;
  readonly module: WebAssembly.Module;
  readonly run: (job: number, task: number, scratch: number) => void;
  readonly packARows: (
    src: number,
    rs: number,
    cs: number,
    i0: number,
    i1: number,
    k: number,
    mpad: number,
    dst: number,
  ) => void;
  readonly addF32: (dst: number, src: number, n: number) => void;
  readonly packA: (src: number, rs: number, cs: number, mc: number, kc: number, dst: number) => void;
  readonly wgradFinish: (parts: number, s: number, g: number, ck: number, og: number, out: number) => void;
  readonly transpose: (src: number, dst: number, r: number, c: number, lds: number, ldd: number) => void;
  /** The elementwise and pooling kernels (kernels-wasm/elementwise.mjs), called on this thread. */
  readonly ew: ElementwiseExports;
  /** Index of the variant in VARIANT_ORDER (how jobs name it to the workers). */
  readonly index: number;
  /** Threads the current call may use. */
  private threads = 1;
  private threaded = false;
  private t0 = 0;

  constructor(
    variant: KernelVariant,
    heap: Heap,
    module: WebAssembly.Module,
    instance: WebAssembly.Instance,
  ) {
    this.variant = variant;
    this.index = VARIANT_ORDER.indexOf(variant);
    this.heap = heap;
    this.module = module;
    const e = instance.exports as Record<string, unknown>;
    this.run = e.run as Runtime['run'];
    this.packARows = e.pack_a_rows as Runtime['packARows'];
    this.addF32 = e.add_f32 as Runtime['addF32'];
    this.packA = e.pack_a as Runtime['packA'];
    this.wgradFinish = e.wgrad_finish as Runtime['wgradFinish'];
    this.transpose = e.transpose as Runtime['transpose'];
    this.ew = e as unknown as ElementwiseExports;
  }

  /**
   * Starts a kernel call of `flops` floating-point operations: frees the arena and decides how
   * many threads the call uses (starting workers the first time they are wanted).
   */
  begin(flops: number): void {
    this.t0 = performance.now();
    this.threaded = false;
    this.threads = flops >= PARALLEL_FLOPS ? threadCount() : 1;
    // Only runtimes on the shared memory of the pool use worker threads.
    if (this.threads > 1 && this.heap === heap) startPool(this.threads);
    else this.threads = 1;
    this.heap.reset();
  }

  /**
   * Runs tasks 0..count-1 of the job descriptor at `job` (on the pool when the call is large).
   * `meanwhile`, if given, is optional work for this thread while workers start on the tasks
   * (skipped when none take part: it would only add to the serial time).
   */
  dispatch(job: number, count: number, meanwhile?: () => void): void {
    if (pool !== null && this.threads > 1 && count > 1) {
      if (pool.run(this.index, this.run, job, count, this.threads, meanwhile) > 0) this.threaded = true;
    } else {
      for (let t = 0; t < count; t++) this.run(job, t, this.heap.scratch(0));
    }
  }

  /** Ends a kernel call, adding its time (and `copyMs` of copying) to the statistics. */
  end(copyMs: number): void {
    stats.calls++;
    stats.ms += performance.now() - this.t0;
    stats.copyMs += copyMs;
    if (this.threaded) stats.threadedCalls++;
  }

  /** The job descriptor as Int32 words (the view is valid until the memory grows). */
  job(): Int32Array {
    return this.heap.i32.subarray(LAYOUT.JOB_PTR >> 2, (LAYOUT.JOB_PTR >> 2) + LAYOUT.FIELD.SIZE);
  }
}

/** `${op}_vv_f32(dst, a, b, n)`, `${op}_vs_f32(dst, a, n, b)`, `${op}_sv_f32(dst, b, n, a)`. */
type BinaryExports = {
  [K in `${'add' | 'sub' | 'mul' | 'div'}_${'vv' | 'vs' | 'sv'}_f32`]: (
    dst: number,
    x: number,
    y: number,
    z: number,
  ) => void;
};

/** Per-row scalars: `${op}_vr_f32(dst, a, vals, rows, n)`, `${op}_rv_f32(dst, vals, a, rows, n)`. */
type RowExports = {
  [K in `${'add' | 'sub' | 'mul' | 'div'}_${'vr' | 'rv'}_f32`]: (
    dst: number,
    x: number,
    y: number,
    rows: number,
    n: number,
  ) => void;
};

/** phase_split / phase_merge(dst, src, planes, H, W, Hs, Ws, pt, pl) of kernels-wasm/phases.mjs. */
type PhaseFn = (
  dst: number,
  src: number,
  planes: number,
  H: number,
  W: number,
  Hs: number,
  Ws: number,
  pt: number,
  pl: number,
) => void;

/** Exports of kernels-wasm/elementwise.mjs (byte addresses; n, sizes and counts in elements). */
export interface ElementwiseExports extends BinaryExports, RowExports {
  square_f32(dst: number, src: number, n: number): void;
  neg_f32(dst: number, src: number, n: number): void;
  abs_f32(dst: number, src: number, n: number): void;
  leaky_relu_f32(dst: number, src: number, n: number, alpha: number): void;
  where_f32(dst: number, cond: number, a: number, b: number, n: number): void;
  /** kernels-wasm/phases.mjs: space-to-depth splits and merges of `planes` planes. */
  phase_split: PhaseFn;
  phase_merge: PhaseFn;
  relu_f32(dst: number, src: number, n: number): void;
  sqrt_f32(dst: number, src: number, n: number): void;
  threshold_bwd_f32(dst: number, g: number, x: number, n: number, t: number): void;
  maxpool2x2_f32(
    dst: number,
    idx: number,
    src: number,
    planes: number,
    OH: number,
    OW: number,
    H: number,
    W: number,
  ): void;
  maxpool_bwd_f32(dst: number, dy: number, idx: number, planes: number, outs: number, plane: number): number;
  sum8_f32(src: number, n: number): number;
  acc_f32(acc: number, src: number, n: number): void;
  axpy_f32(o: number, x: number, n: number, v: number): void;
  addcmul_f32(o: number, x: number, y: number, n: number, v: number): void;
  addcdiv_f32(o: number, x: number, y: number, n: number, v: number): void;
  lerp_lo_f32(o: number, x: number, n: number, w: number): void;
  lerp_hi_f32(o: number, x: number, n: number, u: number): void;
}

/** Variants by index, as jobs name them to worker threads. */
const VARIANT_ORDER: readonly KernelVariant[] = ['relaxed', 'simd', 'scalar'];

let pool: ThreadPool | null = null;
let heap: Heap | null = null;
const runtimes = new Map<KernelVariant, Runtime>();
const loading = new Map<KernelVariant, Promise<Runtime | null>>();
let failure: string | null = null;
const stats = settings.stats;

function memory(): Heap {
  heap ??= Heap.create(sharedMemorySupported());
  return heap;
}

/**
 * A runtime of `variant` on a memory of its own, unshared (single-threaded), as where
 * SharedArrayBuffer is unavailable. Not the active one: for tests of that configuration.
 */
export function isolatedRuntime(variant: KernelVariant): Runtime {
  const h = Heap.create(false);
  const module = compileKernels(variant, false);
  if (module === null) throw new Error('isolatedRuntime: synchronous compilation refused here');
  return new Runtime(variant, h, module, new WebAssembly.Instance(module, { env: { memory: h.memory } }));
}

function install(
  variant: KernelVariant,
  module: WebAssembly.Module,
  instance: WebAssembly.Instance,
): Runtime {
  const rt = new Runtime(variant, memory(), module, instance);
  runtimes.set(variant, rt);
  return rt;
}

/**
 * The runtime the current setting asks for, or null when TypeScript kernels should run: mode
 * 'ts', no WebAssembly, a failure, or a module still compiling asynchronously (a browser's main
 * thread refuses to compile it synchronously; `initCpuKernels()` waits for it).
 */
export function activeRuntime(): Runtime | null {
  const variant = variantOf(settings.mode);
  if (variant === null) return null;
  const rt = runtimes.get(variant);
  if (rt !== undefined) return rt;
  if (failure !== null || loading.has(variant)) return null;
  try {
    const shared = memory().shared;
    const module = compileKernels(variant, shared);
    if (module !== null) {
      const instance = new WebAssembly.Instance(module, { env: { memory: memory().memory } });
      return install(variant, module, instance);
    }
  } catch (e) {
    if (!(e instanceof RangeError)) {
      failure = `WebAssembly kernels failed to load: ${(e as Error).message}`;
      return null;
    }
  }
  void load(variant);
  return null;
}

const local = new Map<KernelVariant, Runtime | null>();

/**
 * The runtime for calls that stay on the calling thread (the elementwise kernels): the active one
 * when its memory is unshared, else one of the same variant on an unshared memory of its own,
 * made on first use. V8 copies into and out of a SharedArrayBuffer at about half the speed of
 * a plain memcpy, which is most of the time of a memory-bound pass. Falls back to the active
 * runtime where the second module cannot be compiled synchronously.
 */
export function localRuntime(): Runtime | null {
  const rt = activeRuntime();
  if (rt === null || !rt.heap.shared) return rt;
  let own = local.get(rt.variant);
  if (own === undefined) {
    own = null;
    try {
      const module = compileKernels(rt.variant, false);
      if (module !== null) {
        const h = Heap.create(false);
        own = new Runtime(
          rt.variant,
          h,
          module,
          new WebAssembly.Instance(module, { env: { memory: h.memory } }),
        );
      }
    } catch {
      // Keep the shared runtime (same results, slower copies).
    }
    local.set(rt.variant, own);
  }
  return own ?? rt;
}

/** Compiles and instantiates a variant asynchronously. */
function load(variant: KernelVariant): Promise<Runtime | null> {
  const have = runtimes.get(variant);
  if (have !== undefined) return Promise.resolve(have);
  let p = loading.get(variant);
  if (p === undefined) {
    p = (async () => {
      try {
        const module = await compileKernelsAsync(variant, memory().shared);
        const instance = await WebAssembly.instantiate(module, { env: { memory: memory().memory } });
        return install(variant, module, instance);
      } catch (e) {
        failure = `WebAssembly kernels failed to load: ${(e as Error).message}`;
        return null;
      } finally {
        loading.delete(variant);
      }
    })();
    loading.set(variant, p);
  }
  return p;
}

/**
 * Starts worker threads (in the background) until `threads` threads can work, where shared
 * memory and workers exist. Workers get every variant this thread can compile synchronously, so
 * changing `setCpuKernels` never restarts them. Only between kernel calls (it may move the arena).
 */
function startPool(threads: number): ThreadPool | null {
  const h = memory();
  if (!h.shared || !workersSupported()) return null;
  if (pool === null) {
    const modules = VARIANT_ORDER.map((v) => {
      if (!variantSupported(v)) return null;
      try {
        return runtimes.get(v)?.module ?? compileKernels(v, true);
      } catch {
        return null;
      }
    });
    pool = new ThreadPool(h, modules);
  }
  h.ensureSlots(threads);
  pool.grow(threads - 1);
  return pool;
}

/** A snapshot of what the CPU kernels are doing (compiling the selected variant if needed). */
export function runtimeInfo(): CpuKernelInfo {
  const mode = settings.mode;
  const variant = variantOf(mode);
  // Loads the selected kernels if they can be loaded synchronously, as the next kernel call would.
  const rt = variant === null ? undefined : (activeRuntime() ?? undefined);
  let note: string | null = failure;
  if (note === null && variant === null && mode !== 'ts') note = 'WebAssembly is not available';
  if (note === null && heap !== null && !heap.shared) {
    note = 'no SharedArrayBuffer (browsers need cross-origin isolation): single-threaded';
  }
  if (note === null && pool?.error) note = pool.error;
  return {
    mode,
    variant: rt?.variant ?? null,
    threads: threadCount(),
    workers: pool?.ready ?? 0,
    sharedMemory: heap?.shared ?? sharedMemorySupported(),
    memoryBytes: heap?.byteLength ?? 0,
    note,
  };
}

/**
 * Compiles the WebAssembly kernels of the current setting and starts the worker threads,
 * resolving when they are ready (see `initCpuKernels`).
 */
export async function initRuntime(): Promise<void> {
  const variant = variantOf(settings.mode);
  if (variant === null) return;
  const rt = activeRuntime() ?? (await load(variant));
  const n = threadCount();
  const p = rt !== null && n > 1 ? startPool(n) : null;
  if (p !== null) await p.whenReady(n - 1);
}
