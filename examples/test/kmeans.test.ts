// k-means: distances as one matrix product, k-means++ seeds, Lloyd iterations.
import { Generator, randn, tensor } from '@tessera/tensor';
import { describe, expect, it } from 'vitest';
import { kmeans, squaredDistances } from '../src/lib/kmeans.js';

/** `perBlob` points around each of `centres` (rows of [x, y]), spread `spread`. */
function blobs(centres: number[][], perBlob: number, spread: number) {
  const noise = randn([centres.length * perBlob, 2], { generator: new Generator(9) }).mul(spread);
  const at = tensor(centres.flatMap((c) => new Array(perBlob).fill(c)).flat(), {
    shape: [centres.length * perBlob, 2],
  });
  return at.add(noise);
}

describe('kmeans', () => {
  it('squaredDistances are |x - c|² for every pair of rows', () => {
    const x = tensor(
      [
        [0, 0],
        [3, 4],
      ],
      { dtype: 'float32' },
    );
    const c = tensor(
      [
        [0, 0],
        [1, 1],
        [3, 0],
      ],
      { dtype: 'float32' },
    );
    expect(squaredDistances(x, c).dataSync()).toEqual(new Float32Array([0, 2, 9, 25, 13, 16]));
  });

  it('finds well-separated blobs: one cluster each, centroids at their means', async () => {
    const x = blobs(
      [
        [0, 0],
        [10, 0],
        [0, 10],
      ],
      40,
      0.5,
    );
    const r = await kmeans(x, 3, { generator: new Generator(1) });
    expect(r.sizes.sort()).toEqual([40, 40, 40]);
    // Every blob's points share one cluster, and the three blobs have three different ones.
    const of = (b: number) => new Set(r.assignments.subarray(40 * b, 40 * (b + 1)));
    for (const b of [0, 1, 2]) expect(of(b).size).toBe(1);
    expect(new Set([0, 1, 2].map((b) => [...of(b)][0])).size).toBe(3);
    for (const b of [0, 1, 2]) {
      const c = [...of(b)][0]!;
      const mean = x.narrow(0, 40 * b, 40).mean(0);
      expect(r.centroids.narrow(0, c, 1).squeeze(0).sub(mean).abs().max().item()).toBeLessThan(1e-5);
    }
    expect(r.iterations).toBeLessThan(30); // it stopped when nothing moved
  });

  it('is reproducible with the same generator', async () => {
    const x = randn([200, 5], { generator: new Generator(2) });
    const a = await kmeans(x, 6, { generator: new Generator(4) });
    const b = await kmeans(x, 6, { generator: new Generator(4) });
    expect(a.assignments).toEqual(b.assignments);
    expect(a.sizes.reduce((s, v) => s + v, 0)).toBe(200);
  });

  it('an emptied cluster keeps its centroid (no division by zero)', async () => {
    // Five equal rows: both seeds are the same point, and the first centroid takes every row.
    const x = tensor(new Array(10).fill(2), { shape: [5, 2], dtype: 'float32' });
    const r = await kmeans(x, 2, { generator: new Generator(3) });
    expect(r.sizes).toEqual([5, 0]);
    expect(r.centroids.dataSync()).toEqual(new Float32Array([2, 2, 2, 2]));
  });

  it('rejects a bad k, bad iterations and a non-matrix', async () => {
    const x = randn([5, 2]);
    const generator = new Generator(0);
    await expect(kmeans(x, 6, { generator })).rejects.toThrow(
      'kmeans: k must be an integer in [1, 5] (the number of rows), got 6',
    );
    await expect(kmeans(x, 0, { generator })).rejects.toThrow('kmeans: k must be an integer');
    await expect(kmeans(x, 2, { generator, iterations: 0 })).rejects.toThrow(
      'kmeans: iterations must be an integer >= 1, got 0',
    );
    await expect(kmeans(randn([5]), 2, { generator })).rejects.toThrow(
      'kmeans: expected a float32 matrix [N, D], got float32 [5]',
    );
  });
});
