import { checkOptions } from '@tessera/tensor';
import { type Collated, defaultCollate } from './collate.js';
import { checkIndex, Dataset } from './dataset.js';
import type { WorkerCapable } from './loader.js';
import { describeValue } from './random.js';
import { WorkerPool } from './worker-pool.js';

/** Options of `WorkerDataset`. */
export interface WorkerDatasetOptions<T> {
  /**
   * URL of an ES module (in Node also a file path) that exports `get(index, args)` (sync or
   * async) returning a sample, and optionally `setup(args)` run once per worker (open files,
   * build tables). Samples must be structured-cloneable; tensors made in the worker are sent as
   * typed arrays and rebuilt here.
   */
  module: string | URL;
  /** Number of samples. */
  length: number;
  /** Workers to start (default: hardware threads - 1). `DataLoader`'s numWorkers overrides it. */
  numWorkers?: number;
  /** Structured-cloneable value handed to `setup(args)` and `get(index, args)`. */
  args?: unknown;
  /** Converts what a worker sent into the sample (e.g. typed arrays into tensors), in this thread. */
  revive?: (raw: unknown, index: number) => T;
}

/**
 * A map-style dataset whose `get` runs in worker threads (Node `worker_threads`, browser Web
 * Workers), for datasets where producing a sample is expensive (decoding, augmentation, parsing).
 * Functions cannot be sent to workers, so the loading code lives in a module each worker
 * imports. A batch is split across the workers and reassembled in index order, so results are
 * the same as loading serially. Call `close()` (or `await using`) to end the workers.
 */
export class WorkerDataset<T = unknown> extends Dataset<T> implements WorkerCapable {
  private readonly pool: WorkerPool;
  private readonly size: number;
  private readonly revive: ((raw: unknown, index: number) => T) | undefined;

  constructor(opts: WorkerDatasetOptions<T>) {
    super();
    if (opts === null || typeof opts !== 'object')
      throw new TypeError(`WorkerDataset: expected options, got ${describeValue(opts)}`);
    checkOptions('WorkerDataset', opts, {
      module: 'any',
      length: 'any',
      numWorkers: 'any',
      args: 'any',
      revive: 'any',
    });
    if (typeof opts.length !== 'number' || !Number.isInteger(opts.length) || opts.length < 0) {
      throw new RangeError(
        `WorkerDataset: length must be a non-negative integer, got ${describeValue(opts.length)}`,
      );
    }
    if (opts.revive !== undefined && typeof opts.revive !== 'function') {
      throw new TypeError(`WorkerDataset: revive must be a function, got ${describeValue(opts.revive)}`);
    }
    this.size = opts.length;
    this.revive = opts.revive;
    this.pool = new WorkerPool('WorkerDataset', opts.module, {
      numWorkers: opts.numWorkers,
      args: opts.args,
    });
  }

  /** Number of samples. */
  get length(): number {
    return this.size;
  }

  /** Number of workers (started on first use). */
  get numWorkers(): number {
    return this.pool.numWorkers;
  }

  /** Sets the number of workers; only before they start. */
  setNumWorkers(n: number): void {
    this.pool.setNumWorkers(n);
  }

  /** Sample `index`, loaded by a worker. */
  async get(index: number): Promise<T> {
    checkIndex('WorkerDataset.get', index, this.size);
    const [raw] = await this.pool.run('get', [index]);
    return this.revive ? this.revive(raw, index) : (raw as T);
  }

  /** The samples at `indices`, loaded in parallel across the workers, in order. */
  async getMany(indices: readonly number[]): Promise<T[]> {
    for (const i of indices) checkIndex('WorkerDataset.getMany', i, this.size);
    const raws = await this.pool.run('get', indices);
    const revive = this.revive;
    return revive ? raws.map((r, k) => revive(r, indices[k]!)) : (raws as T[]);
  }

  /** A collated batch of `indices` (what `DataLoader` calls): `defaultCollate(await getMany(indices))`. */
  async getBatch(indices: readonly number[]): Promise<Collated<T>> {
    return defaultCollate(await this.getMany(indices));
  }

  /** Ends the workers (they restart on the next `get`). */
  close(): Promise<void> {
    return this.pool.close();
  }

  /** `await using ds = new WorkerDataset(...)` closes the workers at the end of the block. */
  [Symbol.asyncDispose](): Promise<void> {
    return this.close();
  }
}

/** Options of `workerMap`. */
export interface WorkerMapOptions {
  /** Name of the module's exported function to call (default `'default'`). */
  fn?: string;
  /** Workers to start (default: hardware threads - 1, at most the number of items). */
  numWorkers?: number;
  /** Structured-cloneable value handed to `setup(args)` and as the function's second argument. */
  args?: unknown;
}

/**
 * Runs a module's exported function on every item in parallel workers and resolves to the
 * results in item order: `await workerMap(new URL('./decode.js', import.meta.url), files)`.
 * The function is the module's `default` export unless `fn` names another; items and results
 * must be structured-cloneable (tensors in results are rebuilt). The workers end afterwards.
 */
export async function workerMap<R = unknown>(
  module: string | URL,
  items: readonly unknown[],
  opts: WorkerMapOptions = {},
): Promise<R[]> {
  checkOptions('workerMap', opts, { fn: 'any', numWorkers: 'any', args: 'any' });
  if (!Array.isArray(items))
    throw new TypeError(`workerMap: items must be an array, got ${describeValue(items)}`);
  if (items.length === 0) return [];
  const numWorkers =
    opts.numWorkers ?? Math.min(items.length, new WorkerPool('workerMap', module).numWorkers);
  const pool = new WorkerPool('workerMap', module, { numWorkers, args: opts.args });
  try {
    return (await pool.run(opts.fn ?? 'default', items)) as R[];
  } finally {
    await pool.close();
  }
}
