import {
  bestVariant,
  hardwareConcurrency,
  type KernelVariant,
  sharedMemorySupported,
  variantSupported,
  workersSupported,
} from './features.js';
import { Heap } from './heap.js';
import { LAYOUT } from './kernels.generated.js';
import { compileKernels, compileKernelsAsync } from './module.js';
import { ThreadPool } from './pool.js';

// The state of the WebAssembly CPU kernels: which kernels run (the setting), the compiled module
// of each variant, the one memory they share, the thread pool, and timing counters. Everything
// starts lazily, on the first float32 matmul or convolution that wants it.

/**
 * Which kernels the CPU backend uses for float32 matmul and convolutions:
 * - `'auto'` (default): WebAssembly (the fastest variant the engine runs) for products big enough
 *   to pay for copying operands in and out, TypeScript for small ones;
 * - `'ts'`: the TypeScript kernels only;
 * - `'wasm'`: WebAssembly for every float32 matmul/convolution, whatever its size;
 * - `'wasm-relaxed'` / `'wasm-simd'` / `'wasm-scalar'`: like `'wasm'` with that variant (relaxed
 *   SIMD with fused multiply-add, 128-bit SIMD, or no SIMD), to test each path.
 */
export type CpuKernelMode = 'auto' | 'ts' | 'wasm' | 'wasm-relaxed' | 'wasm-simd' | 'wasm-scalar';

const MODES: readonly CpuKernelMode[] = ['auto', 'ts', 'wasm', 'wasm-relaxed', 'wasm-simd', 'wasm-scalar'];

/** What the CPU kernels are doing, from `cpuKernelInfo()`. */
export interface CpuKernelInfo {
  /** The `setCpuKernels` setting. */
  readonly mode: CpuKernelMode;
  /** The WebAssembly variant in use, or null when the TypeScript kernels run (mode 'ts', no WebAssembly, or not compiled yet). */
  readonly variant: KernelVariant | null;
  /** Threads a large kernel may use (the `setNumThreads` setting or the default). */
  readonly threads: number;
  /** Worker threads started and ready. */
  readonly workers: number;
  /** Whether the kernels' memory is shared (needed for threads; browsers need cross-origin isolation). */
  readonly sharedMemory: boolean;
  /** Bytes of WebAssembly memory reserved so far (the high-water mark of one kernel call). */
  readonly memoryBytes: number;
  /** Why WebAssembly or threads are not in use, when they are not. */
  readonly note: string | null;
}

/** Time spent in WebAssembly kernel calls, from `cpuKernelStats()`. */
export interface CpuKernelStats {
  /** Kernel calls that ran in WebAssembly. */
  calls: number;
  /** Milliseconds in those calls, copies included. */
  ms: number;
  /** Milliseconds of those spent copying operands into and results out of WebAssembly memory. */
  copyMs: number;
  /** Calls some of whose work ran on worker threads. */
  threadedCalls: number;
}

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

/** Variants by index, as jobs name them to worker threads. */
const VARIANT_ORDER: readonly KernelVariant[] = ['relaxed', 'simd', 'scalar'];

let mode: CpuKernelMode = 'auto';
let pool: ThreadPool | null = null;
let threadSetting: number | null = null;
let heap: Heap | null = null;
const runtimes = new Map<KernelVariant, Runtime>();
const loading = new Map<KernelVariant, Promise<Runtime | null>>();
let failure: string | null = null;
const stats: CpuKernelStats = { calls: 0, ms: 0, copyMs: 0, threadedCalls: 0 };

function variantOf(m: CpuKernelMode): KernelVariant | null {
  if (m === 'ts') return null;
  if (m === 'wasm-relaxed') return 'relaxed';
  if (m === 'wasm-simd') return 'simd';
  if (m === 'wasm-scalar') return 'scalar';
  return bestVariant();
}

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
  const variant = variantOf(mode);
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

/** Whether the setting forces WebAssembly for every size (the 'wasm*' modes). */
export function forcedWasm(): boolean {
  return mode !== 'auto' && mode !== 'ts';
}

function threadCount(): number {
  return threadSetting ?? defaultThreads();
}

let defaultThreadCount: number | undefined;
function defaultThreads(): number {
  defaultThreadCount ??= Math.max(1, Math.min(LAYOUT.CTL.MAX_WORKERS + 1, hardwareConcurrency()));
  return defaultThreadCount;
}

/**
 * Chooses the CPU backend's float32 matmul and convolution kernels (see `CpuKernelMode`); returns
 * the previous setting. Throws when a forced WebAssembly variant cannot run in this engine. Other
 * dtypes and ops always use the TypeScript kernels.
 */
export function setCpuKernels(m: CpuKernelMode): CpuKernelMode {
  if (!MODES.includes(m)) {
    throw new Error(`setCpuKernels: unknown mode '${String(m)}' (expected one of ${MODES.join(', ')})`);
  }
  const variant = variantOf(m);
  if (m !== 'ts' && m !== 'auto') {
    if (variant === null || !variantSupported(variant)) {
      const need = m === 'wasm-relaxed' ? 'relaxed SIMD' : m === 'wasm-simd' ? 'SIMD' : 'WebAssembly';
      throw new Error(
        `setCpuKernels: mode '${m}' needs WebAssembly ${need}, which this engine does not support`,
      );
    }
  }
  const prev = mode;
  mode = m;
  return prev;
}

/** The current `setCpuKernels` setting. */
export function getCpuKernels(): CpuKernelMode {
  return mode;
}

/**
 * Sets how many threads (the calling one included) a large float32 matmul or convolution may use;
 * 1 disables worker threads. Returns the previous value. The default is the number of logical
 * processors. Threads need shared memory: in browsers, a cross-origin-isolated page (COOP/COEP).
 */
export function setNumThreads(n: number): number {
  if (!Number.isInteger(n) || n < 1) {
    throw new RangeError(`setNumThreads: expected a positive integer, got ${String(n)}`);
  }
  const prev = threadCount();
  threadSetting = Math.min(n, LAYOUT.CTL.MAX_WORKERS + 1);
  return prev;
}

/** Threads a large kernel call may use (see `setNumThreads`). */
export function getNumThreads(): number {
  return threadCount();
}

/** A snapshot of what the CPU kernels are doing (loading the selected WebAssembly kernels if needed). */
export function cpuKernelInfo(): CpuKernelInfo {
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
 * Loads the WebAssembly kernels of the current setting and starts the worker threads, resolving
 * when they are ready. Optional: everything also starts on first use, but in a browser's main
 * thread the module can only be compiled asynchronously (TypeScript kernels run until it is), and
 * workers started on first use join from the next call on. Benchmarks call it to time warm kernels.
 */
export async function initCpuKernels(): Promise<CpuKernelInfo> {
  const variant = variantOf(mode);
  if (variant !== null) {
    const rt = activeRuntime() ?? (await load(variant));
    const n = threadCount();
    const p = rt !== null && n > 1 ? startPool(n) : null;
    if (p !== null) await p.whenReady(n - 1);
  }
  return cpuKernelInfo();
}

/** Time spent in WebAssembly kernel calls since the last reset (copies in and out included). */
export function cpuKernelStats(reset = false): CpuKernelStats {
  const out = { ...stats };
  if (reset) {
    stats.calls = 0;
    stats.ms = 0;
    stats.copyMs = 0;
    stats.threadedCalls = 0;
  }
  return out;
}
