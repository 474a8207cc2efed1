import { checkOptions, tensor } from '@tessera/tensor';
import { BROWSER_WORKER_SOURCE, NODE_WORKER_SOURCE } from './worker-source.js';

/** True when running under Node (worker_threads, node:fs available through dynamic import). */
export function isNode(): boolean {
  const p = (globalThis as { process?: { versions?: { node?: string } } }).process;
  return typeof p?.versions?.node === 'string';
}

/** Imports a Node built-in without letting browser bundlers try to resolve it. */
export function importNode<M>(name: string): Promise<M> {
  const spec = `node:${name}`;
  return import(/* @vite-ignore */ /* webpackIgnore: true */ spec) as Promise<M>;
}

/** Turns a module reference into a URL string workers can `import()`. Node accepts file paths too. */
export async function moduleUrlOf(op: string, module: string | URL): Promise<string> {
  if (module instanceof URL) return module.href;
  if (typeof module !== 'string' || module === '') {
    throw new TypeError(
      `${op}: module must be a URL (or, in Node, a file path) of an ES module, got ${String(module)}`,
    );
  }
  if (/^[a-z][a-z0-9+.-]*:/i.test(module) && !/^[a-z]:[\\/]/i.test(module)) return module;
  if (isNode()) {
    const [{ pathToFileURL }, { resolve }] = await Promise.all([
      importNode<typeof import('node:url')>('url'),
      importNode<typeof import('node:path')>('path'),
    ]);
    return pathToFileURL(resolve(module)).href;
  }
  const base = (globalThis as { location?: { href: string } }).location?.href;
  if (base === undefined) throw new TypeError(`${op}: module ${module} must be an absolute URL here`);
  return new URL(module, base).href;
}

interface Reply {
  id: number;
  ok: boolean;
  values?: unknown[];
  error?: string;
  item?: unknown;
}

interface Pending {
  resolve: (values: unknown[]) => void;
  reject: (e: Error) => void;
}

/** One worker behind a uniform interface (Node worker_threads or a browser Worker). */
interface Slot {
  post(msg: unknown): void;
  terminate(): void;
  /** Keeps the process alive while requests are pending (Node); no-op in browsers. */
  busy(on: boolean): void;
  pending: Map<number, Pending>;
  /** Which start of the pool this worker belongs to. */
  generation: number;
}

/** Options of `WorkerPool`. */
export interface WorkerPoolOptions {
  /** Number of workers (default: hardware threads - 1, at least 1). */
  numWorkers?: number;
  /** Structured-cloneable value passed to the module's `setup(args)` and to each call. */
  args?: unknown;
}

/** Rebuilds tensors sent by workers as tagged typed arrays; leaves everything else as is. */
export function reviveTensors(v: unknown): unknown {
  if (v === null || typeof v !== 'object' || ArrayBuffer.isView(v)) return v;
  const tagged = v as { __tesseraTensor?: number; dtype: string; shape: number[]; data: Float32Array };
  if (tagged.__tesseraTensor === 1)
    return tensor(tagged.data, { dtype: tagged.dtype as 'float32', shape: tagged.shape });
  if (Array.isArray(v)) return v.map(reviveTensors);
  const out: Record<string, unknown> = {};
  for (const k of Object.keys(v)) out[k] = reviveTensors((v as Record<string, unknown>)[k]);
  return out;
}

/** Default worker count: the hardware threads minus one for the main thread, at least 1. */
export function defaultWorkerCount(): number {
  const hc = (globalThis as { navigator?: { hardwareConcurrency?: number } }).navigator?.hardwareConcurrency;
  return Math.max(1, (typeof hc === 'number' ? hc : 2) - 1);
}

/**
 * A pool of workers that each import one ES module and run its exported functions on batches of
 * items. Results come back in the order of the items. Workers start on first use and are
 * unreferenced while idle, so they never keep a Node process alive; `close()` ends them.
 */
export class WorkerPool {
  readonly op: string;
  numWorkers: number;
  private readonly module: string | URL;
  private readonly args: unknown;
  private slots: Promise<Slot[]> | undefined;
  private nextId = 0;
  private generation = 0;

  constructor(op: string, module: string | URL, opts: WorkerPoolOptions = {}) {
    checkOptions(op, opts, { numWorkers: 'number', args: 'any' });
    this.op = op;
    this.module = module;
    this.args = opts.args;
    const n = opts.numWorkers ?? defaultWorkerCount();
    this.numWorkers = checkWorkers(op, n);
  }

  /** Whether workers have been started. */
  get started(): boolean {
    return this.slots !== undefined;
  }

  /** Sets the worker count; only before the first request. */
  setNumWorkers(n: number): void {
    checkWorkers(this.op, n);
    if (n === this.numWorkers) return;
    if (this.slots !== undefined) {
      throw new Error(
        `${this.op}: cannot change numWorkers to ${n} after the ${this.numWorkers} workers started; close() first`,
      );
    }
    this.numWorkers = n;
  }

  /**
   * Calls the module's export `fn` on every item, split into one contiguous chunk per worker;
   * resolves to the results in item order (tensors rebuilt). A failure names the item.
   */
  async run(fn: string, items: readonly unknown[]): Promise<unknown[]> {
    if (items.length === 0) return [];
    const slots = await this.start();
    const per = Math.ceil(items.length / slots.length);
    const parts: Promise<unknown[]>[] = [];
    // Start with the least busy worker so concurrent small requests spread out.
    const order = [...slots].sort((a, b) => a.pending.size - b.pending.size);
    for (let k = 0, at = 0; at < items.length; k++, at += per) {
      parts.push(this.send(order[k % order.length]!, fn, items.slice(at, at + per)));
    }
    const results = await Promise.all(parts);
    return results.flat().map(reviveTensors);
  }

  private send(slot: Slot, fn: string, items: unknown[]): Promise<unknown[]> {
    const id = this.nextId++;
    return new Promise((resolve, reject) => {
      slot.pending.set(id, { resolve, reject });
      if (slot.pending.size === 1) slot.busy(true);
      slot.post({ id, fn, items });
    });
  }

  private onReply(slot: Slot, r: Reply): void {
    const p = slot.pending.get(r.id);
    if (p === undefined) return;
    slot.pending.delete(r.id);
    if (slot.pending.size === 0) slot.busy(false);
    if (r.ok) p.resolve(r.values!);
    else {
      const what = r.item === undefined ? '' : ` for item ${JSON.stringify(r.item)}`;
      p.reject(new Error(`${this.op}: worker failed${what} in ${String(this.module)}: ${r.error}`));
    }
  }

  private onCrash(slot: Slot, why: string): void {
    const err = new Error(`${this.op}: a worker running ${String(this.module)} stopped: ${why}`);
    for (const p of slot.pending.values()) p.reject(err);
    slot.pending.clear();
    slot.busy(false);
    if (slot.generation !== this.generation || this.slots === undefined) return;
    // Start fresh workers on the next request; the others finish what they have, then end.
    const slots = this.slots;
    this.slots = undefined;
    this.generation++;
    void slots.then((all) => {
      for (const s of all) if (s !== slot && s.pending.size === 0) s.terminate();
    });
  }

  private start(): Promise<Slot[]> {
    if (this.slots === undefined) {
      this.slots = this.spawnAll();
      this.slots.catch(() => {
        this.slots = undefined;
      });
    }
    return this.slots;
  }

  private async spawnAll(): Promise<Slot[]> {
    const url = await moduleUrlOf(this.op, this.module);
    const init = { moduleUrl: url, args: this.args };
    const generation = this.generation;
    if (isNode()) {
      const { Worker } = await importNode<typeof import('node:worker_threads')>('worker_threads');
      return Array.from({ length: this.numWorkers }, () => {
        const w = new Worker(NODE_WORKER_SOURCE, { eval: true, workerData: init });
        w.unref();
        const slot: Slot = {
          post: (m) => w.postMessage(m),
          terminate: () => void w.terminate(),
          busy: (on) => (on ? w.ref() : w.unref()),
          pending: new Map(),
          generation,
        };
        w.on('message', (r: Reply) => this.onReply(slot, r));
        w.on('error', (e: Error) => this.onCrash(slot, e.message));
        w.on('exit', (code: number) => this.onCrash(slot, `exit code ${code}`));
        return slot;
      });
    }
    if (
      typeof Worker !== 'function' ||
      typeof Blob !== 'function' ||
      typeof URL.createObjectURL !== 'function'
    ) {
      throw new Error(`${this.op}: Web Workers are not available in this environment`);
    }
    const src = URL.createObjectURL(new Blob([BROWSER_WORKER_SOURCE], { type: 'text/javascript' }));
    try {
      return Array.from({ length: this.numWorkers }, () => {
        const w = new Worker(src, { type: 'module' });
        const slot: Slot = {
          post: (m) => w.postMessage(m),
          terminate: () => w.terminate(),
          busy: () => {},
          pending: new Map(),
          generation,
        };
        w.onmessage = (e: MessageEvent<Reply>) => this.onReply(slot, e.data);
        w.onerror = (e: ErrorEvent) => this.onCrash(slot, e.message);
        w.postMessage(init);
        return slot;
      });
    } finally {
      // Workers have fetched their script once constructed; the URL can go.
      setTimeout(() => URL.revokeObjectURL(src), 10_000);
    }
  }

  /** Terminates the workers; pending requests fail. A later request starts new workers. */
  async close(): Promise<void> {
    const slots = this.slots;
    this.slots = undefined;
    this.generation++;
    if (slots === undefined) return;
    const all = await slots.catch(() => [] as Slot[]);
    for (const s of all) {
      for (const p of s.pending.values()) p.reject(new Error(`${this.op}: the workers were closed`));
      s.pending.clear();
      s.terminate();
    }
  }
}

function checkWorkers(op: string, n: unknown): number {
  if (typeof n !== 'number' || !Number.isInteger(n) || n < 1) {
    throw new RangeError(`${op}: numWorkers must be a positive integer, got ${String(n)}`);
  }
  return n;
}
