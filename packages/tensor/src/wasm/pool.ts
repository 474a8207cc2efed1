import { atomicsWaitAllowed, nodeBuiltin, nodeProcess } from './features.js';
import type { Heap } from './heap.js';
import { LAYOUT } from './layout.generated.js';
import { BROWSER_WORKER_SOURCE, NODE_WORKER_SOURCE } from './worker-source.js';

// A pool of worker threads running kernel tasks on the shared WebAssembly memory.
//
// A job is a descriptor in wasm memory plus a task count; tasks are independent and their split
// depends only on the problem's shape, so results do not depend on how many threads run them.
// The calling thread publishes the job, runs tasks itself, and blocks until the workers that
// joined have finished theirs: ops stay synchronous. Workers start lazily, on the first job that
// wants them; they report ready through a flag in shared memory (a synchronous script that never
// yields still sees it) and until then the caller works alone. They do not keep a Node process
// alive (unref) and sleep in Atomics.wait between jobs after a short spin. Where the calling
// thread may not block (a browser's main thread) it spins for the workers' last tasks instead.

const C = LAYOUT.CTL;

/** Spins (Atomics.load polls) before sleeping: covers back-to-back jobs without a futex wake. */
const SPIN = 20000;

interface WorkerLike {
  postMessage(msg: unknown): void;
  terminate(): unknown;
}

/** Calls `run(job, task, scratch)` of the caller's kernel instance. */
export type RunTask = (job: number, task: number, scratch: number) => void;

type MakeWorker = (onError: (message: string) => void) => WorkerLike;

/** The part of Node's worker_threads.Worker used here (no dependency on Node's type declarations). */
interface NodeWorker extends WorkerLike {
  unref(): void;
  /** The worker's messages: `{ error }` when its kernel threw (see the worker source). */
  on(event: 'message', listener: (value: { error?: string }) => void): void;
  on(event: 'error', listener: (value: unknown) => void): void;
}
type NodeWorkerClass = new (source: string, options: { eval: boolean; name: string }) => NodeWorker;

let factory: MakeWorker | null | undefined;
let factoryLoading: Promise<MakeWorker | null> | null = null;

/** The worker constructor of this environment, if it can be had synchronously. */
function syncFactory(): MakeWorker | null | undefined {
  if (factory !== undefined) return factory;
  if (nodeProcess() !== undefined) {
    const wt = nodeBuiltin<{ Worker: NodeWorkerClass }>('worker_threads');
    if (wt !== undefined) factory = nodeFactory(wt.Worker);
    return factory;
  }
  factory = typeof Worker === 'function' && typeof Blob === 'function' ? browserFactory() : null;
  return factory;
}

/** The worker constructor, loading node:worker_threads asynchronously where needed (Node < 20.16). */
function asyncFactory(): Promise<MakeWorker | null> {
  const f = syncFactory();
  if (f !== undefined) return Promise.resolve(f);
  // A computed specifier and the ignore comments keep browser bundlers (Vite, webpack) from
  // trying to resolve or bundle the Node built-in.
  const spec = 'node:worker_threads';
  factoryLoading ??= (
    import(/* webpackIgnore: true */ /* @vite-ignore */ spec) as Promise<{ Worker: NodeWorkerClass }>
  ).then(
    (wt) => (factory = nodeFactory(wt.Worker)),
    () => (factory = null),
  );
  return factoryLoading;
}

function nodeFactory(WorkerClass: NodeWorkerClass): MakeWorker {
  return (onError) => {
    const w = new WorkerClass(NODE_WORKER_SOURCE, { eval: true, name: 'tessera-kernels' });
    w.on('message', (m: { error?: string }) => m.error !== undefined && onError(m.error));
    w.on('error', (e: unknown) => onError(String(e)));
    // After adding the listeners: a 'message' listener refs the worker's port again.
    w.unref();
    return w;
  };
}

function browserFactory(): MakeWorker {
  let url: string | null = null;
  return (onError) => {
    url ??= URL.createObjectURL(new Blob([BROWSER_WORKER_SOURCE], { type: 'text/javascript' }));
    const w = new Worker(url, { name: 'tessera-kernels' });
    w.onmessage = (ev: MessageEvent<{ error?: string }>) =>
      ev.data.error !== undefined && onError(ev.data.error);
    w.onerror = (ev) => onError(ev.message || 'worker error');
    return w;
  };
}

/** Worker threads sharing one kernel module and memory with the calling thread. */
export class ThreadPool {
  private readonly heap: Heap;
  /** The kernel module of each variant index the workers instantiate (null: not available). */
  private readonly modules: readonly (WebAssembly.Module | null)[];
  private readonly workers: WorkerLike[] = [];
  private gen = 0;
  private readonly epoch: number;
  private failure: string | null = null;
  private pending = 0;
  private readonly canBlock = atomicsWaitAllowed();

  constructor(heap: Heap, modules: readonly (WebAssembly.Module | null)[]) {
    this.heap = heap;
    this.modules = modules;
    const ctl = this.ctl();
    for (let i = 0; i < 64; i++) if (i !== C.EPOCH) Atomics.store(ctl, i, 0);
    // Workers of an earlier pool on this memory (not yet gone after terminate) see a new epoch and exit.
    this.epoch = Atomics.add(ctl, C.EPOCH, 1) + 1;
  }

  private ctl(): Int32Array {
    return new Int32Array(this.heap.memory.buffer, 0, 64);
  }

  /** Workers started (ready or not). */
  get size(): number {
    return this.workers.length + this.pending;
  }

  /** Workers that have instantiated the module and take jobs. */
  get ready(): number {
    const ctl = this.ctl();
    let n = 0;
    for (let i = 0; i < this.workers.length; i++) if (Atomics.load(ctl, C.READY + i) === 1) n++;
    return n;
  }

  /** Why workers could not be started, if they could not. */
  get error(): string | null {
    return this.failure;
  }

  /**
   * Starts workers until there are `n` (at most MAX_WORKERS): synchronously where the
   * environment allows, else in the background. Never waits for them to become ready.
   */
  grow(n: number): void {
    n = Math.min(n, C.MAX_WORKERS);
    if (this.failure !== null || this.size >= n) return;
    const f = syncFactory();
    if (f === null) {
      this.failure = 'worker threads are not available here';
      return;
    }
    if (f !== undefined) {
      this.spawn(f, n);
      return;
    }
    this.pending = n - this.workers.length;
    asyncFactory().then((g) => {
      this.pending = 0;
      if (g === null) this.failure = 'worker threads are not available here';
      else this.spawn(g, n);
    });
  }

  private spawn(make: MakeWorker, n: number): void {
    this.heap.ensureSlots(n + 1);
    for (let id = this.workers.length; id < n; id++) {
      let w: WorkerLike;
      try {
        w = make((message) => {
          this.failure ??= `a kernel worker failed: ${message}`;
        });
      } catch (e) {
        this.failure = `cannot start worker threads: ${(e as Error).message}`;
        return;
      }
      this.workers.push(w);
      w.postMessage({
        modules: this.modules,
        memory: this.heap.memory,
        id,
        ctl: C,
        scratch: this.heap.scratch(id + 1),
        spin: SPIN,
        epoch: this.epoch,
      });
    }
  }

  /** Resolves once `n` workers are ready (or starting them failed, or `timeoutMs` passed). */
  async whenReady(n: number, timeoutMs = 10_000): Promise<void> {
    const end = Date.now() + timeoutMs;
    while (this.failure === null && this.ready < Math.min(n, C.MAX_WORKERS) && Date.now() < end) {
      await new Promise((r) => setTimeout(r, 2));
    }
  }

  /**
   * Runs tasks 0..count-1 of the job at `job` with the kernels of variant index `variant` (`run`
   * on this thread) on at most `threads` threads, the caller included; all on the caller when no
   * worker is ready. Returns how many workers were invited. `meanwhile`, if given, runs on this
   * thread once workers are woken, before it claims tasks: optional work (skipped when no worker
   * takes part) that overlaps theirs.
   */
  run(
    variant: number,
    run: RunTask,
    job: number,
    count: number,
    threads: number,
    meanwhile?: () => void,
  ): number {
    const helpers =
      this.modules[variant] == null
        ? 0
        : Math.min(threads - 1, this.ready, count - 1, this.heap.scratchSlots - 1);
    const scratch = this.heap.scratch(0);
    if (helpers <= 0) {
      for (let t = 0; t < count; t++) run(job, t, scratch);
      return 0;
    }
    const ctl = this.ctl();
    Atomics.store(ctl, C.COUNT, count);
    Atomics.store(ctl, C.JOB, job);
    Atomics.store(ctl, C.NEXT, 0);
    Atomics.store(ctl, C.DONE, 0);
    Atomics.store(ctl, C.ERROR, 0);
    Atomics.store(ctl, C.LIMIT, helpers);
    Atomics.store(ctl, C.VARIANT, variant);
    Atomics.store(ctl, C.OPEN, 1);
    this.gen = (this.gen % 0x7fffffff) + 1;
    Atomics.store(ctl, C.GEN, this.gen);
    // Wake every sleeper: which workers are below LIMIT is theirs to check.
    Atomics.notify(ctl, C.GEN);
    let failure: unknown = null;
    try {
      meanwhile?.();
    } catch (e) {
      failure = e;
    }
    for (;;) {
      const t = Atomics.add(ctl, C.NEXT, 1);
      if (t >= count) break;
      try {
        run(job, t, scratch);
      } catch (e) {
        failure ??= e;
      }
      Atomics.add(ctl, C.DONE, 1);
    }
    this.waitFor(ctl, C.DONE, (v) => v >= count);
    Atomics.store(ctl, C.OPEN, 0);
    this.waitFor(ctl, C.ACTIVE, (v) => v === 0);
    if (failure !== null) throw failure;
    if (Atomics.load(ctl, C.ERROR) !== 0)
      throw new Error('a WebAssembly kernel task failed in a worker thread');
    return helpers;
  }

  /** Blocks until `done(ctl[i])`: spins a while, then sleeps in Atomics.wait where allowed. */
  private waitFor(ctl: Int32Array, i: number, done: (v: number) => boolean): void {
    let v = Atomics.load(ctl, i);
    for (let k = 0; !done(v); k++) {
      if (this.canBlock && k > SPIN) Atomics.wait(ctl, i, v, 20);
      v = Atomics.load(ctl, i);
    }
  }
}
