import { checkOptions, type Generator, Tensor } from '@tessera/tensor';
import {
  checkGenerator,
  describeValue,
  drawSeed,
  epochGenerator,
  permutation,
  randomWords,
  uniforms,
  wordsToIndex,
} from './random.js';

/**
 * Yields dataset indices for one epoch each time it is iterated (PyTorch's `Sampler`). `length`
 * is the number of indices per epoch.
 */
export interface Sampler {
  readonly length: number;
  [Symbol.iterator](): Iterator<number>;
  /** Optional: pins the epoch number the next iteration uses (for resuming training). */
  setEpoch?(epoch: number): void;
}

function checkCount(op: string, what: string, n: unknown, allowZero = true): number {
  if (typeof n !== 'number' || !Number.isInteger(n) || n < (allowZero ? 0 : 1)) {
    throw new RangeError(
      `${op}: ${what} must be a ${allowZero ? 'non-negative' : 'positive'} integer, got ${describeValue(n)}`,
    );
  }
  return n;
}

/** Indices 0..n-1 in order. */
export class SequentialSampler implements Sampler {
  readonly length: number;
  constructor(source: number | { readonly length: number }) {
    this.length = checkCount(
      'SequentialSampler',
      'length',
      typeof source === 'number' ? source : source.length,
    );
  }
  *[Symbol.iterator](): Iterator<number> {
    for (let i = 0; i < this.length; i++) yield i;
  }
}

/**
 * Base of the random samplers: holds a seed and an epoch counter. Each iteration draws from a
 * generator seeded by (seed, epoch), so epoch k's order is reproducible from the seed alone and
 * differs between epochs. The seed is drawn, when the sampler is made, from the given generator
 * or else the global one (so a seeded generator, or `manualSeed(s)` beforehand, makes it
 * reproducible).
 */
abstract class SeededSampler {
  /** Seed the epoch generators derive from. */
  readonly seed: bigint;
  /** Epoch number the next iteration uses; incremented after each iteration starts. */
  epoch = 0;

  constructor(op: string, generator: Generator | undefined) {
    this.seed = drawSeed(checkGenerator(op, generator));
  }

  /** Pins the epoch number the next iteration uses. */
  setEpoch(epoch: number): void {
    this.epoch = checkCount('setEpoch', 'epoch', epoch);
  }

  /** The generator for the current epoch; advances the epoch counter. */
  protected nextGenerator(): Generator {
    return epochGenerator(this.seed, this.epoch++);
  }
}

/** Options of `RandomSampler`. */
export interface RandomSamplerOptions {
  /** Draw with replacement (indices may repeat). Default false. */
  replacement?: boolean;
  /** Indices per epoch; default the dataset length. Without replacement, more than the length cycles through new permutations. */
  numSamples?: number;
  /** Seed source; see `SeededSampler`. */
  generator?: Generator;
}

/** Random order of 0..n-1 each epoch (a fresh permutation), or `numSamples` draws with replacement. */
export class RandomSampler extends SeededSampler implements Sampler {
  readonly n: number;
  readonly replacement: boolean;
  readonly length: number;

  constructor(source: number | { readonly length: number }, opts: RandomSamplerOptions = {}) {
    checkOptions('RandomSampler', opts, { replacement: 'any', numSamples: 'any', generator: 'any' });
    super('RandomSampler', opts.generator);
    this.n = checkCount(
      'RandomSampler',
      'dataset length',
      typeof source === 'number' ? source : source.length,
    );
    this.replacement = opts.replacement ?? false;
    this.length =
      opts.numSamples === undefined
        ? this.n
        : checkCount('RandomSampler', 'numSamples', opts.numSamples, false);
    if (this.n === 0 && this.length > 0)
      throw new RangeError(`RandomSampler: cannot draw ${this.length} samples from an empty dataset`);
  }

  *[Symbol.iterator](): Iterator<number> {
    const gen = this.nextGenerator();
    if (this.replacement) {
      const w = randomWords(gen, 2 * this.length);
      for (let k = 0; k < this.length; k++) yield wordsToIndex(w[2 * k]!, w[2 * k + 1]!, this.n);
      return;
    }
    let left = this.length;
    while (left > 0) {
      const perm = permutation(gen, this.n);
      const m = Math.min(left, this.n);
      for (let k = 0; k < m; k++) yield perm[k]!;
      left -= m;
    }
  }
}

/** Indices from a given list, in a random order each epoch (PyTorch's `SubsetRandomSampler`). */
export class SubsetRandomSampler extends SeededSampler implements Sampler {
  readonly indices: readonly number[];
  constructor(indices: readonly number[], opts: { generator?: Generator } = {}) {
    checkOptions('SubsetRandomSampler', opts, { generator: 'any' });
    super('SubsetRandomSampler', opts.generator);
    indices.forEach((i, k) => {
      if (!Number.isInteger(i) || i < 0)
        throw new RangeError(
          `SubsetRandomSampler: index ${i} at position ${k} is not a non-negative integer`,
        );
    });
    this.indices = [...indices];
  }
  /** Number of indices per epoch. */
  get length(): number {
    return this.indices.length;
  }
  *[Symbol.iterator](): Iterator<number> {
    const perm = permutation(this.nextGenerator(), this.indices.length);
    for (let k = 0; k < perm.length; k++) yield this.indices[perm[k]!]!;
  }
}

/**
 * Draws `numSamples` indices with probability proportional to `weights` (PyTorch's
 * `WeightedRandomSampler`), with replacement by default. Useful to rebalance classes.
 */
export class WeightedRandomSampler extends SeededSampler implements Sampler {
  readonly weights: Float64Array;
  readonly length: number;
  readonly replacement: boolean;

  constructor(
    weights: readonly number[] | Float32Array | Float64Array | Tensor,
    numSamples: number,
    opts: { replacement?: boolean; generator?: Generator } = {},
  ) {
    super('WeightedRandomSampler', opts.generator);
    checkOptions('WeightedRandomSampler', opts, { replacement: 'boolean', generator: 'any' });
    const w = weights instanceof Tensor ? weights.dataSync() : weights;
    if (weights instanceof Tensor && weights.ndim !== 1) {
      throw new RangeError(
        `WeightedRandomSampler: weights must be 1-D, got shape [${weights.shape.join(',')}]`,
      );
    }
    this.weights = Float64Array.from(w as ArrayLike<number>);
    let total = 0;
    this.weights.forEach((v, i) => {
      if (!(v >= 0) || !Number.isFinite(v))
        throw new RangeError(
          `WeightedRandomSampler: weight ${i} is ${v}; weights must be finite and non-negative`,
        );
      total += v;
    });
    if (!(total > 0))
      throw new RangeError('WeightedRandomSampler: weights sum to 0; at least one must be positive');
    this.length = checkCount('WeightedRandomSampler', 'numSamples', numSamples, false);
    this.replacement = opts.replacement ?? true;
    if (!this.replacement) {
      const positive = this.weights.reduce((a, v) => a + (v > 0 ? 1 : 0), 0);
      if (this.length > positive) {
        throw new RangeError(
          `WeightedRandomSampler: cannot draw ${this.length} samples without replacement from ${positive} indices with positive weight`,
        );
      }
    }
  }

  *[Symbol.iterator](): Iterator<number> {
    const gen = this.nextGenerator();
    const n = this.weights.length;
    const cdf = new Float64Array(n);
    let acc = 0;
    for (let i = 0; i < n; i++) cdf[i] = acc += this.weights[i]!;
    if (this.replacement) {
      const u = uniforms(gen, this.length);
      for (let k = 0; k < this.length; k++) yield search(cdf, u[k]! * acc);
      return;
    }
    // Without replacement: Efraimidis-Spirakis keys u^(1/w), take the largest numSamples.
    const u = uniforms(gen, n);
    const keys: { i: number; key: number }[] = [];
    for (let i = 0; i < n; i++) {
      const wi = this.weights[i]!;
      if (wi > 0) keys.push({ i, key: Math.log(1 - u[i]!) / wi });
    }
    keys.sort((a, b) => b.key - a.key);
    for (let k = 0; k < this.length; k++) yield keys[k]!.i;
  }
}

/** First index whose cumulative weight exceeds `x` (skips zero-weight entries). */
function search(cdf: Float64Array, x: number): number {
  let lo = 0;
  let hi = cdf.length - 1;
  while (lo < hi) {
    const mid = (lo + hi) >> 1;
    if (cdf[mid]! > x) hi = mid;
    else lo = mid + 1;
  }
  return lo;
}

/** Groups another sampler's indices into batches of `batchSize` (the last one smaller unless `dropLast`). */
export class BatchSampler {
  constructor(
    readonly sampler: Sampler | Iterable<number>,
    readonly batchSize: number,
    readonly dropLast = false,
  ) {
    checkCount('BatchSampler', 'batchSize', batchSize, false);
  }

  /** Number of batches per epoch (needs a sampler with a length). */
  get length(): number {
    const n = (this.sampler as { length?: number }).length;
    if (typeof n !== 'number') throw new TypeError('BatchSampler: the sampler has no length');
    return this.dropLast ? Math.floor(n / this.batchSize) : Math.ceil(n / this.batchSize);
  }

  /** Forwards to the inner sampler. */
  setEpoch(epoch: number): void {
    (this.sampler as Sampler).setEpoch?.(epoch);
  }

  *[Symbol.iterator](): Iterator<number[]> {
    let batch: number[] = [];
    for (const i of this.sampler) {
      batch.push(i);
      if (batch.length === this.batchSize) {
        yield batch;
        batch = [];
      }
    }
    if (batch.length > 0 && !this.dropLast) yield batch;
  }
}
