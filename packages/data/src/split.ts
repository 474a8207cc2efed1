import { defaultGenerator, type Generator } from '@tessera/tensor';
import { type DatasetLike, Subset } from './dataset.js';
import { checkGenerator, permutation } from './random.js';

/**
 * Resolves split `lengths` for a dataset of `n` samples: counts that sum to n, or fractions that
 * sum to 1 (floor of each share, the remainder handed out one by one from the first split, as
 * PyTorch does).
 */
export function splitLengths(n: number, lengths: readonly number[]): number[] {
  if (!Array.isArray(lengths) || lengths.length === 0) {
    throw new TypeError('randomSplit: lengths must be a non-empty array of counts or fractions');
  }
  for (const l of lengths) {
    if (typeof l !== 'number' || !Number.isFinite(l) || l < 0) {
      throw new RangeError(`randomSplit: lengths must be non-negative numbers, got [${lengths.join(', ')}]`);
    }
  }
  const total = lengths.reduce((a, b) => a + b, 0);
  const allInt = lengths.every(Number.isInteger);
  if (Math.abs(total - 1) < 1e-6 && lengths.every((l) => l <= 1) && !(allInt && n === 1)) {
    const out = lengths.map((f) => Math.floor(n * f));
    let rest = n - out.reduce((a, b) => a + b, 0);
    for (let i = 0; rest > 0; i = (i + 1) % out.length, rest--) out[i]!++;
    return out;
  }
  if (!allInt) {
    throw new RangeError(
      `randomSplit: lengths [${lengths.join(', ')}] are neither integer counts nor fractions summing to 1 (sum ${total})`,
    );
  }
  if (total !== n) {
    throw new RangeError(
      `randomSplit: sum of lengths [${lengths.join(', ')}] is ${total}, but the dataset has ${n} samples`,
    );
  }
  return [...lengths];
}

/**
 * Splits a dataset into non-overlapping random subsets (PyTorch's `random_split`). `lengths` are
 * counts summing to the dataset length, or fractions summing to 1 (`[0.8, 0.2]`). Pass a seeded
 * `Generator` for a reproducible split; the global generator is used otherwise.
 */
export function randomSplit<T>(
  dataset: DatasetLike<T>,
  lengths: readonly number[],
  generator?: Generator,
): Subset<T>[] {
  const gen = checkGenerator('randomSplit', generator) ?? defaultGenerator;
  const n = dataset.length;
  const sizes = splitLengths(n, lengths);
  const perm = permutation(gen, n);
  const out: Subset<T>[] = [];
  let at = 0;
  for (const size of sizes) {
    out.push(new Subset(dataset, Array.from(perm.subarray(at, at + size))));
    at += size;
  }
  return out;
}
