import { arange, Generator, rand, tensor, zeros } from '@tessera/tensor';
import { describe, expect, it } from 'vitest';
import {
  BatchSampler,
  ConcatDataset,
  Dataset,
  RandomSampler,
  randomSplit,
  SequentialSampler,
  Subset,
  SubsetRandomSampler,
  TensorDataset,
  uniforms,
  WeightedRandomSampler,
} from '../src/index.js';

class Range extends Dataset<number> {
  constructor(readonly n: number) {
    super();
  }
  get length() {
    return this.n;
  }
  get(i: number) {
    return i;
  }
}

describe('datasets', () => {
  it('TensorDataset indexes along dim 0 and checks sizes', () => {
    const ds = new TensorDataset(arange(6).reshape(3, 2), tensor([7, 8, 9]));
    expect(ds.length).toBe(3);
    const [x, y] = ds.get(1);
    expect(x!.arraySync()).toEqual([2, 3]);
    expect(y!.item()).toBe(8);
    expect(() => ds.get(3)).toThrow('TensorDataset.get: index 3 is out of range for a dataset of length 3');
    expect(() => ds.get(-1)).toThrow(/index -1 is out of range/);
    expect(() => new TensorDataset(zeros([3, 2]), zeros([4]))).toThrow(
      'TensorDataset: size mismatch between tensors: dim 0 differs (shapes [3,2], [4])',
    );
    expect(() => new TensorDataset()).toThrow(/at least one tensor/);
    expect(() => new TensorDataset(tensor(1))).toThrow(/tensor 0 is 0-d/);
  });

  it('Subset, ConcatDataset and map', async () => {
    const sub = new Subset(new Range(10), [9, 0, 4]);
    expect(sub.length).toBe(3);
    expect([0, 1, 2].map((i) => sub.get(i))).toEqual([9, 0, 4]);
    expect(() => new Subset(new Range(3), [0, 3])).toThrow(
      'Subset: index 3 (position 1) is out of range for a dataset of length 3',
    );
    const cat = new ConcatDataset([new Range(2), new Range(0), new Range(3)]);
    expect(cat.length).toBe(5);
    expect([0, 1, 2, 3, 4].map((i) => cat.get(i))).toEqual([0, 1, 0, 1, 2]);
    expect(cat.cumulativeSizes).toEqual([2, 2, 5]);
    expect(() => cat.get(5)).toThrow(/ConcatDataset.get: index 5 is out of range/);
    const mapped = new Range(4).map((v, i) => v * 10 + i);
    expect(mapped.get(3)).toBe(33);
    expect(mapped.length).toBe(4);
  });

  it('randomSplit: counts or fractions, disjoint, covering, seeded', () => {
    const ds = new Range(10);
    const [a, b] = randomSplit(ds, [0.8, 0.2], new Generator(1));
    expect([a!.length, b!.length]).toEqual([8, 2]);
    const all = [...a!.indices, ...b!.indices].sort((p, q) => p - q);
    expect(all).toEqual([0, 1, 2, 3, 4, 5, 6, 7, 8, 9]);
    const [a2] = randomSplit(ds, [8, 2], new Generator(1));
    expect(a2!.indices).toEqual(a!.indices);
    const [a3] = randomSplit(ds, [8, 2], new Generator(2));
    expect(a3!.indices).not.toEqual(a!.indices);
    // Remainders go to the first splits, as in PyTorch.
    expect(randomSplit(new Range(10), [0.33, 0.33, 0.34], new Generator(0)).map((s) => s.length)).toEqual([
      4, 3, 3,
    ]);
    expect(() => randomSplit(ds, [5, 4])).toThrow(
      'randomSplit: sum of lengths [5, 4] is 9, but the dataset has 10 samples',
    );
    expect(() => randomSplit(ds, [0.5, 0.2])).toThrow(/neither integer counts nor fractions summing to 1/);
    expect(() => randomSplit(ds, [-1, 11])).toThrow(/non-negative/);
  });
});

describe('samplers', () => {
  it('SequentialSampler and BatchSampler', () => {
    expect([...new SequentialSampler(4)]).toEqual([0, 1, 2, 3]);
    const bs = new BatchSampler(new SequentialSampler(7), 3);
    expect([...bs]).toEqual([[0, 1, 2], [3, 4, 5], [6]]);
    expect(bs.length).toBe(3);
    const drop = new BatchSampler(new SequentialSampler(7), 3, true);
    expect([...drop]).toEqual([
      [0, 1, 2],
      [3, 4, 5],
    ]);
    expect(drop.length).toBe(2);
    expect(() => new BatchSampler(new SequentialSampler(7), 0)).toThrow(
      'BatchSampler: batchSize must be a positive integer, got number 0',
    );
  });

  it('RandomSampler: permutations per epoch, with replacement, numSamples', () => {
    const s = new RandomSampler(50, { generator: new Generator(3) });
    const e1 = [...s];
    const e2 = [...s];
    expect([...e1].sort((a, b) => a - b)).toEqual(Array.from({ length: 50 }, (_, i) => i));
    expect(e1).not.toEqual(e2);
    const again = new RandomSampler(50, { generator: new Generator(3) });
    expect([...again]).toEqual(e1);
    const rep = new RandomSampler(5, { replacement: true, numSamples: 200, generator: new Generator(0) });
    const draws = [...rep];
    expect(draws.length).toBe(200);
    expect(new Set(draws).size).toBe(5);
    expect(draws.every((d) => d >= 0 && d < 5)).toBe(true);
    const more = [...new RandomSampler(4, { numSamples: 10, generator: new Generator(0) })];
    expect(more.length).toBe(10);
    expect([...more.slice(0, 4)].sort()).toEqual([0, 1, 2, 3]);
    expect([...more.slice(4, 8)].sort()).toEqual([0, 1, 2, 3]);
    expect(() => new RandomSampler(0, { numSamples: 3 })).toThrow(
      /cannot draw 3 samples from an empty dataset/,
    );
  });

  it('SubsetRandomSampler permutes the given indices', () => {
    const s = new SubsetRandomSampler([10, 20, 30, 40], { generator: new Generator(1) });
    const e = [...s];
    expect([...e].sort()).toEqual([10, 20, 30, 40]);
    expect(s.length).toBe(4);
  });

  it('WeightedRandomSampler draws in proportion to weights', () => {
    const s = new WeightedRandomSampler([1, 0, 3], 4000, { generator: new Generator(7) });
    const counts = [0, 0, 0];
    for (const i of s) counts[i]!++;
    expect(counts[1]).toBe(0);
    expect(counts[2]! / counts[0]!).toBeGreaterThan(2.6);
    expect(counts[2]! / counts[0]!).toBeLessThan(3.4);
    const noRep = [
      ...new WeightedRandomSampler(tensor([1, 1, 100, 0.001]), 3, {
        replacement: false,
        generator: new Generator(2),
      }),
    ];
    expect(new Set(noRep).size).toBe(3);
    expect(noRep).toContain(2);
    expect(() => new WeightedRandomSampler([0, 0], 1)).toThrow(/weights sum to 0/);
    expect(() => new WeightedRandomSampler([1, -1], 1)).toThrow(
      'WeightedRandomSampler: weight 1 is -1; weights must be finite and non-negative',
    );
    expect(() => new WeightedRandomSampler([1, 0], 2, { replacement: false })).toThrow(
      /cannot draw 2 samples without replacement from 1 indices/,
    );
  });

  it('uniforms() matches rand() for the same generator', () => {
    const a = uniforms(new Generator(11), 10);
    const b = rand([10], { generator: new Generator(11) }).dataSync();
    expect(Array.from(a)).toEqual(Array.from(b));
  });
});
