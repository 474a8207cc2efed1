/**
 * k-means clustering (Lloyd's algorithm with k-means++ seeding, Arthur and Vassilvitskii, 2007)
 * of the rows of a matrix, written with tensor ops: the squared distances of all rows to all
 * centroids are one matrix product, |x|² - 2 x·cᵀ + |c|².
 */
import {
  argmin,
  type Generator,
  indexAdd,
  indexSelect,
  rand,
  type Tensor,
  tensor,
  zeros,
} from '@tessera/tensor';

/** Options of `kmeans`. */
export interface KMeansOptions {
  /** Lloyd iterations at most (default 30); stops earlier when no assignment changes. */
  iterations?: number;
  /** Draws the k-means++ seeds (a run is reproducible). */
  generator: Generator;
}

/** What `kmeans` found. */
export interface KMeansResult {
  /** The cluster of each row, 0..k-1. */
  assignments: Int32Array;
  /** The centroids [k, D]. */
  centroids: Tensor;
  /** Rows per cluster. */
  sizes: number[];
  /** Lloyd iterations run. */
  iterations: number;
}

/** Squared distances [N, k] of every row of `x` [N, D] to every row of `c` [k, D]. */
export function squaredDistances(x: Tensor, c: Tensor): Tensor {
  const xx = x.square().sum(1, true);
  const cc = c.square().sum(1).unsqueeze(0);
  return xx.sub(x.matmul(c.T).mul(2)).add(cc).clamp(0);
}

/** The k-means++ seeds: each next one drawn with probability proportional to its squared distance. */
async function seeds(x: Tensor, k: number, generator: Generator): Promise<Tensor> {
  const n = x.shape[0]!;
  const u = await rand([k], { generator }).data();
  const chosen = [Math.min(n - 1, Math.floor(u[0]! * n))];
  let nearest = await squaredDistances(x, indexSelect(x, 0, tensor(chosen, { dtype: 'int32' }))).data();
  for (let j = 1; j < k; j++) {
    let total = 0;
    for (let i = 0; i < n; i++) total += nearest[i]!;
    let target = u[j]! * total;
    let pick = n - 1;
    for (let i = 0; i < n; i++) {
      target -= nearest[i]!;
      if (target < 0) {
        pick = i;
        break;
      }
    }
    chosen.push(pick);
    const d = await squaredDistances(x, indexSelect(x, 0, tensor([pick], { dtype: 'int32' }))).data();
    nearest = nearest.map((v, i) => Math.min(v, d[i]!));
  }
  return indexSelect(x, 0, tensor(chosen, { dtype: 'int32' }));
}

/**
 * Clusters the rows of `x` [N, D] (float32) into `k` groups: k-means++ seeds, then Lloyd
 * iterations (assign each row to its nearest centroid, move each centroid to its rows' mean; an
 * emptied cluster keeps its centroid) until no row changes cluster or `iterations` have run.
 */
export async function kmeans(x: Tensor, k: number, options: KMeansOptions): Promise<KMeansResult> {
  if (x.ndim !== 2 || x.dtype !== 'float32') {
    throw new RangeError(`kmeans: expected a float32 matrix [N, D], got ${x.dtype} [${x.shape}]`);
  }
  const n = x.shape[0]!;
  if (!(Number.isInteger(k) && k >= 1 && k <= n)) {
    throw new RangeError(`kmeans: k must be an integer in [1, ${n}] (the number of rows), got ${k}`);
  }
  const maxIterations = options.iterations ?? 30;
  if (!(Number.isInteger(maxIterations) && maxIterations >= 1)) {
    throw new RangeError(`kmeans: iterations must be an integer >= 1, got ${maxIterations}`);
  }
  let centroids = await seeds(x, k, options.generator);
  let assignments = new Int32Array(n).fill(-1);
  let sizes: number[] = [];
  let iterations = 0;
  while (iterations < maxIterations) {
    iterations++;
    const next = Int32Array.from(await argmin(squaredDistances(x, centroids), 1).data());
    const changed = next.some((c, i) => c !== assignments[i]);
    assignments = next;
    const index = tensor(assignments, { dtype: 'int32' });
    const sums = indexAdd(zeros([k, x.shape[1]!]), 0, index, x);
    sizes = new Array<number>(k).fill(0);
    for (const c of assignments) sizes[c]!++;
    const count = tensor(
      sizes.map((s) => Math.max(s, 1)),
      { dtype: 'float32' },
    ).unsqueeze(1);
    const empty = tensor(
      sizes.map((s) => (s === 0 ? 1 : 0)),
      { dtype: 'float32' },
    ).unsqueeze(1);
    // An empty cluster's sum is 0: it keeps its old centroid instead of moving to the origin.
    centroids = sums.div(count).add(centroids.mul(empty));
    if (!changed) break;
  }
  return { assignments, centroids, sizes, iterations };
}
