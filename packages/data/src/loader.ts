import type { Generator } from '@tessera/tensor';
import { checkOptions, type OptionSpec } from '@tessera/tensor';
import { type Collated, defaultCollate } from './collate.js';
import { type DatasetLike, IterableDataset } from './dataset.js';
import { checkGenerator, describeValue } from './random.js';
import { BatchSampler, RandomSampler, type Sampler, SequentialSampler } from './sampler.js';
import { nextMacrotask } from './schedule.js';

/** A dataset that can load its samples in worker threads (see `WorkerDataset`). */
export interface WorkerCapable {
  /** Sets how many workers load samples (before the first load). */
  setNumWorkers(n: number): void;
}

/** Something yielding lists of indices, one per batch (a `BatchSampler` or any iterable). */
export type BatchIndexSource = Iterable<number[]> & {
  readonly length?: number;
  setEpoch?(epoch: number): void;
};

/** Options of `DataLoader`. */
export interface DataLoaderOptions<T, B> {
  /** Samples per batch (default 1); `null` yields single samples without collating (PyTorch's `batch_size=None`). */
  batchSize?: number | null;
  /** Reshuffle the order every epoch (default false). Exclusive with `sampler`. */
  shuffle?: boolean;
  /** Order of indices; exclusive with `shuffle`. */
  sampler?: Sampler | Iterable<number>;
  /** Yields whole batches of indices; exclusive with batchSize, shuffle, sampler and dropLast. */
  batchSampler?: BatchIndexSource;
  /** Drop the last batch when it is smaller than batchSize (default false). */
  dropLast?: boolean;
  /** Turns a list of samples into a batch; default `defaultCollate`. */
  collate?: (samples: T[]) => B;
  /** Seed source for shuffling (a seed is drawn from it once); the global generator otherwise. */
  generator?: Generator;
  /**
   * Batches prepared ahead of the one being consumed (default 0: each batch is made when asked
   * for). With k > 0 the next k batches are built on the event loop while the consumer awaits
   * (an async training step, worker results), so loading overlaps computation.
   */
  prefetch?: number;
  /**
   * Worker threads loading samples in parallel (default 0: in this thread). Needs a dataset
   * that can load in workers (`WorkerDataset`): functions cannot be sent to workers, so the
   * loading code must live in a module the workers import.
   */
  numWorkers?: number;
}

const LOADER_OPTIONS: OptionSpec = {
  batchSize: 'integer|null',
  shuffle: 'boolean',
  sampler: 'object|array',
  batchSampler: 'object|array',
  dropLast: 'boolean',
  collate: 'function',
  // Checked below with its own message.
  generator: 'any',
  prefetch: 'integer',
  numWorkers: 'integer',
};

function isMapStyle(d: unknown): d is DatasetLike {
  return (
    d !== null &&
    typeof d === 'object' &&
    typeof (d as DatasetLike).get === 'function' &&
    typeof (d as DatasetLike).length === 'number'
  );
}

function optInt(op: string, name: string, v: unknown, min: number): number | undefined {
  if (v === undefined) return undefined;
  if (typeof v !== 'number' || !Number.isInteger(v) || v < min) {
    throw new RangeError(`${op}: ${name} must be an integer >= ${min}, got ${describeValue(v)}`);
  }
  return v;
}

/**
 * Iterates a dataset in batches (PyTorch's `DataLoader`):
 *
 *   const loader = new DataLoader(train, { batchSize: 64, shuffle: true, generator: new Generator(0) });
 *   for await (const [x, y] of loader) { ... }
 *
 * Each `for await` is one epoch. With `shuffle`, the order comes from a seed drawn once from the
 * generator with the epoch number mixed in: reproducible from the seed, different every epoch.
 * Works with map-style datasets (`length` + `get`, optionally `getBatch`) and `IterableDataset`s.
 */
export class DataLoader<T = unknown, B = Collated<T>> implements AsyncIterable<B> {
  readonly dataset: DatasetLike<T> | IterableDataset<T>;
  readonly batchSize: number | null;
  readonly dropLast: boolean;
  readonly prefetch: number;
  readonly numWorkers: number;
  /** The index order (map-style datasets only). */
  readonly sampler: Sampler | Iterable<number> | undefined;
  /** The batches of indices (map-style datasets with batching only). */
  readonly batchSampler: BatchIndexSource | undefined;
  private readonly collate: ((samples: T[]) => B) | undefined;

  constructor(dataset: DatasetLike<T> | IterableDataset<T>, opts: DataLoaderOptions<T, B> = {}) {
    const op = 'DataLoader';
    checkOptions(op, opts, LOADER_OPTIONS);
    const iterable = dataset instanceof IterableDataset;
    if (!iterable && !isMapStyle(dataset)) {
      throw new TypeError(
        `${op}: dataset must have a numeric length and a get(index) method, or be an IterableDataset; got ${describeValue(dataset)}`,
      );
    }
    this.dataset = dataset;
    this.batchSize = opts.batchSize === null ? null : (optInt(op, 'batchSize', opts.batchSize, 1) ?? 1);
    this.dropLast = opts.dropLast ?? false;
    this.prefetch = optInt(op, 'prefetch', opts.prefetch, 0) ?? 0;
    this.numWorkers = optInt(op, 'numWorkers', opts.numWorkers, 0) ?? 0;
    if (opts.collate !== undefined && typeof opts.collate !== 'function') {
      throw new TypeError(`${op}: collate must be a function, got ${describeValue(opts.collate)}`);
    }
    this.collate = opts.collate;
    const generator = checkGenerator(op, opts.generator);

    if (this.numWorkers > 0) {
      const w = dataset as unknown as Partial<WorkerCapable>;
      if (typeof w.setNumWorkers !== 'function') {
        throw new TypeError(
          `${op}: numWorkers ${this.numWorkers} needs a dataset that loads in workers; functions cannot be sent to workers, so put the loading code in a module and wrap it with WorkerDataset (got ${describeValue(dataset)})`,
        );
      }
      w.setNumWorkers(this.numWorkers);
    }

    if (iterable) {
      if (opts.shuffle)
        throw new TypeError(
          `${op}: shuffle is not supported for an IterableDataset (it is read in stream order)`,
        );
      if (opts.sampler !== undefined || opts.batchSampler !== undefined) {
        throw new TypeError(`${op}: sampler and batchSampler are not supported for an IterableDataset`);
      }
      this.sampler = undefined;
      this.batchSampler = undefined;
      return;
    }

    if (opts.batchSampler !== undefined) {
      if (opts.batchSize !== undefined && opts.batchSize !== 1)
        throw new TypeError(`${op}: batchSampler is mutually exclusive with batchSize`);
      if (opts.shuffle || opts.sampler !== undefined || opts.dropLast) {
        throw new TypeError(`${op}: batchSampler is mutually exclusive with shuffle, sampler and dropLast`);
      }
      this.sampler = undefined;
      this.batchSampler = opts.batchSampler;
      this.batchSize = null;
      return;
    }
    if (opts.sampler !== undefined && opts.shuffle) {
      throw new TypeError(
        `${op}: sampler is mutually exclusive with shuffle (shuffle by passing a RandomSampler)`,
      );
    }
    const ds = dataset as DatasetLike<T>;
    this.sampler =
      opts.sampler ?? (opts.shuffle ? new RandomSampler(ds, { generator }) : new SequentialSampler(ds));
    this.batchSampler =
      this.batchSize === null ? undefined : new BatchSampler(this.sampler, this.batchSize, this.dropLast);
  }

  /** Number of batches per epoch (samples when batchSize is null). Throws when unknown. */
  get length(): number {
    if (this.dataset instanceof IterableDataset) {
      const n = this.dataset.length;
      if (n === undefined)
        throw new TypeError('DataLoader: length is unknown for an IterableDataset without a length');
      if (this.batchSize === null) return n;
      return this.dropLast ? Math.floor(n / this.batchSize) : Math.ceil(n / this.batchSize);
    }
    const src = (this.batchSampler ?? this.sampler) as { length?: number };
    if (typeof src.length !== 'number')
      throw new TypeError('DataLoader: length is unknown: the sampler has no length');
    return src.length;
  }

  /** Pins the epoch number the next iteration shuffles for (resuming training at epoch e). */
  setEpoch(epoch: number): void {
    const s = (this.batchSampler ?? this.sampler) as { setEpoch?: (e: number) => void } | undefined;
    s?.setEpoch?.(epoch);
  }

  /** Loads and collates the samples at `indices`. */
  private async fetchBatch(indices: number[]): Promise<B> {
    if (this.prefetch > 0) await nextMacrotask();
    const ds = this.dataset as DatasetLike<T>;
    if (this.collate === undefined && typeof ds.getBatch === 'function')
      return (await ds.getBatch(indices)) as B;
    const samples: (T | Promise<T>)[] = indices.map((i) => ds.get(i));
    const ready = samples.some((s) => s instanceof Promise) ? await Promise.all(samples) : (samples as T[]);
    return this.collateSamples(ready);
  }

  private collateSamples(samples: T[]): B {
    return this.collate !== undefined ? this.collate(samples) : (defaultCollate(samples) as B);
  }

  private async fetchOne(index: number): Promise<B> {
    if (this.prefetch > 0) await nextMacrotask();
    const s = await (this.dataset as DatasetLike<T>).get(index);
    return this.collate !== undefined ? this.collate([s]) : (s as unknown as B);
  }

  /** One epoch of batches. */
  [Symbol.asyncIterator](): AsyncIterator<B> {
    if (this.dataset instanceof IterableDataset) return this.iterateStream(this.dataset);
    const jobs: Iterator<() => Promise<B>> =
      this.batchSampler !== undefined
        ? map(this.batchSampler[Symbol.iterator](), (idx) => () => this.fetchBatch(checkBatch(idx)))
        : map(this.sampler![Symbol.iterator](), (i) => () => this.fetchOne(i));
    return pipeline(jobs, this.prefetch);
  }

  private async *iterateStream(ds: IterableDataset<T>): AsyncGenerator<B> {
    const it = ds[Symbol.asyncIterator]();
    const size = this.batchSize;
    let batch: T[] = [];
    try {
      while (true) {
        const r = await it.next();
        if (r.done) break;
        if (size === null) {
          yield this.collate !== undefined ? this.collate([r.value]) : (r.value as unknown as B);
          continue;
        }
        batch.push(r.value);
        if (batch.length === size) {
          const full = batch;
          batch = [];
          yield this.collateSamples(full);
        }
      }
      if (batch.length > 0 && !this.dropLast) yield this.collateSamples(batch);
    } finally {
      await it.return?.();
    }
  }
}

function checkBatch(indices: unknown): number[] {
  if (!Array.isArray(indices))
    throw new TypeError(
      `DataLoader: batchSampler yielded ${describeValue(indices)}, expected an array of indices`,
    );
  return indices;
}

function* map<A, R>(it: Iterator<A>, fn: (a: A) => R): Iterator<R> {
  for (let r = it.next(); !r.done; r = it.next()) yield fn(r.value);
}

/**
 * Runs jobs in order with up to `ahead` started before the current one is consumed; results come
 * out in job order. A failed job rethrows when its turn comes; stopping early drops the rest.
 */
async function* pipeline<B>(jobs: Iterator<() => Promise<B>>, ahead: number): AsyncGenerator<B> {
  const queue: Promise<B>[] = [];
  let exhausted = false;
  const start = (): boolean => {
    const r = jobs.next();
    if (r.done) {
      exhausted = true;
      return false;
    }
    const p = r.value();
    p.catch(() => {}); // rethrown when awaited; avoids an unhandled rejection if we stop first
    queue.push(p);
    return true;
  };
  while (queue.length > 0 || (!exhausted && start())) {
    const next = queue.shift()!;
    while (!exhausted && queue.length < ahead) start();
    yield await next;
  }
}
