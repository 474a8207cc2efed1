import { Tensor } from '@tessera/tensor';
import { describeValue } from './random.js';

/**
 * A map-style dataset: `length` samples, each fetched by index with `get(i)` (sync or async).
 * Any object of this shape works with `DataLoader`; `getBatch` is an optional fast path that
 * returns a whole batch already collated (what `defaultCollate` would make of the samples).
 */
export interface DatasetLike<T = unknown> {
  /** Number of samples. */
  readonly length: number;
  /** Sample `index` (0 <= index < length). */
  get(index: number): T | Promise<T>;
  /** Optional: the batch of samples `indices`, collated as `defaultCollate` would. */
  getBatch?(indices: readonly number[]): unknown;
}

/** Base class for map-style datasets (PyTorch's `torch.utils.data.Dataset`): implement `length` and `get`. */
export abstract class Dataset<T = unknown> implements DatasetLike<T> {
  /** Number of samples. */
  abstract get length(): number;
  /** Sample `index`. */
  abstract get(index: number): T | Promise<T>;

  /** A dataset whose samples are `fn(sample, index)` (lazy: applied on every `get`). */
  map<U>(fn: (sample: T, index: number) => U | Promise<U>): Dataset<U> {
    return new MappedDataset(this, fn);
  }
}

/**
 * An iterable-style dataset (PyTorch's `IterableDataset`): a stream of samples read with
 * `for await`. Subclass and implement `[Symbol.asyncIterator]`, or wrap any (async) iterable with
 * `IterableDataset.from`. `DataLoader` batches it in stream order (no sampler, no shuffle).
 */
export abstract class IterableDataset<T = unknown> implements AsyncIterable<T> {
  /** Number of samples when known (lets `DataLoader.length` answer); undefined otherwise. */
  get length(): number | undefined {
    return undefined;
  }

  abstract [Symbol.asyncIterator](): AsyncIterator<T>;

  /**
   * Wraps an iterable, async iterable, or a function returning one (called once per epoch, so a
   * generator function gives a fresh stream each time).
   */
  static from<T>(
    source: Iterable<T> | AsyncIterable<T> | (() => Iterable<T> | AsyncIterable<T>),
    length?: number,
  ): IterableDataset<T> {
    return new FromIterable(source, length);
  }
}

class FromIterable<T> extends IterableDataset<T> {
  constructor(
    private readonly source: Iterable<T> | AsyncIterable<T> | (() => Iterable<T> | AsyncIterable<T>),
    private readonly knownLength: number | undefined,
  ) {
    super();
  }
  /** Number of samples. */
  override get length(): number | undefined {
    return this.knownLength;
  }
  async *[Symbol.asyncIterator](): AsyncIterator<T> {
    const src = typeof this.source === 'function' ? this.source() : this.source;
    if (src === null || (typeof src !== 'object' && typeof src !== 'function')) {
      throw new TypeError(`IterableDataset.from: expected an iterable, got ${describeValue(src)}`);
    }
    yield* src as AsyncIterable<T>;
  }
}

/** Throws a RangeError unless `index` is an integer in [0, length). Returns it. */
export function checkIndex(op: string, index: number, length: number): number {
  if (!Number.isInteger(index) || index < 0 || index >= length) {
    throw new RangeError(`${op}: index ${index} is out of range for a dataset of length ${length}`);
  }
  return index;
}

/**
 * A dataset of equally long tensors indexed along their first dimension (PyTorch's
 * `TensorDataset`): sample i is `[t0[i], t1[i], ...]` (views, no copy).
 */
export class TensorDataset extends Dataset<Tensor[]> {
  /** The tensors, all with the same size of dim 0. */
  readonly tensors: readonly Tensor[];

  constructor(...tensors: Tensor[]) {
    super();
    if (tensors.length === 0) throw new TypeError('TensorDataset: expected at least one tensor');
    tensors.forEach((t, i) => {
      if (!(t instanceof Tensor))
        throw new TypeError(`TensorDataset: argument ${i} is ${describeValue(t)}, not a tensor`);
      if (t.ndim === 0)
        throw new RangeError(
          `TensorDataset: tensor ${i} is 0-d; every tensor needs a first dimension to index`,
        );
    });
    const n = tensors[0]!.shape[0]!;
    const bad = tensors.findIndex((t) => t.shape[0] !== n);
    if (bad >= 0) {
      const shapes = tensors.map((t) => `[${t.shape.join(',')}]`).join(', ');
      throw new RangeError(`TensorDataset: size mismatch between tensors: dim 0 differs (shapes ${shapes})`);
    }
    this.tensors = tensors;
  }

  /** Number of samples. */
  get length(): number {
    return this.tensors[0]!.shape[0]!;
  }

  /** Sample `index`. */
  get(index: number): Tensor[] {
    checkIndex('TensorDataset.get', index, this.length);
    return this.tensors.map((t) => t.select(0, index));
  }
}

/** The samples of `dataset` at `indices`, in that order (PyTorch's `Subset`). */
export class Subset<T> extends Dataset<T> {
  constructor(
    readonly dataset: DatasetLike<T>,
    readonly indices: readonly number[],
  ) {
    super();
    const n = dataset.length;
    for (let k = 0; k < indices.length; k++) {
      const i = indices[k]!;
      if (!Number.isInteger(i) || i < 0 || i >= n) {
        throw new RangeError(
          `Subset: index ${i} (position ${k}) is out of range for a dataset of length ${n}`,
        );
      }
    }
  }

  /** Number of samples. */
  get length(): number {
    return this.indices.length;
  }

  /** Sample `index`. */
  get(index: number): T | Promise<T> {
    return this.dataset.get(this.indices[checkIndex('Subset.get', index, this.length)]!);
  }
}

/** Several datasets one after another (PyTorch's `ConcatDataset`). */
export class ConcatDataset<T> extends Dataset<T> {
  /** Running totals: cumulativeSizes[k] = samples in datasets 0..k. */
  readonly cumulativeSizes: readonly number[];

  constructor(readonly datasets: readonly DatasetLike<T>[]) {
    super();
    if (datasets.length === 0) throw new TypeError('ConcatDataset: expected at least one dataset');
    let total = 0;
    this.cumulativeSizes = datasets.map((d, k) => {
      if (d instanceof IterableDataset) {
        throw new TypeError(
          `ConcatDataset: dataset ${k} is an IterableDataset; only map-style datasets can be concatenated`,
        );
      }
      total += d.length;
      return total;
    });
  }

  /** Number of samples. */
  get length(): number {
    return this.cumulativeSizes[this.cumulativeSizes.length - 1]!;
  }

  /** Sample `index`. */
  get(index: number): T | Promise<T> {
    checkIndex('ConcatDataset.get', index, this.length);
    let lo = 0;
    let hi = this.cumulativeSizes.length - 1;
    while (lo < hi) {
      const mid = (lo + hi) >> 1;
      if (index < this.cumulativeSizes[mid]!) hi = mid;
      else lo = mid + 1;
    }
    const start = lo === 0 ? 0 : this.cumulativeSizes[lo - 1]!;
    return this.datasets[lo]!.get(index - start);
  }
}

/** A dataset whose samples are another dataset's passed through a function (see `Dataset.map`). */
export class MappedDataset<T, U> extends Dataset<U> {
  constructor(
    readonly dataset: DatasetLike<T>,
    readonly fn: (sample: T, index: number) => U | Promise<U>,
  ) {
    super();
    if (typeof fn !== 'function')
      throw new TypeError(`MappedDataset: fn must be a function, got ${describeValue(fn)}`);
  }

  /** Number of samples. */
  get length(): number {
    return this.dataset.length;
  }

  /** Sample `index`. */
  get(index: number): U | Promise<U> {
    const s = this.dataset.get(index);
    return s instanceof Promise ? s.then((v) => this.fn(v, index)) : this.fn(s, index);
  }
}
